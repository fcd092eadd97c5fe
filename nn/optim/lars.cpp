// LARS update (formulas and source in nn/optim/lars.h).
#include "nn/optim/lars.h"

#include "kernels/binary.h"
#include "kernels/reduce.h"
#include "nn/optim/momentum.h"

namespace htp::nn {

LARS::LARS(std::vector<ParamGroup> groups, const LARSOptions& options)
    : Optimizer(std::move(groups), options.lr, options.weight_decay), options_(options) {
  HTP_CHECK(options.momentum >= 0, "LARS: momentum must be >= 0, got ", options.momentum);
  HTP_CHECK(options.eta >= 0, "LARS: the trust coefficient eta must be >= 0, got ", options.eta);
  HTP_CHECK(!options.nesterov || (options.momentum > 0 && options.dampening == 0),
            "LARS: Nesterov momentum needs momentum > 0 and dampening 0, got momentum ", options.momentum,
            " and dampening ", options.dampening);
}

void LARS::update(Tensor& param, const Tensor& grad, Slots& state, const GroupHyper& hyper) {
  double local = 1.0;
  if (!hyper.options->lars_exclude) {
    const double p_norm = kernels::norm(param).item<double>();
    const double g_norm = kernels::norm(grad).item<double>();
    if (p_norm != 0 && g_norm != 0)
      local = options_.eta * p_norm / (g_norm + hyper.weight_decay * p_norm + options_.eps);
  }
  Tensor d = grad;
  if (hyper.weight_decay != 0) d = kernels::add(grad, kernels::mul(param, hyper.weight_decay));
  d = kernels::mul(d, hyper.lr * local);
  d = momentum_direction(d, state, options_.momentum, options_.dampening, options_.nesterov);
  kernels::add_scaled_(param, d, -1.0);
}

std::map<std::string, GroupOptions> byol_lars_keys() {
  const GroupOptions excluded{.lr_mult = 1.0, .decay_mult = 0.0, .lars_exclude = true};
  return {{"bn", excluded}, {"bias", excluded}, {"downsample.1", excluded}};
}

}  // namespace htp::nn
