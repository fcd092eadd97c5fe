// Differentiable batch norm and layer norm (math, shapes and backward formulas in kernels/norm.h).
// weight and bias may be undefined Variables (no affine transform). The nodes keep the forward's statistics and
// parameters as public fields: LRP rules fold a batch norm into the preceding convolution with them.
#pragma once
#include "autograd/node.h"

namespace htp {

// x: [N, C] or [N, C, *]. In training, normalises with the batch statistics and updates running_mean/running_var
// in place (when defined); in eval, normalises with the running statistics (then required).
Variable batch_norm(const Variable& x, const Variable& weight, const Variable& bias, Tensor running_mean,
                    Tensor running_var, bool training, double momentum = 0.1, double eps = 1e-5);
// Normalises over the last len(normalized_shape) dims of x, which must equal normalized_shape.
Variable layer_norm(const Variable& x, const Shape& normalized_shape, const Variable& weight, const Variable& bias,
                    double eps = 1e-5);

// Inputs: x, weight, bias. y = (x - save_mean) * save_invstd * weight + bias per channel.
struct BatchNormBackward : Node {
  SavedTensor x;
  SavedTensor weight, bias;            // undefined when not affine; bias is kept for rules only
  SavedTensor save_mean, save_invstd;  // [C]: batch statistics in training, running statistics in eval
  bool training = true;
  double eps = 1e-5;
  std::string name() const override { return "BatchNormBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override;
};

// Inputs: x, weight, bias. y = (x - mean) * rstd * weight + bias per row.
struct LayerNormBackward : Node {
  SavedTensor x;
  SavedTensor weight, bias;  // undefined when not affine; bias is kept for rules only
  SavedTensor mean, rstd;    // x.shape[:-K] + [1] * K
  Shape normalized_shape;
  double eps = 1e-5;
  std::string name() const override { return "LayerNormBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override;
};

}  // namespace htp
