#include "nn/activation.h"

#include "autograd/functions/elementwise.h"

namespace htp::nn {

Variable ReLU::forward(const Variable& x) { return relu(x); }
Variable GELU::forward(const Variable& x) { return gelu(x, tanh_approx); }

}  // namespace htp::nn
