#include "autograd/functions/views.h"

#include <algorithm>

#include "kernels/reduce.h"
#include "tensor/creation.h"

namespace htp {

tensor_list ReshapeBackward::apply(tensor_list&& g) { return {g[0].reshape(input_shape)}; }

tensor_list PermuteBackward::apply(tensor_list&& g) {
  std::vector<int64_t> inverse(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) inverse[static_cast<size_t>(dims[i])] = static_cast<int64_t>(i);
  return {g[0].permute(inverse)};
}

tensor_list SliceBackward::apply(tensor_list&& g) {
  Tensor gi = zeros(input_shape, g[0].dtype(), g[0].device());
  Tensor region = gi.slice(dim, start, end, step);
  region.copy_(squeezed ? g[0].unsqueeze(dim) : g[0]);
  return {gi};
}

tensor_list ExpandBackward::apply(tensor_list&& g) { return {kernels::sum_to(g[0], input_shape)}; }

tensor_list CopyBackward::apply(tensor_list&& g) { return {g[0].to(input_dtype)}; }

namespace {
Variable reshaped(const Variable& x, Tensor out) {
  return record<ReshapeBackward>({x}, out, [&](ReshapeBackward& n) { n.input_shape = x.shape(); });
}
}  // namespace

Variable view(const Variable& x, const Shape& shape) { return reshaped(x, x.data().view(shape)); }
Variable reshape(const Variable& x, const Shape& shape) { return reshaped(x, x.data().reshape(shape)); }
Variable flatten(const Variable& x, int64_t start_dim, int64_t end_dim) {
  return reshaped(x, x.data().flatten(start_dim, end_dim));
}
Variable squeeze(const Variable& x) { return reshaped(x, x.data().squeeze()); }
Variable squeeze(const Variable& x, int64_t dim) { return reshaped(x, x.data().squeeze(dim)); }
Variable unsqueeze(const Variable& x, int64_t dim) { return reshaped(x, x.data().unsqueeze(dim)); }

Variable permute(const Variable& x, const std::vector<int64_t>& dims) {
  Tensor out = x.data().permute(dims);
  return record<PermuteBackward>({x}, out, [&](PermuteBackward& n) {
    n.dims.resize(dims.size());
    for (size_t i = 0; i < dims.size(); ++i) n.dims[i] = normalize_dim(dims[i], x.dim(), "permute");
  });
}

Variable transpose(const Variable& x, int64_t d0, int64_t d1) {
  std::vector<int64_t> dims(static_cast<size_t>(x.dim()));
  for (size_t i = 0; i < dims.size(); ++i) dims[i] = static_cast<int64_t>(i);
  std::swap(dims[static_cast<size_t>(normalize_dim(d0, x.dim(), "transpose"))],
            dims[static_cast<size_t>(normalize_dim(d1, x.dim(), "transpose"))]);
  return permute(x, dims);
}

Variable t(const Variable& x) {
  HTP_CHECK(x.dim() == 2, "t(): expected a matrix, got ", x.describe());
  return transpose(x, 0, 1);
}

Variable slice(const Variable& x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  Tensor out = x.data().slice(dim, start, end, step);
  return record<SliceBackward>({x}, out, [&](SliceBackward& n) {
    n.input_shape = x.shape();
    n.dim = normalize_dim(dim, x.dim(), "slice");
    const int64_t size = x.size(n.dim);  // the same bound clamping as Tensor::slice
    n.start = std::clamp<int64_t>(start < 0 ? start + size : start, 0, size);
    n.end = std::clamp<int64_t>(end < 0 ? end + size : end, n.start, size);
    n.step = step;
  });
}

Variable narrow(const Variable& x, int64_t dim, int64_t start, int64_t length) {
  const int64_t d = normalize_dim(dim, x.dim(), "narrow");
  if (start < 0) start += x.size(d);
  x.data().narrow(d, start, length);  // validates the bounds with narrow's error message
  return slice(x, d, start, start + length);
}

Variable select(const Variable& x, int64_t dim, int64_t index) {
  Tensor out = x.data().select(dim, index);
  return record<SliceBackward>({x}, out, [&](SliceBackward& n) {
    n.input_shape = x.shape();
    n.dim = normalize_dim(dim, x.dim(), "select");
    n.start = index < 0 ? index + x.size(n.dim) : index;
    n.end = n.start + 1;
    n.squeezed = true;
  });
}

Variable expand(const Variable& x, const Shape& shape) {
  Tensor out = x.data().expand(shape);
  return record<ExpandBackward>({x}, out, [&](ExpandBackward& n) { n.input_shape = x.shape(); });
}

namespace {
Variable copied(const Variable& x, Tensor out) {
  return record<CopyBackward>({x}, out, [&](CopyBackward& n) { n.input_dtype = x.dtype(); });
}
}  // namespace

Variable contiguous(const Variable& x) { return x.data().is_contiguous() ? x : copied(x, x.data().contiguous()); }
Variable clone(const Variable& x) { return copied(x, x.data().clone()); }
Variable to_dtype(const Variable& x, DType dtype) {
  if (dtype == x.dtype()) return x;
  HTP_CHECK(!x.requires_grad() || is_floating(dtype), "to_dtype: converting ", x.describe(), " to ", dtype_name(dtype),
            " would cut the gradient; detach() first");
  return copied(x, x.data().to(dtype));
}

}  // namespace htp
