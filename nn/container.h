// Sequential (torch.nn.Sequential): children named "0", "1", … in order (so parameters are "0.weight", "1.bias", …,
// as in PyTorch checkpoints); forward(x) = layer_{n-1}( … layer_0(x)), each called through Module::operator() so
// its backward nodes carry its path.
//
//   auto net = std::make_shared<Sequential>();
//   auto fc = net->push_back(std::make_shared<Linear>(4, 8));   // "0"
//   net->push_back(std::make_shared<ReLU>());                   // "1"
#pragma once
#include <initializer_list>
#include <memory>
#include <vector>

#include "nn/module.h"

namespace htp::nn {

class Sequential : public Module {
 public:
  Sequential() = default;
  Sequential(std::initializer_list<std::shared_ptr<Module>> layers);
  std::string type_name() const override { return "Sequential"; }
  Variable forward(const Variable& x) override;

  template <class M>
  std::shared_ptr<M> push_back(std::shared_ptr<M> layer) {
    layers_.push_back(register_module(std::to_string(layers_.size()), layer));
    return layer;
  }
  size_t size() const { return layers_.size(); }
  Module& operator[](size_t i) const;  // throws naming the index and the size

 private:
  std::vector<std::shared_ptr<Module>> layers_;
};

}  // namespace htp::nn
