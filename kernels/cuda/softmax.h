// CUDA twins of kernels/cpu/softmax.h: same names, signatures and semantics (math in kernels/softmax.h), contiguous
// tensors of one float dtype and shape on one CUDA device, `dim` in [0, rank).
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace htp::kernels::cuda {

void softmax(const Tensor& x, int64_t dim, const Tensor& y);
void log_softmax(const Tensor& x, int64_t dim, const Tensor& y);
void softmax_backward(const Tensor& grad_y, const Tensor& y, int64_t dim, const Tensor& grad_x);
void log_softmax_backward(const Tensor& grad_y, const Tensor& y, int64_t dim, const Tensor& grad_x);

}  // namespace htp::kernels::cuda
