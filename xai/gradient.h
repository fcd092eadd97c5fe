// Gradient and Input×Gradient (xai-methods.md part C, table; paper.md §3.1), for the raw target logit y_t:
//   gradient   A = ∂y_t/∂x                     [N, C, H, W]
//   ixg        A = x ⊙ ∂y_t/∂x                 [N, C, H, W]  (channel_sum gives captum's InputXGradient map)
// One forward and one backward pass for the whole batch (a one-hot seed per image). Neither takes options.
#pragma once
#include "xai/attribution.h"

namespace htp::xai {

class Gradient : public AttributionMethod {
 public:
  static std::unique_ptr<AttributionMethod> create(const MethodOptions& options);  // takes no options
  std::string name() const override { return "gradient"; }
  Tensor attribute(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets) override;
};

class InputXGradient : public AttributionMethod {
 public:
  static std::unique_ptr<AttributionMethod> create(const MethodOptions& options);  // takes no options
  std::string name() const override { return "ixg"; }
  Tensor attribute(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets) override;
};

}  // namespace htp::xai
