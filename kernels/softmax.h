// Softmax and log-softmax along one dimension, and their backward kernels.
//
//   softmax(x)_i     = exp(x_i - m) / sum_j exp(x_j - m)          m = max_j x_j (numerical stability)
//   log_softmax(x)_i = x_i - m - log(sum_j exp(x_j - m))
// Backward, from the output y and the output gradient g (sums run along `dim`):
//   softmax:     dx = y * (g - sum(g * y))
//   log_softmax: dx = g - exp(y) * sum(g)
// Float32 and float64; any rank >= 1 (a rank-0 tensor is treated as one element); `dim` may be negative.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace htp::kernels {

Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);
Tensor softmax_backward(const Tensor& grad_y, const Tensor& y, int64_t dim);      // y = softmax(x, dim)
Tensor log_softmax_backward(const Tensor& grad_y, const Tensor& y, int64_t dim);  // y = log_softmax(x, dim)

}  // namespace htp::kernels
