// Post-processing of attribution maps before scoring, as in how-to-probe's evaluation scripts (paper spec §3, §4.1,
// §4.2; xai-methods spec §E, evaluate_attributions/gridpg/eval_gridpg_compactness_complexity.py `get_pg_val`).
//
//   channel_sum      [C, H, W] -> [H, W] (or [N, C, H, W] -> [N, H, W]): M[h, w] = sum_c A[c, h, w], signed
//   positive_part    max(M, 0) elementwise (the reference's `map[map < 0] = 0`; NaN stays NaN)
//   mean_smooth      F.avg_pool2d(M, k, stride 1, padding k / 2) with the zero padding counted in the divisor
//                    (count_include_pad = True): every output is the window sum / k²; default k = 5
//   gaussian_smooth  torchvision GaussianBlur(k, sigma): the separable kernel g[i] = exp(-½ (x_i / sigma)²) / sum,
//                    x_i = i - (k - 1) / 2 for i < k, applied with reflect padding (index -i reads i, index n - 1 + i
//                    reads n - 1 - i; needs k / 2 < H and k / 2 < W); default k = 129, sigma = k / 4 = 32.25
//
// Maps are [H, W] or a batch [N, H, W], float32 or float64; results keep the map's dtype and device (the Gaussian
// is computed on the CPU in double and moved back).
//
// Which smoothing a score uses (spec §4.1, §4.2, §4.3, §8 item 8):
//   GridPG, EPG   mean_5x5 for every method except IxG (and IntGrad in EPG): gaussian_129
//   entropy       mean_5x5 for every method
//   Gini          none (the raw map)
// then the positive part of the smoothed map: score_map(map, s) = positive_part(smooth(map, s)).
//
// gaussian_129 is sized for the reference's 448 px 2×2 grids (and needs maps larger than 64 px). For smaller images
// (the 56 px Fashion-MNIST grids of htp demo) gaussian_scaled keeps the kernel's size relative to the image: for a
// map of shorter side S, k = gaussian_kernel_for_side(S) = the largest odd integer <= 129 · S / 448 (at least 3) and
// sigma = k / 4, so a 448 px map gets exactly gaussian_129 and a 56 px one k = 15, sigma = 3.75.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace htp::metrics {

enum class Smoothing {
  mean_5x5,         // mean_smooth(map, 5)
  gaussian_129,     // gaussian_smooth(map, 129, 32.25)
  gaussian_scaled,  // gaussian_smooth(map, k, k / 4) with k = gaussian_kernel_for_side(min(H, W))
};

Tensor channel_sum(const Tensor& attribution);
Tensor positive_part(const Tensor& map);
Tensor mean_smooth(const Tensor& map, int64_t kernel = 5);                                    // kernel odd, >= 1
Tensor gaussian_smooth(const Tensor& map, int64_t kernel = 129, double sigma = 129.0 / 4.0);  // kernel odd, sigma > 0
int64_t gaussian_kernel_for_side(int64_t side);  // side >= 1; see gaussian_scaled above
Tensor smooth(const Tensor& map, Smoothing smoothing);
Tensor score_map(const Tensor& map, Smoothing smoothing);

}  // namespace htp::metrics
