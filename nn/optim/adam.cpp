// Adam / AdamW update (formulas in nn/optim/adam.h).
#include "nn/optim/adam.h"

#include <cmath>

#include "kernels/binary.h"
#include "kernels/unary.h"
#include "tensor/creation.h"

namespace htp::nn {

Adam::Adam(std::vector<ParamGroup> groups, const AdamOptions& options) : Adam(std::move(groups), options, false) {}

Adam::Adam(std::vector<ParamGroup> groups, const AdamOptions& options, bool decoupled)
    : Optimizer(std::move(groups), options.lr, options.weight_decay), options_(options), decoupled_(decoupled) {
  HTP_CHECK(options.beta1 >= 0 && options.beta1 < 1 && options.beta2 >= 0 && options.beta2 < 1, type_name(),
            ": betas must be in [0, 1), got (", options.beta1, ", ", options.beta2, ")");
  HTP_CHECK(options.eps >= 0, type_name(), ": eps must be >= 0, got ", options.eps);
}

void Adam::update(Tensor& param, const Tensor& grad, Slots& state, const GroupHyper& hyper) {
  if (state.empty()) {
    state["step"] = scalar_tensor(0, DType::i64);
    state["exp_avg"] = zeros_like(param);
    state["exp_avg_sq"] = zeros_like(param);
  }
  Tensor& step = state.at("step");
  const int64_t t = step.item<int64_t>() + 1;
  step.fill_(static_cast<double>(t));

  Tensor g = grad;
  if (hyper.weight_decay != 0) {
    if (decoupled_)
      param.copy_(kernels::mul(param, 1.0 - hyper.lr * hyper.weight_decay));
    else
      g = kernels::add(grad, kernels::mul(param, hyper.weight_decay));
  }
  const double b1 = options_.beta1, b2 = options_.beta2;
  Tensor& m = state.at("exp_avg");
  Tensor& v = state.at("exp_avg_sq");
  m.copy_(kernels::mul(m, b1));
  kernels::add_scaled_(m, g, 1.0 - b1);
  v.copy_(kernels::mul(v, b2));
  kernels::add_scaled_(v, kernels::mul(g, g), 1.0 - b2);

  const double bias_correction1 = 1.0 - std::pow(b1, static_cast<double>(t));
  const double bias_correction2 = 1.0 - std::pow(b2, static_cast<double>(t));
  const Tensor denom = kernels::add(kernels::div(kernels::sqrt(v), std::sqrt(bias_correction2)), options_.eps);
  kernels::add_scaled_(param, kernels::div(m, denom), -hyper.lr / bias_correction1);
}

}  // namespace htp::nn
