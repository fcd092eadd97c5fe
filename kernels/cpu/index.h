// CPU indexing kernels (semantics in kernels/index.h). kernels/index.cpp validates shapes and dtypes, normalises
// `dim`, allocates the outputs and passes: index tensors int64 and contiguous; self/out tensors as documented per
// function. The kernels check the index values (an out-of-range index throws htp::Error before anything is written).
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace htp::kernels::cpu {

// x and out contiguous, index 1-D.
void index_select(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& out);
// self[p[dim <- index[p[dim]]]] += src[p]; self and src contiguous, index 1-D of length src.size(dim).
void index_add_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);
// out contiguous of index's shape; x any strides.
void gather(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& out);
// self any strides without overlap, src any strides (only the index-shaped corner is read).
void scatter_add_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);
// self any strides without overlap; mask bool, already expanded to self's shape.
void masked_fill_(const Tensor& self, const Tensor& mask, double value);
// inputs contiguous, of out's dtype and rank, matching out except at dim; out contiguous.
void cat(const std::vector<Tensor>& inputs, int64_t dim, const Tensor& out);
// labels int64 contiguous; out int64 contiguous of shape labels.shape + [C], written in full.
void one_hot(const Tensor& labels, const Tensor& out);

}  // namespace htp::kernels::cpu
