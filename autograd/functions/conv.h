// Differentiable 2-D convolution (forward math and shapes: kernels/conv.h).
//   y = conv2d(x, W) + b:  dx = conv2d_backward_input(dy, W),  dW = conv2d_backward_weight(dy, x),
//                          db = sum of dy over N, OH, OW.
// Conv2dBackward keeps the input, weight, bias and parameters: its own backward needs x and W, and backward rules
// (LRP) read all four.
#pragma once
#include "autograd/node.h"
#include "kernels/conv.h"

namespace htp {

Variable conv2d(const Variable& x, const Variable& weight, const Variable& bias = Variable(),
                const kernels::Conv2dParams& params = {});

struct Conv2dBackward : Node {
  SavedTensor input, weight, bias;  // bias is undefined for a convolution without one
  kernels::Conv2dParams params;
  std::string name() const override { return "Conv2dBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override;
};

}  // namespace htp
