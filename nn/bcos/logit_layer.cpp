#include "nn/bcos/logit_layer.h"

#include <cmath>

#include "autograd/ops.h"

namespace htp::nn {

double bcos_logit_bias(int64_t num_classes) {
  HTP_CHECK(num_classes >= 2, "bcos_logit_bias: needs at least 2 classes, got ", num_classes);
  return -std::log(static_cast<double>(num_classes - 1));
}

LogitLayer::LogitLayer(std::optional<double> temperature, std::optional<double> bias)
    : temperature(temperature), bias(bias) {
  HTP_CHECK(!temperature || *temperature != 0.0, "LogitLayer: the temperature must not be zero");
}

Variable LogitLayer::forward(const Variable& x) {
  Variable y = temperature ? div(x, *temperature) : x;
  return bias ? add(y, *bias) : y;
}

}  // namespace htp::nn
