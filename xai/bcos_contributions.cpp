// B-cos contributions x ⊙ W_t(x) in explanation mode (xai-methods.md A.7; see bcos_contributions.h).
#include "xai/bcos_contributions.h"

#include "kernels/binary.h"
#include "nn/bcos/explanation_mode.h"
#include "tensor/error.h"

namespace htp::xai {

std::unique_ptr<AttributionMethod> BcosContributions::create(const MethodOptions& options) {
  options.check_keys("bcos", {});
  return std::make_unique<BcosContributions>();
}

Tensor BcosContributions::attribute(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets) {
  check_attribution_input(name(), x, targets);
  bool has_bcos = false;
  for (const auto& [path, module] : model.named_modules()) has_bcos = has_bcos || dynamic_cast<nn::Detachable*>(module);
  HTP_CHECK(has_bcos, "bcos: ", model.type_name(),
            " has no B-cos (Detachable) modules; contributions need a B-cos network");
  nn::ExplanationModeGuard explanation_mode(model);
  return kernels::mul(x, input_gradient(model, x, targets).grad);
}

}  // namespace htp::xai
