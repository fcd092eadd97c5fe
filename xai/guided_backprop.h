// Guided Backprop (xai-methods.md C.3; captum GuidedBackprop): the gradient of y_t, except that the backward of every
// call of an nn::ReLU *module* becomes
//   ∂_in = max(0, ∂_out ⊙ 1[x_in > 0])
// (only positive gradients pass, and only through positive inputs). Functional relu() calls elsewhere keep their
// ordinary backward, as in captum, which hooks modules; B-cos networks have no ReLU, so there GBP is the gradient.
// Implemented as a BackwardRules override of the ReluBackward nodes whose tag is the path of an nn::ReLU module, on
// the same forward graph. Result [N, C, H, W], not multiplied by the input. No options.
#pragma once
#include <set>
#include <string>

#include "xai/attribution.h"

namespace htp::xai {

// The backward rule by itself: replaces ReluBackward nodes tagged with one of `relu_paths`.
class GuidedReluRule : public BackwardRules {
 public:
  explicit GuidedReluRule(std::set<std::string> relu_paths) : relu_paths_(std::move(relu_paths)) {}
  std::optional<tensor_list> apply(Node& node, const tensor_list& grad_outputs) override;

 private:
  std::set<std::string> relu_paths_;
};

class GuidedBackprop : public AttributionMethod {
 public:
  static std::unique_ptr<AttributionMethod> create(const MethodOptions& options);  // takes no options
  std::string name() const override { return "gbp"; }
  Tensor attribute(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets) override;
};

}  // namespace htp::xai
