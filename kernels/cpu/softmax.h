// CPU softmax kernels (math in kernels/softmax.h). Arguments are validated by kernels/softmax.cpp: all tensors are
// contiguous, of one float dtype and one shape, and `dim` is in [0, rank) (rank-0 tensors are never passed).
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace htp::kernels::cpu {

void softmax(const Tensor& x, int64_t dim, const Tensor& y);
void log_softmax(const Tensor& x, int64_t dim, const Tensor& y);
void softmax_backward(const Tensor& grad_y, const Tensor& y, int64_t dim, const Tensor& grad_x);
void log_softmax_backward(const Tensor& grad_y, const Tensor& y, int64_t dim, const Tensor& grad_x);

}  // namespace htp::kernels::cpu
