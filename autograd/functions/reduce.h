// Differentiable reductions (forward math in kernels/reduce.h). `dims` may be negative; empty reduces every dim.
//
// Backward, with g the incoming gradient brought back to x's rank (size 1 at the reduced dims) and broadcast:
//   sum: g                            mean: g / R                    sum_to: g broadcast to x's shape
//   var: g · 2 (x - mean) / (R - c)   (c = 1 when unbiased)         logsumexp: g · exp(x - y)
//   max/min along a dim: g to the returned index only               amax/amin: g split evenly among the ties
//   norm: p = 2: g · x / y; p = 1: g · sign(x); p = inf: like amax of |x|, times sign(x);
//         other p: g · sign(x) |x|^(p-1) / y^(p-1); p = 0: 0. Where y = 0 the gradient is 0.
// argmax/argmin and the indices of max/min are plain tensors.
#pragma once
#include <cstdint>
#include <vector>

#include "autograd/node.h"

namespace htp {

struct IndexedValues {
  Variable values;
  Tensor indices;  // int64
};

Variable sum(const Variable& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Variable mean(const Variable& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
IndexedValues max(const Variable& x, int64_t dim, bool keepdim = false);
IndexedValues min(const Variable& x, int64_t dim, bool keepdim = false);
Variable amax(const Variable& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Variable amin(const Variable& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Tensor argmax(const Variable& x, int64_t dim, bool keepdim = false);
Tensor argmin(const Variable& x, int64_t dim, bool keepdim = false);
Variable var(const Variable& x, const std::vector<int64_t>& dims = {}, bool unbiased = true, bool keepdim = false);
Variable norm(const Variable& x, double p = 2.0, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Variable logsumexp(const Variable& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
// Sums x down to `shape`, which must broadcast to x's shape; x itself when the shapes are equal.
Variable sum_to(const Variable& x, const Shape& shape);

// What every reduction node records about its forward call.
struct ReductionInfo {
  Shape input_shape;
  std::vector<int64_t> dims;  // normalised, sorted
  bool keepdim = false;
};

struct SumBackward : Node {
  ReductionInfo info;
  std::string name() const override { return "SumBackward"; }
  tensor_list apply(tensor_list&& g) override;
};

struct MeanBackward : Node {
  ReductionInfo info;
  std::string name() const override { return "MeanBackward"; }
  tensor_list apply(tensor_list&& g) override;
};

// max/min along one dim (is_max picks the name).
struct MaxBackward : Node {
  SavedTensor indices;  // int64, the shape of the values
  ReductionInfo info;   // dims holds the one reduced dim
  bool is_max = true;
  std::string name() const override { return is_max ? "MaxBackward" : "MinBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { indices.reset(); }
};

struct AmaxBackward : Node {
  SavedTensor x, result;
  ReductionInfo info;
  bool is_max = true;
  std::string name() const override { return is_max ? "AmaxBackward" : "AminBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { x.reset(); result.reset(); }
};

struct VarBackward : Node {
  SavedTensor x;
  ReductionInfo info;
  bool unbiased = true;
  std::string name() const override { return "VarBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { x.reset(); }
};

struct NormBackward : Node {
  SavedTensor x, result;
  ReductionInfo info;
  double p = 2.0;
  std::string name() const override { return "NormBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { x.reset(); result.reset(); }
};

struct LogsumexpBackward : Node {
  SavedTensor x, result;
  ReductionInfo info;
  std::string name() const override { return "LogsumexpBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { x.reset(); result.reset(); }
};

struct SumToBackward : Node {
  Shape input_shape;
  std::string name() const override { return "SumToBackward"; }
  tensor_list apply(tensor_list&& g) override;
};

}  // namespace htp
