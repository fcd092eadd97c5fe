// Gradient: ∂y_t/∂x; Input×Gradient: x ⊙ ∂y_t/∂x (xai-methods.md part C).
#include "xai/gradient.h"

#include "kernels/binary.h"

namespace htp::xai {

Tensor Gradient::attribute(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets) {
  check_attribution_input(name(), x, targets);
  return input_gradient(model, x, targets).grad;
}

Tensor InputXGradient::attribute(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets) {
  check_attribution_input(name(), x, targets);
  return kernels::mul(x, input_gradient(model, x, targets).grad);
}

std::unique_ptr<AttributionMethod> Gradient::create(const MethodOptions& options) {
  options.check_keys("gradient", {});
  return std::make_unique<Gradient>();
}

std::unique_ptr<AttributionMethod> InputXGradient::create(const MethodOptions& options) {
  options.check_keys("ixg", {});
  return std::make_unique<InputXGradient>();
}

}  // namespace htp::xai
