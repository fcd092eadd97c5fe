// Convolution and linear map with unit-norm weights, bias-free (B-cos-v2 bcos/modules/bcosconv2d.py NormedConv2d,
// bcoslinear.py NormedLinear; xai-methods.md A.1 step 1, A.2).
//
//   ŵ_j = v_j / ‖v_j‖₂  per output filter (over C_in/groups × kh × kw) resp. per row, no epsilon,
//   recomputed at every forward so that gradients flow through the normalisation.
//   NormedConv2d: y = conv2d(x, ŵ)   x [N, C_in, H, W], weight [C_out, C_in/groups, k, k]
//   NormedLinear: y = x · ŵᵀ         x [..., in],       weight [out, in]
// Init as PyTorch's Conv2d/Linear default: U(−1/sqrt(fan_in), 1/sqrt(fan_in)) (the scale is irrelevant to the
// output, which is invariant to scaling each filter).
#pragma once
#include "kernels/conv.h"
#include "nn/module.h"

namespace htp::nn {

class NormedConv2d : public Module {
 public:
  NormedConv2d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, int64_t stride = 1, int64_t padding = 0,
               int64_t dilation = 1, int64_t groups = 1);
  std::string type_name() const override { return "NormedConv2d"; }
  Variable forward(const Variable& x) override;
  Variable normalized_weight() const;  // ŵ, differentiable w.r.t. weight

  const int64_t in_channels, out_channels, kernel_size;
  const kernels::Conv2dParams params;
  Variable weight;
};

class NormedLinear : public Module {
 public:
  NormedLinear(int64_t in_features, int64_t out_features);
  std::string type_name() const override { return "NormedLinear"; }
  Variable forward(const Variable& x) override;
  Variable normalized_weight() const;

  const int64_t in_features, out_features;
  Variable weight;
};

}  // namespace htp::nn
