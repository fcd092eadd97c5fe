// Centred normalisations whose variance is detached in explanation mode (xai-methods.md A.4, A.6; B-cos-v2
// bcos/modules/norms/centered_norms.py). Biased (/n) statistics, ε = 1e-5.
//
//   DetachableLayerNorm(shape):  over the last len(shape) dims of x:   y = (x − μ)/sqrt(var + ε) · γ (+ β)
//                                γ, β of `shape`. Used by the B-cos ViT (NoBias: bias = false).
//   DetachableGroupNorm2d(G, C): x [N, C, H, W], per sample and group over (C/G, H, W):
//                                y = (x − μ)/sqrt(var + ε), then per-channel γ (+ β). G = 1 is B-cos-v2's
//                                DetachableGNLayerNorm2d (the ViT-c conv stem), G = C its GNInstanceNorm2d.
// Explanation mode (Detachable): only the variance is detached; μ keeps its gradient (the mean is linear in x).
// bias = false is B-cos-v2's NoBias(...) wrapper. Parameters: weight, bias (only with bias).
#pragma once
#include "nn/bcos/explanation_mode.h"

namespace htp::nn {

class DetachableLayerNorm : public Module, public Detachable {
 public:
  explicit DetachableLayerNorm(Shape normalized_shape, double eps = 1e-5, bool bias = false);
  explicit DetachableLayerNorm(int64_t normalized_size, double eps = 1e-5, bool bias = false)
      : DetachableLayerNorm(Shape{normalized_size}, eps, bias) {}
  std::string type_name() const override { return "DetachableLayerNorm"; }
  Variable forward(const Variable& x) override;

  const Shape normalized_shape;
  const double eps;
  Variable weight, bias;  // bias undefined without it
};

class DetachableGroupNorm2d : public Module, public Detachable {
 public:
  DetachableGroupNorm2d(int64_t num_groups, int64_t num_channels, double eps = 1e-5, bool bias = false);
  std::string type_name() const override { return "DetachableGroupNorm2d"; }
  Variable forward(const Variable& x) override;

  const int64_t num_groups, num_channels;
  const double eps;
  Variable weight, bias;  // bias undefined without it
};

}  // namespace htp::nn
