// B-cos contributions (xai-methods.md A.7; paper.md §3, "B-cos contributions"): with every Detachable module of the
// model in explanation mode (scoped: the previous flags are restored on return), the network is the dynamic-linear
// map y = W(x)·x and
//   Φ = x ⊙ ∂y_t/∂x = x ⊙ W_t(x)                                                  [N, C, H, W]
// so that channel_sum(Φ) summed over pixels is y_t − b_logit exactly (no other additive terms; eval mode, so BNU
// uses its running variance). x is the model input as the model receives it: pass the encoded [x, 1 − x]
// (6 channels) so that Σ over the 6 channels is the reference map; a 3-channel input to a model that encodes it
// internally gives x ⊙ (g_x − g_{1−x}), which is not. The model must contain B-cos (Detachable) modules. Unlike the
// reference (A.7 REF-QUIRK) the head is not left in explanation mode afterwards. No options.
#pragma once
#include "xai/attribution.h"

namespace htp::xai {

class BcosContributions : public AttributionMethod {
 public:
  static std::unique_ptr<AttributionMethod> create(const MethodOptions& options);  // takes no options
  std::string name() const override { return "bcos"; }
  Tensor attribute(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets) override;
};

}  // namespace htp::xai
