// SLIC superpixels (Achanta et al. 2012, "SLIC Superpixels Compared to State-of-the-Art Superpixel Methods"), the
// segmentation behind our LIME (xai-methods.md C.5 uses skimage's quickshift; SLIC is the simpler stand-in):
//   1. features f(p) = the image's channels at pixel p, min–max scaled to [0, 1] over the whole image
//   2. K' ≈ segments centres on a regular grid (ny × nx cells, S = sqrt(H·W / K')), each moved to the lowest
//      gradient ‖f(y, x+1) − f(y, x−1)‖² + ‖f(y+1, x) − f(y−1, x)‖² in its 3 × 3 neighbourhood
//   3. `iterations` rounds: every pixel within ±S of a centre (rows and columns) joins the centre with the least
//      D = ‖f(p) − f_k‖² + (compactness / S)² ‖p − c_k‖², then each centre moves to the mean of its pixels
//   4. connectivity: every 4-connected component becomes its own label; components of at most H·W / (4 K') pixels
//      join the label of the pixel above or to the left of their first pixel (in raster order)
// Labels are 0 … d − 1 in raster order of first appearance. Deterministic (no randomness).
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace htp::xai {

struct SlicOptions {
  int64_t segments = 100;    // the target number K of superpixels
  double compactness = 0.1;  // weight of the spatial distance against colour differences in [0, 1]
  int iterations = 10;
};

// image [C, H, W] (floating) -> labels int64 [H, W].
Tensor slic(const Tensor& image, const SlicOptions& options = {});

}  // namespace htp::xai
