// Indexing, gathering and joining kernels. Index tensors are int64 and bounds-checked (an index outside
// [0, size) is an error naming it, the dim and the dim's size). Tensors of any dtype unless noted; `dim` may be
// negative. Writing p for a position (multi-index) and p[dim <- i] for p with its dim-th coordinate replaced by i:
//
//   index_select(x, dim, index)         index 1-D of length k; out has x's shape with size k at dim:
//                                       out[p] = x[p[dim <- index[p[dim]]]]
//   index_select_backward(g, shape, dim, index)   the adjoint: zeros(shape), then dx[p[dim <- index[p[dim]]]] += g[p]
//   gather(x, dim, index)               index of x's rank with index.size(d) <= x.size(d) for d != dim; out has
//                                       index's shape: out[p] = x[p[dim <- index[p]]]
//   scatter_add(self, dim, index, src)  self + the scattered src: out = self, then out[p[dim <- index[p]]] += src[p]
//                                       for every p in index's shape; index.size(d) <= src.size(d) for all d and
//                                       <= self.size(d) for d != dim. Duplicate indices accumulate.
//   masked_fill(x, mask, value)         x with `value` where the bool mask (broadcastable to x's shape) is true
//   cat(tensors, dim)                   joins along an existing dim; shapes must match except at dim
//   stack(tensors, dim)                 joins equal shapes along a new dim inserted at dim (in [-rank-1, rank])
//   split(x, size, dim)                 views of `size` along dim (the last may be smaller)
//   split_with_sizes(x, sizes, dim)     views of the given sizes, which must sum to x.size(dim)
//   one_hot(labels, num_classes)        int64 labels.shape + [num_classes] with a 1 at each label (like PyTorch);
//                                       num_classes = -1 takes max(labels) + 1
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace htp::kernels {

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
Tensor index_select_backward(const Tensor& grad, const Shape& input_shape, int64_t dim, const Tensor& index);
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
Tensor scatter_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);
Tensor& scatter_add_(Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);  // in place; bumps the version
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value);
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim);
std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim);
std::vector<Tensor> split_with_sizes(const Tensor& x, const std::vector<int64_t>& sizes, int64_t dim);
Tensor one_hot(const Tensor& labels, int64_t num_classes = -1);

}  // namespace htp::kernels
