// Differentiable views and copies. Views share storage with their input (see Tensor); their backward maps the
// gradient back to the input's shape: reshape back, inverse permutation, zero-padding for slices, a sum for expand.
#pragma once
#include <vector>

#include "autograd/node.h"

namespace htp {

Variable view(const Variable& x, const Shape& shape);
Variable reshape(const Variable& x, const Shape& shape);
Variable flatten(const Variable& x, int64_t start_dim = 0, int64_t end_dim = -1);
Variable squeeze(const Variable& x);
Variable squeeze(const Variable& x, int64_t dim);
Variable unsqueeze(const Variable& x, int64_t dim);
Variable permute(const Variable& x, const std::vector<int64_t>& dims);
Variable transpose(const Variable& x, int64_t d0, int64_t d1);
Variable t(const Variable& x);
Variable narrow(const Variable& x, int64_t dim, int64_t start, int64_t length);
Variable slice(const Variable& x, int64_t dim, int64_t start, int64_t end, int64_t step = 1);
Variable select(const Variable& x, int64_t dim, int64_t index);
Variable expand(const Variable& x, const Shape& shape);
Variable contiguous(const Variable& x);
Variable clone(const Variable& x);
Variable to_dtype(const Variable& x, DType dtype);

// Gradient of any reshaping view (reshape, view, flatten, squeeze, unsqueeze): reshape back.
struct ReshapeBackward : Node {
  Shape input_shape;
  std::string name() const override { return "ReshapeBackward"; }
  tensor_list apply(tensor_list&& g) override;
};

struct PermuteBackward : Node {
  std::vector<int64_t> dims;  // the forward permutation
  std::string name() const override { return "PermuteBackward"; }
  tensor_list apply(tensor_list&& g) override;
};

// narrow/slice/select: the gradient is zero outside the selected region.
struct SliceBackward : Node {
  Shape input_shape;
  int64_t dim = 0, start = 0, end = 0, step = 1;
  bool squeezed = false;  // select: the dim was removed
  std::string name() const override { return "SliceBackward"; }
  tensor_list apply(tensor_list&& g) override;
};

struct ExpandBackward : Node {
  Shape input_shape;
  std::string name() const override { return "ExpandBackward"; }
  tensor_list apply(tensor_list&& g) override;
};

// contiguous, clone and dtype conversion: the gradient passes through (converted back to the input's dtype).
struct CopyBackward : Node {
  DType input_dtype = DType::f32;
  std::string name() const override { return "CopyBackward"; }
  tensor_list apply(tensor_list&& g) override;
};

}  // namespace htp
