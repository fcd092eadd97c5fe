#include "nn/models/named_sequential.h"

namespace htp::nn {

Variable NamedSequential::forward(const Variable& x) {
  Variable y = x;
  for (const auto& layer : layers_) y = (*layer)(y);
  return y;
}

}  // namespace htp::nn
