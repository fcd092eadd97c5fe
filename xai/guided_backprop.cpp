// Guided Backprop: ReLU-module backward max(0, g ⊙ 1[x > 0]) (xai-methods.md C.3; see guided_backprop.h).
#include "xai/guided_backprop.h"

#include "autograd/functions/elementwise.h"
#include "kernels/binary.h"
#include "kernels/unary.h"
#include "nn/activation.h"

namespace htp::xai {

std::optional<tensor_list> GuidedReluRule::apply(Node& node, const tensor_list& grad_outputs) {
  auto* relu = dynamic_cast<ReluBackward*>(&node);
  if (relu == nullptr || relu_paths_.count(node.tag) == 0) return std::nullopt;
  // relu(x) is positive exactly where x is, so the saved result gives the mask 1[x > 0].
  const Tensor masked = kernels::relu_backward(grad_outputs[0], relu->result.get(node));
  return tensor_list{kernels::maximum(masked, 0.0)};
}

std::unique_ptr<AttributionMethod> GuidedBackprop::create(const MethodOptions& options) {
  options.check_keys("gbp", {});
  return std::make_unique<GuidedBackprop>();
}

Tensor GuidedBackprop::attribute(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets) {
  check_attribution_input(name(), x, targets);
  std::set<std::string> relu_paths;
  for (const auto& [name, module] : model.named_modules())
    if (dynamic_cast<nn::ReLU*>(module) != nullptr) relu_paths.insert(module->path());
  GuidedReluRule rule(std::move(relu_paths));
  return input_gradient(model, x, targets, &rule).grad;
}

}  // namespace htp::xai
