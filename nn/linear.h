// Linear (torch.nn.Linear): y = x · Wᵀ + b for x [..., in_features] -> y [..., out_features].
// Parameters: weight [out_features, in_features], bias [out_features] (undefined when bias = false), initialised as
// PyTorch does (nn/init.h, default_linear_init).
#pragma once
#include "nn/module.h"
#include "tensor/philox.h"

namespace htp::nn {

class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true, Generator* gen = nullptr);
  std::string type_name() const override { return "Linear"; }
  Variable forward(const Variable& x) override;

  const int64_t in_features, out_features;
  Variable weight, bias;
};

}  // namespace htp::nn
