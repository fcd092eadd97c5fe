// Reductions over any set of dims (htp::kernels).
//
// `dims` may be negative and in any order; an empty list reduces every dim. keepdim keeps reduced dims as size 1.
// Floating reductions accumulate in double, so float32 results are accurate and bitwise independent of the
// thread count. Indices are int64 positions along the reduced dim (the first occurrence on ties; NaN counts as the
// extreme value).
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace htp::kernels {

struct ValuesIndices {
  Tensor values;
  Tensor indices;  // int64
};

Tensor sum(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);  // integers → int64
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);  // floating x
ValuesIndices max(const Tensor& x, int64_t dim, bool keepdim = false);
ValuesIndices min(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor amax(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Tensor amin(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor argmin(const Tensor& x, int64_t dim, bool keepdim = false);
// Variance with Bessel's correction (divide by R - 1) when unbiased, else by R.
Tensor var(const Tensor& x, const std::vector<int64_t>& dims = {}, bool unbiased = true, bool keepdim = false);
// p-norm for p >= 0: p = 2 (Euclidean), 1, 0 (count of non-zeros), any finite p, and p = +inf (max |x|).
Tensor norm(const Tensor& x, double p = 2.0, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Tensor logsumexp(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);

// Sums t down to `shape`, which must broadcast to t's shape (the backward of broadcasting). Returns t itself when
// the shapes are equal.
Tensor sum_to(const Tensor& t, const Shape& shape);

// Backward of max/min along `dim`: zeros of input_shape with grad placed at indices (values/indices as returned
// by max(x, dim, keepdim)).
Tensor max_backward(const Tensor& grad, const Tensor& indices, const Shape& input_shape, int64_t dim, bool keepdim);

// Dims (possibly negative, empty = all) normalised for a tensor of rank `rank`, sorted; duplicates are an error
// naming `op`.
std::vector<int64_t> normalize_dims(const std::vector<int64_t>& dims, int64_t rank, const char* op);
// The shape of a reduction of `shape` over normalised `dims`.
Shape reduced_shape(const Shape& shape, const std::vector<int64_t>& dims, bool keepdim);

}  // namespace htp::kernels
