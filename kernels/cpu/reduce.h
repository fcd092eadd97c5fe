// CPU reductions (compute only; kernels/reduce.cpp validates and allocates).
//
// `dims` are the reduced dims of x, normalised and unique; x may have any strides. Outputs are contiguous, hold
// the kept dims in order (the keepdim=false shape; the caller views them as it likes) and have the dtype noted.
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace htp::kernels::cpu {

using Dims = std::vector<int64_t>;

void sum(const Tensor& x, const Dims& dims, const Tensor& out);   // out: x's dtype (floating) or int64 (others)
void mean(const Tensor& x, const Dims& dims, const Tensor& out);  // floating x; empty reductions give NaN
// Σ(x - mean)² / (R - correction); NaN where R - correction <= 0. Two passes in double.
void var(const Tensor& x, const Dims& dims, int64_t correction, const Tensor& out);
// (Σ|x|^p)^(1/p) for finite p > 0 (p = 1 and 2 without pow), the count of non-zeros for p = 0.
void norm(const Tensor& x, double p, const Dims& dims, const Tensor& out);
// log Σ exp(x) shifted by the maximum (its infinities replaced by 0, so all -inf gives -inf).
void logsumexp(const Tensor& x, const Dims& dims, const Tensor& out);
// Largest (is_max) or smallest value over the reduced dims and the flat position of its first occurrence
// (NaN counts as extreme). Either output may be undefined when not wanted; every output needs R > 0.
void extreme(const Tensor& x, const Dims& dims, bool is_max, const Tensor& values, const Tensor& indices);
// out[..., indices[...], ...] = grad[...] along `dim` of the zero-filled out; grad and indices have out's shape
// with size 1 at `dim` (the keepdim form).
void scatter_along_dim(const Tensor& grad, const Tensor& indices, int64_t dim, const Tensor& out);

}  // namespace htp::kernels::cpu
