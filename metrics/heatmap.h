// Heatmap images of attribution maps, as the reference scripts save them (zennit 0.5.1 `imsave`, paper spec §3.1
// "Visualisation only"). Images are uint8 [3, H, W] (RGB planes, as data/ decodes them).
//
//   colorize(A, diverging)   symmetric normalisation t = (A + m) / (2 m), m = max|A| + 1e-12 (0 -> 0.5), then
//                            zennit's 'bwr' palette: blue 0000ff at index 0, white ffffff at 128, red ff0000 at 255
//   colorize(A, sequential)  t = A⁺ / (max A⁺ + 1e-12) (the mass the metrics score), then zennit's 'hot' palette:
//                            black 000000, red ff0000, yellow ffff00, white ffffff at indices 0, 85, 170, 255
// Pixel value t ∈ [0, 1] selects palette index i = floor(clip(255 t, 0, 255)) (NaN: 0); palette entry i is the linear
// interpolation between the nodes around i, each channel floored to uint8 (zennit's ColorMap.palette at level 1).
//
//   overlay(image, heat, α)  round((1 - α) · image + α · heat) per channel; image uint8 [3, H, W], or floating
//                            [3, H, W] in [0, 1] (scaled by 255 and clipped); α ∈ [0, 1]
#pragma once
#include <array>
#include <cstdint>

#include "tensor/tensor.h"

namespace htp::metrics {

enum class Colormap {
  diverging,   // signed maps: zennit/matplotlib 'bwr'
  sequential,  // positive mass: zennit 'hot'
};

std::array<uint8_t, 3> palette_color(Colormap colormap, int index);     // index in [0, 255]
Tensor colorize(const Tensor& map, Colormap colormap);                  // map [H, W] -> uint8 [3, H, W]
Tensor overlay(const Tensor& image, const Tensor& heat, double alpha);  // -> uint8 [3, H, W]

}  // namespace htp::metrics
