// Differentiable indexing and joining (semantics in kernels/index.h). Index tensors and masks are constants.
// Backward formulas, with g the output gradient:
//   index_select  dx = index_select_backward(g): zeros, with g's slices added at the selected positions
//   gather        dx = scatter_add(zeros(x.shape), dim, index, g)
//   scatter_add   dself = g;  dsrc = gather(g, dim, index), zero outside the index-shaped corner of src
//   masked_fill   dx = masked_fill(g, mask, 0)
//   cat / split   the gradient is split / concatenated back along dim;  stack: dx_k = g.select(dim, k)
#pragma once
#include <cstdint>
#include <vector>

#include "autograd/node.h"

namespace htp {

Variable index_select(const Variable& x, int64_t dim, const Tensor& index);
Variable gather(const Variable& x, int64_t dim, const Tensor& index);
Variable scatter_add(const Variable& self, int64_t dim, const Tensor& index, const Variable& src);
Variable masked_fill(const Variable& x, const Tensor& mask, double value);
Variable cat(const variable_list& xs, int64_t dim);
Variable stack(const variable_list& xs, int64_t dim);
variable_list split(const Variable& x, int64_t split_size, int64_t dim);  // views, one node for all parts
variable_list split_with_sizes(const Variable& x, const std::vector<int64_t>& sizes, int64_t dim);
Variable one_hot(const Variable& labels, int64_t num_classes = -1);  // not differentiable: a constant result

struct IndexSelectBackward : Node {
  SavedTensor index;
  Shape input_shape;
  int64_t dim = 0;  // normalised
  std::string name() const override { return "IndexSelectBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { index.reset(); }
};

struct GatherBackward : Node {
  SavedTensor index;
  Shape input_shape;
  int64_t dim = 0;
  std::string name() const override { return "GatherBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { index.reset(); }
};

// Inputs: self, src.
struct ScatterAddBackward : Node {
  SavedTensor index;
  Shape src_shape;
  int64_t dim = 0;
  std::string name() const override { return "ScatterAddBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { index.reset(); }
};

struct MaskedFillBackward : Node {
  SavedTensor mask;
  std::string name() const override { return "MaskedFillBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { mask.reset(); }
};

struct CatBackward : Node {
  std::vector<int64_t> sizes;  // each input's size along dim
  int64_t dim = 0;
  std::string name() const override { return "CatBackward"; }
  tensor_list apply(tensor_list&& g) override;
};

struct StackBackward : Node {
  int64_t dim = 0;  // the inserted dim, normalised
  std::string name() const override { return "StackBackward"; }
  tensor_list apply(tensor_list&& g) override;
};

// One output per part; parts that received no gradient arrive as zeros.
struct SplitBackward : Node {
  int64_t dim = 0;
  std::string name() const override { return "SplitBackward"; }
  tensor_list apply(tensor_list&& g) override;
};

}  // namespace htp
