// Bilinear resampling of x [N, C, H, W] to [N, C, OH, OW] (float32 / float64): PyTorch's
// F.interpolate(x, size=(OH, OW), mode="bilinear", align_corners=...).
//
// Source coordinate of output row i (columns likewise):
//   align_corners = true:   src = i (H - 1) / (OH - 1)          (0 when OH == 1)
//   align_corners = false:  src = max(0, (i + 0.5) H / OH - 0.5)
// y0 = floor(src), y1 = min(y0 + 1, H - 1), wy = src - y0, and
//   y[i, j] = (1 - wy) ((1 - wx) x[y0, x0] + wx x[y0, x1]) + wy ((1 - wx) x[y1, x0] + wx x[y1, x1]).
// Backward (the adjoint): gy[i, j] is added to the same four input pixels with the same weights.
#pragma once
#include <array>
#include <cstdint>

#include "tensor/tensor.h"

namespace htp::kernels {

Tensor interpolate_bilinear_forward(const Tensor& x, std::array<int64_t, 2> size, bool align_corners);
Tensor interpolate_bilinear_backward(const Tensor& grad_out, const Shape& input_shape, bool align_corners);

}  // namespace htp::kernels
