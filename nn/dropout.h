// Dropout (torch.nn.Dropout). In training, y = x · m / (1 - p) with m ~ Bernoulli(1 - p) drawn per element from the
// generator (null: the default one), so E[y] = x; p = 1 gives zeros. In eval (or with p = 0), y = x.
#pragma once
#include "nn/module.h"
#include "tensor/philox.h"

namespace htp::nn {

class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5, Generator* gen = nullptr);
  std::string type_name() const override { return "Dropout"; }
  Variable forward(const Variable& x) override;

  const double p;

 private:
  Generator* gen_;
};

}  // namespace htp::nn
