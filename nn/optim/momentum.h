// Heavy-ball / Nesterov momentum shared by SGD and LARS (torch.optim.SGD's formula): with the step direction d and
// the buffer b in state["momentum_buffer"],
//   b = d (first call);  b = μ b + (1 − dampening) d (later calls);  returns d + μ b (nesterov) or b.
// μ = 0 returns d and keeps no state.
#pragma once
#include "nn/optim/optimizer.h"

namespace htp::nn {

Tensor momentum_direction(const Tensor& d, Optimizer::Slots& state, double momentum, double dampening, bool nesterov);

}  // namespace htp::nn
