// CUDA twins of kernels/cpu/reduce.h: same names, signatures and semantics (see that header and reduce.cu), x on a
// CUDA device with any strides, outputs contiguous on the same device.
#pragma once
#include <cstdint>
#include <vector>

#include "kernels/cpu/reduce.h"
#include "tensor/tensor.h"

namespace htp::kernels::cuda {

using cpu::Dims;

void sum(const Tensor& x, const Dims& dims, const Tensor& out);
void mean(const Tensor& x, const Dims& dims, const Tensor& out);
void var(const Tensor& x, const Dims& dims, int64_t correction, const Tensor& out);
void norm(const Tensor& x, double p, const Dims& dims, const Tensor& out);
void logsumexp(const Tensor& x, const Dims& dims, const Tensor& out);
void extreme(const Tensor& x, const Dims& dims, bool is_max, const Tensor& values, const Tensor& indices);
void scatter_along_dim(const Tensor& grad, const Tensor& indices, int64_t dim, const Tensor& out);

}  // namespace htp::kernels::cuda
