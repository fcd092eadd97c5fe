// 2-D pooling over x [N, C, H, W] (float32 / float64), PyTorch semantics.
//
// Window geometry (max and average pooling), per spatial dim with kernel k, stride s, padding p, dilation d:
//   output i reads input positions i s - p + a d, a < k;  out = floor((in + 2 p - d (k - 1) - 1) / s) + 1, or with
//   ceil_mode rounded up unless that last window would start beyond in + p - 1 (PyTorch's rule); need p <= k / 2.
//
//   max_pool2d     y[n,c,i,j] = max of the window's positions inside the image (NaN wins); indices[n,c,i,j] = the
//                  arg max as a flat index y * W + x into the H*W plane (int64).
//                  backward: gx[n, c, indices[n,c,i,j]] += gy[n,c,i,j]
//   avg_pool2d     y = (sum of the window inside the image) / divisor; divisor = divisor_override, else with
//                  count_include_pad the window's area clipped to the padded input [-p, in + p), else the number of
//                  window positions inside the image. backward: gy / divisor added to every position of the window.
//   adaptive_avg_pool2d to [OH, OW]: cell (i, j) averages rows [floor(i H / OH), ceil((i + 1) H / OH)) and the
//                  columns likewise (cells overlap when sizes do not divide); backward spreads gy / cell area.
#pragma once
#include <array>
#include <cstdint>
#include <optional>

#include "tensor/tensor.h"

namespace htp::kernels {

struct MaxPool2dParams {
  std::array<int64_t, 2> kernel{1, 1};
  std::array<int64_t, 2> stride{1, 1};
  std::array<int64_t, 2> padding{0, 0};
  std::array<int64_t, 2> dilation{1, 1};
  bool ceil_mode = false;
};

struct AvgPool2dParams {
  std::array<int64_t, 2> kernel{1, 1};
  std::array<int64_t, 2> stride{1, 1};
  std::array<int64_t, 2> padding{0, 0};
  bool ceil_mode = false;
  bool count_include_pad = true;
  std::optional<int64_t> divisor_override;  // nonzero
};

struct MaxPool2dResult {
  Tensor values;   // [N, C, OH, OW], x's dtype
  Tensor indices;  // [N, C, OH, OW], int64
};

MaxPool2dResult max_pool2d_forward(const Tensor& x, const MaxPool2dParams& params);
// indices: as returned by max_pool2d_forward for an input of input_shape (their values are trusted).
Tensor max_pool2d_backward(const Tensor& grad_out, const Tensor& indices, const Shape& input_shape);

Tensor avg_pool2d_forward(const Tensor& x, const AvgPool2dParams& params);
Tensor avg_pool2d_backward(const Tensor& grad_out, const Shape& input_shape, const AvgPool2dParams& params);

Tensor adaptive_avg_pool2d_forward(const Tensor& x, std::array<int64_t, 2> output_size);
Tensor adaptive_avg_pool2d_backward(const Tensor& grad_out, const Shape& input_shape);

}  // namespace htp::kernels
