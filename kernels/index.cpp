// Validation and dispatch for the indexing kernels (semantics in kernels/index.h, loops in kernels/cpu/index.cpp).
#include "kernels/index.h"

#include <algorithm>

#include "kernels/cpu/index.h"
#ifdef HTP_WITH_CUDA
#include "kernels/cuda/index.h"
#endif
#include "kernels/dispatch.h"
#include "tensor/creation.h"

namespace htp::kernels {
namespace {

void check_defined(const Tensor& t, const char* op, const char* name) {
  HTP_CHECK(t.defined(), op, ": ", name, " is undefined");
}

void check_index_dtype(const Tensor& index, const char* op) {
  check_defined(index, op, "index");
  HTP_CHECK(index.dtype() == DType::i64, op, ": the index must be int64, got ", index.describe());
}

// For gather and scatter: same rank (>= 1) as `other`, and index.size(d) <= other.size(d) for every d (but `skip`).
void check_index_fits(const Tensor& index, const Tensor& other, const char* other_name, int64_t skip, const char* op) {
  HTP_CHECK(index.dim() == other.dim(), op, ": the index ", index.describe(), " and the ", other_name, " ",
            other.describe(), " must have the same rank");
  for (int64_t d = 0; d < index.dim(); ++d)
    HTP_CHECK(d == skip || index.size(d) <= other.size(d), op, ": the index ", index.describe(), " is larger than the ",
              other_name, " ", other.describe(), " in dimension ", d);
}

// x's shape with `size` at dim.
Shape with_size(Shape shape, int64_t dim, int64_t size) {
  shape[dim] = size;
  return shape;
}

void check_scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, const char* op) {
  check_defined(self, op, "self");
  check_defined(src, op, "src");
  check_index_dtype(index, op);
  HTP_CHECK(self.dim() >= 1, op, ": expected tensors of rank >= 1, got ", self.describe());
  HTP_CHECK(src.dtype() == self.dtype(), op, ": src ", src.describe(), " and self ", self.describe(),
            " must have the same dtype");
  check_same_device(self, src, op);
  check_same_device(self, index, op);
  check_index_fits(index, src, "src", -1, op);
  check_index_fits(index, self, "self", dim, op);
}

}  // namespace

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  const char* op = "index_select";
  check_defined(x, op, "the input");
  check_index_dtype(index, op);
  HTP_CHECK(index.dim() == 1, op, ": the index must be 1-D, got ", index.describe());
  HTP_CHECK(x.dim() >= 1, op, ": expected an input of rank >= 1, got ", x.describe());
  check_same_device(x, index, op);
  const int64_t d = normalize_dim(dim, x.dim(), op);
  Tensor out = empty(with_size(x.shape(), d, index.numel()), x.dtype(), x.device());
  HTP_DEVICE_CALL(op, x.device(), index_select, x.contiguous(), d, index.contiguous(), out);
  return out;
}

Tensor index_select_backward(const Tensor& grad, const Shape& input_shape, int64_t dim, const Tensor& index) {
  const char* op = "index_select_backward";
  check_defined(grad, op, "the gradient");
  check_index_dtype(index, op);
  const int64_t d = normalize_dim(dim, static_cast<int64_t>(input_shape.size()), op);
  HTP_CHECK(index.dim() == 1 && grad.shape() == with_size(input_shape, d, index.numel()), op, ": the gradient ",
            grad.describe(), " does not match the input shape ", shape_str(input_shape), " and the index ",
            index.describe());
  check_same_device(grad, index, op);
  Tensor out = zeros(input_shape, grad.dtype(), grad.device());
  HTP_DEVICE_CALL(op, grad.device(), index_add_, out, d, index.contiguous(), grad.contiguous());
  return out;
}

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  const char* op = "gather";
  check_defined(x, op, "the input");
  check_index_dtype(index, op);
  HTP_CHECK(x.dim() >= 1, op, ": expected an input of rank >= 1, got ", x.describe());
  check_same_device(x, index, op);
  const int64_t d = normalize_dim(dim, x.dim(), op);
  check_index_fits(index, x, "input", d, op);
  Tensor out = empty(index.shape(), x.dtype(), x.device());
  HTP_DEVICE_CALL(op, x.device(), gather, x, d, index.contiguous(), out);
  return out;
}

Tensor scatter_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  check_scatter(self, dim, index, src, "scatter_add");
  Tensor out = self.clone();
  HTP_DEVICE_CALL("scatter_add", self.device(), scatter_add_, out, normalize_dim(dim, self.dim(), "scatter_add"),
                  index.contiguous(), src);
  return out;
}

Tensor& scatter_add_(Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  check_scatter(self, dim, index, src, "scatter_add_");
  for (int64_t d = 0; d < self.dim(); ++d)
    HTP_CHECK(self.stride(d) != 0 || self.size(d) <= 1, "scatter_add_: self ", self.describe(),
              " is an expanded view (stride 0 in dimension ", d, "); write into a contiguous copy instead");
  HTP_DEVICE_CALL("scatter_add_", self.device(), scatter_add_, self, normalize_dim(dim, self.dim(), "scatter_add_"),
                  index.contiguous(), src);
  self.bump_version();
  return self;
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, double value) {
  const char* op = "masked_fill";
  check_defined(x, op, "the input");
  check_defined(mask, op, "the mask");
  HTP_CHECK(mask.dtype() == DType::boolean, op, ": the mask must be bool, got ", mask.describe());
  check_same_device(x, mask, op);
  HTP_CHECK(broadcast_shapes(x.shape(), mask.shape(), op) == x.shape(), op, ": the mask ", mask.describe(),
            " cannot be broadcast to the input ", x.describe());
  Tensor out = x.clone();
  HTP_DEVICE_CALL(op, x.device(), masked_fill_, out, mask.expand(x.shape()), value);
  return out;
}

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  const char* op = "cat";
  HTP_CHECK(!tensors.empty(), op, ": expected at least one tensor");
  const Tensor& first = tensors[0];
  check_defined(first, op, "tensor 0");
  HTP_CHECK(first.dim() >= 1, op, ": cannot join rank-0 tensors, got ", first.describe(), " (use stack)");
  const int64_t d = normalize_dim(dim, first.dim(), op);
  std::vector<Tensor> inputs;
  inputs.reserve(tensors.size());
  int64_t total = 0;
  for (size_t k = 0; k < tensors.size(); ++k) {
    const Tensor& t = tensors[k];
    HTP_CHECK(t.defined(), op, ": tensor ", k, " is undefined");
    HTP_CHECK(t.dtype() == first.dtype(), op, ": tensor ", k, " is ", t.describe(), " but tensor 0 is ",
              first.describe(), "; all tensors must have the same dtype");
    check_same_device(first, t, op);
    bool match = t.dim() == first.dim();
    for (int64_t i = 0; match && i < t.dim(); ++i) match = i == d || t.size(i) == first.size(i);
    HTP_CHECK(match, op, ": tensor ", k, " has shape ", shape_str(t.shape()), " but tensor 0 has shape ",
              shape_str(first.shape()), "; sizes must match except in dimension ", d);
    total += t.size(d);
    inputs.push_back(t.contiguous());
  }
  Tensor out = empty(with_size(first.shape(), d, total), first.dtype(), first.device());
  HTP_DEVICE_CALL(op, first.device(), cat, inputs, d, out);
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  const char* op = "stack";
  HTP_CHECK(!tensors.empty(), op, ": expected at least one tensor");
  check_defined(tensors[0], op, "tensor 0");
  const int64_t d = normalize_dim(dim, tensors[0].dim() + 1, op);
  std::vector<Tensor> unsqueezed;
  unsqueezed.reserve(tensors.size());
  for (size_t k = 0; k < tensors.size(); ++k) {
    HTP_CHECK(tensors[k].defined() && tensors[k].shape() == tensors[0].shape(), op, ": tensor ", k, " is ",
              tensors[k].describe(), " but tensor 0 is ", tensors[0].describe(), "; all shapes must be equal");
    unsqueezed.push_back(tensors[k].unsqueeze(d));
  }
  return cat(unsqueezed, d);
}

std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim) {
  const char* op = "split";
  check_defined(x, op, "the input");
  const int64_t d = normalize_dim(dim, x.dim(), op);
  const int64_t n = x.size(d);
  HTP_CHECK(split_size > 0 || (split_size == 0 && n == 0), op, ": split_size must be positive, got ", split_size,
            " for dimension ", d, " of ", x.describe());
  if (n == 0) return {x};
  std::vector<Tensor> parts;
  for (int64_t start = 0; start < n; start += split_size)
    parts.push_back(x.narrow(d, start, std::min(split_size, n - start)));
  return parts;
}

std::vector<Tensor> split_with_sizes(const Tensor& x, const std::vector<int64_t>& sizes, int64_t dim) {
  const char* op = "split_with_sizes";
  check_defined(x, op, "the input");
  const int64_t d = normalize_dim(dim, x.dim(), op);
  int64_t total = 0;
  for (int64_t s : sizes) {
    HTP_CHECK(s >= 0, op, ": negative size ", s, " in ", shape_str(sizes));
    total += s;
  }
  HTP_CHECK(total == x.size(d), op, ": sizes ", shape_str(sizes), " sum to ", total, ", but dimension ", d, " of ",
            x.describe(), " has size ", x.size(d));
  std::vector<Tensor> parts;
  int64_t start = 0;
  for (int64_t s : sizes) {
    parts.push_back(x.narrow(d, start, s));
    start += s;
  }
  return parts;
}

Tensor one_hot(const Tensor& labels, int64_t num_classes) {
  const char* op = "one_hot";
  check_defined(labels, op, "labels");
  HTP_CHECK(labels.dtype() == DType::i64, op, ": labels must be int64, got ", labels.describe());
  HTP_CHECK(num_classes >= -1, op, ": num_classes must be -1 (inferred) or >= 0, got ", num_classes);
  if (num_classes == -1) {
    HTP_CHECK(labels.numel() > 0, op, ": cannot infer the number of classes from empty labels ", labels.describe());
    const std::vector<double> values = labels.to_vector();
    num_classes = std::max<int64_t>(static_cast<int64_t>(*std::max_element(values.begin(), values.end())) + 1, 0);
  }
  Shape shape = labels.shape();
  shape.push_back(num_classes);
  Tensor out = empty(shape, DType::i64, labels.device());
  HTP_DEVICE_CALL(op, labels.device(), one_hot, labels.contiguous(), out);
  return out;
}

}  // namespace htp::kernels
