// SGD update (formulas in nn/optim/sgd.h).
#include "nn/optim/sgd.h"

#include "kernels/binary.h"
#include "nn/optim/momentum.h"

namespace htp::nn {

SGD::SGD(std::vector<ParamGroup> groups, const SGDOptions& options)
    : Optimizer(std::move(groups), options.lr, options.weight_decay), options_(options) {
  HTP_CHECK(options.momentum >= 0, "SGD: momentum must be >= 0, got ", options.momentum);
  HTP_CHECK(!options.nesterov || (options.momentum > 0 && options.dampening == 0),
            "SGD: Nesterov momentum needs momentum > 0 and dampening 0, got momentum ", options.momentum,
            " and dampening ", options.dampening);
}

void SGD::update(Tensor& param, const Tensor& grad, Slots& state, const GroupHyper& hyper) {
  Tensor d = grad;
  if (hyper.weight_decay != 0) d = kernels::add(grad, kernels::mul(param, hyper.weight_decay));
  d = momentum_direction(d, state, options_.momentum, options_.dampening, options_.nesterov);
  kernels::add_scaled_(param, d, -hyper.lr);
}

}  // namespace htp::nn
