// Differentiable matrix products (forward math: kernels/matmul.h). For Y = A · B with upstream gradient dY:
//   matmul  dA = dY · B^T, dB = A^T · dY, each summed over the batch dims its operand was broadcast along, with the
//           1-D promotions ([K] -> [1, K] for A, [K] -> [K, 1] for B) undone.
//   bmm     the same per batch entry.
//   linear  y = x · W^T + b with x [..., in], W [out, in]:  dx = dy · W,  dW = dy^T · x and db = sum of dy, both over
//           all leading dims of x.
// Nodes keep their operands (LinearBackward also its bias) for the backward and for backward rules (LRP).
#pragma once
#include "autograd/node.h"

namespace htp {

Variable matmul(const Variable& a, const Variable& b);
Variable bmm(const Variable& a, const Variable& b);
Variable linear(const Variable& x, const Variable& weight, const Variable& bias = Variable());

struct MatmulBackward : Node {
  SavedTensor a, b;
  std::string name() const override { return "MatmulBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override;
};

struct BmmBackward : Node {
  SavedTensor a, b;
  std::string name() const override { return "BmmBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override;
};

struct LinearBackward : Node {
  SavedTensor input, weight, bias;  // bias is undefined for a linear map without one
  std::string name() const override { return "LinearBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override;
};

}  // namespace htp
