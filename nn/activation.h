// Activation layers (torch.nn.ReLU, torch.nn.GELU), shape-preserving and parameter-free.
//   ReLU  y = max(x, 0)
//   GELU  y = x Φ(x) = x / 2 (1 + erf(x / sqrt 2))
//         tanh_approx: y = x / 2 (1 + tanh(sqrt(2 / π) (x + 0.044715 x³)))
#pragma once
#include "nn/module.h"

namespace htp::nn {

class ReLU : public Module {
 public:
  std::string type_name() const override { return "ReLU"; }
  Variable forward(const Variable& x) override;
};

class GELU : public Module {
 public:
  explicit GELU(bool tanh_approx = false) : tanh_approx(tanh_approx) {}  // PyTorch's approximate='tanh'
  std::string type_name() const override { return "GELU"; }
  Variable forward(const Variable& x) override;

  const bool tanh_approx;
};

}  // namespace htp::nn
