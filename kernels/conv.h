// 2-D convolution (cross-correlation, as in PyTorch), float32 / float64, NCHW.
//
//   x [N, C, H, W], weight [O, C/groups, kh, kw], bias [O] (optional)  ->  y [N, O, OH, OW]
//   OH = (H + 2 pad_h - dil_h (kh - 1) - 1) / stride_h + 1   (likewise OW)
//   y[n, o, i, j] = bias[o] + sum over c in group(o), a < kh, b < kw of
//                   x[n, c, i s_h - p_h + a d_h, j s_w - p_w + b d_w] * w[o, c - g C/groups, a, b]
// (x is zero outside the image). Output channel o belongs to group g = o / (O/groups), which reads input channels
// [g C/groups, (g+1) C/groups).
//
// Backward, for dL/dy = gy [N, O, OH, OW]:
//   dL/dx = conv2d_backward_input(gy, weight, x.shape)   (the transposed convolution of gy with weight)
//   dL/dw = conv2d_backward_weight(gy, x, weight.shape)  (the correlation of x with gy, summed over the batch)
//   dL/db = conv2d_backward_bias(gy)                     (gy summed over N, OH, OW)
#pragma once
#include <array>
#include <cstdint>

#include "tensor/tensor.h"

namespace htp::kernels {

struct Conv2dParams {
  std::array<int64_t, 2> stride{1, 1};    // >= 1
  std::array<int64_t, 2> padding{0, 0};   // >= 0, zeros on both sides
  std::array<int64_t, 2> dilation{1, 1};  // >= 1
  int64_t groups = 1;                     // divides C and O
};

// [N, O, OH, OW] for these operand shapes; throws (naming the shapes) on any inconsistency.
Shape conv2d_output_shape(const Shape& input, const Shape& weight, const Conv2dParams& params);

Tensor conv2d_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dParams& params);
Tensor conv2d_backward_input(const Tensor& grad_out, const Tensor& weight, const Shape& input_shape,
                             const Conv2dParams& params);
Tensor conv2d_backward_weight(const Tensor& grad_out, const Tensor& x, const Shape& weight_shape,
                              const Conv2dParams& params);
Tensor conv2d_backward_bias(const Tensor& grad_out);  // [O]

}  // namespace htp::kernels
