#include "nn/container.h"

namespace htp::nn {

Sequential::Sequential(std::initializer_list<std::shared_ptr<Module>> layers) {
  for (const auto& layer : layers) push_back(layer);
}

Variable Sequential::forward(const Variable& x) {
  Variable y = x;
  for (const auto& layer : layers_) y = (*layer)(y);
  return y;
}

Module& Sequential::operator[](size_t i) const {
  HTP_CHECK(i < layers_.size(), "Sequential '", path(), "': index ", i, " out of range for ", layers_.size(),
            " layers");
  return *layers_[i];
}

}  // namespace htp::nn
