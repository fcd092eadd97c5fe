// Logit layer (xai-methods.md A.4 `LogitLayer`, A.9, A.10; paper.md §2.4; B-cos-v2 bcos/modules/logitlayer.py).
//   y = z / T  if a temperature T is set, then  y = y + b  if a bias b is set (unset means "skip").
// B-cos heads use no temperature and b = −log(K − 1), so that sigmoid(b) = 1/K: a zero pre-logit starts at the
// off-label target (K = 1000: −6.9068; K = 20: −2.9444; K = 80: −4.3694). b and T are constants, not parameters,
// and do not appear in the state dict.
#pragma once
#include <optional>

#include "nn/module.h"

namespace htp::nn {

// −log(K − 1), the B-cos logit bias for K classes (K >= 2).
double bcos_logit_bias(int64_t num_classes);

class LogitLayer : public Module {
 public:
  explicit LogitLayer(std::optional<double> temperature = std::nullopt, std::optional<double> bias = std::nullopt);
  std::string type_name() const override { return "LogitLayer"; }
  Variable forward(const Variable& x) override;

  const std::optional<double> temperature, bias;
};

}  // namespace htp::nn
