// LRP with the EpsilonGammaBox composite, as the paper runs it through zennit (xai-methods.md B; paper.md §3):
//
//   1. canonize: BatchNorms merged into the convolutions before them (canonize.h), for the call only
//   2. forward x -> logits y, recording the graph
//   3. backward from R_out = y ⊙ e_t (the target logit itself, B.1) with the composite's rules (lrp_composite.h);
//      the stem convolution (the first in module order) gets ZBox with the bounds of the normalised input,
//      low = (0 − μ)/σ and high = (1 − μ)/σ per channel
//   4. the relevance of x, [N, C, H, W], signed and raw; Σ_c gives the map of part G
// The model must be in eval mode; its parameters are replaced during the call (step 1) and restored before it returns.
//
// Registered as "lrp" with options:
//   stats       imagenet (default) | clip: the μ/σ behind the ZBox bounds (0.1: the probes were trained with ImageNet
//               statistics; the reference EPG scripts normalise with CLIP's)
//   mean, std   comma-separated per-channel values overriding stats
//   epsilon, gamma, stabilizer   1e-6, 0.25, 1e-6 (B.2)
//   residual    copy (default: the reference, mmpretrain's ResNet, B.4) | proportional (zennit's torchvision Sum)
//   canonize    true (default) | false
#pragma once
#include <vector>

#include "xai/attribution.h"
#include "xai/lrp_rules.h"

namespace htp::xai {

struct LrpOptions {
  std::vector<double> mean{0.485, 0.456, 0.406}, std{0.229, 0.224, 0.225};  // ImageNet
  double epsilon = 1e-6, gamma = 0.25, stabilizer = 1e-6;
  lrp::ResidualMode residual = lrp::ResidualMode::copy;
  bool canonize = true;
};

class Lrp : public AttributionMethod {
 public:
  explicit Lrp(LrpOptions options = {});
  std::string name() const override { return "lrp"; }
  Tensor attribute(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets) override;

  const LrpOptions options;
};

}  // namespace htp::xai
