// Differentiable 2-D pooling (forward math and shapes: kernels/pool.h).
//   max_pool2d           dx[n, c, idx] += dy at each window's arg max (the indices stay in the node)
//   avg_pool2d           dy / divisor spread over each window
//   adaptive_avg_pool2d  dy / cell area spread over each cell
#pragma once
#include <array>

#include "autograd/node.h"
#include "kernels/pool.h"

namespace htp {

Variable max_pool2d(const Variable& x, const kernels::MaxPool2dParams& params);
Variable avg_pool2d(const Variable& x, const kernels::AvgPool2dParams& params);
Variable adaptive_avg_pool2d(const Variable& x, std::array<int64_t, 2> output_size);

struct MaxPool2dBackward : Node {
  SavedTensor indices;  // int64 [N, C, OH, OW], flat positions in the H*W plane
  Shape input_shape;
  kernels::MaxPool2dParams params;
  std::string name() const override { return "MaxPool2dBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { indices.reset(); }
};

struct AvgPool2dBackward : Node {
  Shape input_shape;
  kernels::AvgPool2dParams params;
  SavedTensor input;  // not needed by the gradient: kept for backward rules (LRP's Norm rule reads the pooled input)
  std::string name() const override { return "AvgPool2dBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { input.reset(); }
};

struct AdaptiveAvgPool2dBackward : Node {
  Shape input_shape;
  std::array<int64_t, 2> output_size{1, 1};
  SavedTensor input;  // kept for backward rules only, as in AvgPool2dBackward
  std::string name() const override { return "AdaptiveAvgPool2dBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { input.reset(); }
};

}  // namespace htp
