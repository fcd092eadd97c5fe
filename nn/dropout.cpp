#include "nn/dropout.h"

#include "autograd/functions/elementwise.h"
#include "tensor/random.h"

namespace htp::nn {

Dropout::Dropout(double p_, Generator* gen) : p(p_), gen_(gen) {
  HTP_CHECK(p_ >= 0 && p_ <= 1, "Dropout: p must be in [0, 1], got ", p_);
}

Variable Dropout::forward(const Variable& x) {
  if (!is_training() || p == 0) return x;
  if (p == 1) return mul(x, 0.0);
  // The scaled mask is a constant: mul records one node whose backward is g · mask / (1 - p).
  const Variable keep = mul(Variable(bernoulli(x.shape(), 1.0 - p, x.dtype(), x.device(), gen_)), 1.0 / (1.0 - p));
  return mul(x, keep);
}

}  // namespace htp::nn
