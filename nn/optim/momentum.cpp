// Momentum buffer update (formula in nn/optim/momentum.h).
#include "nn/optim/momentum.h"

#include "kernels/binary.h"

namespace htp::nn {

Tensor momentum_direction(const Tensor& d, Optimizer::Slots& state, double momentum, double dampening, bool nesterov) {
  if (momentum == 0) return d;
  auto it = state.find("momentum_buffer");
  if (it == state.end()) {
    it = state.emplace("momentum_buffer", d.clone()).first;
  } else {
    Tensor& b = it->second;
    b.copy_(kernels::mul(b, momentum));
    kernels::add_scaled_(b, d, 1.0 - dampening);
  }
  return nesterov ? kernels::add(d, kernels::mul(it->second, momentum)) : it->second;
}

}  // namespace htp::nn
