// NamedSequential: torch.nn.Sequential built from an OrderedDict, i.e. children with chosen names
// ("norm", "linear1", …, "encoder_0", …) instead of "0", "1", …, as B-cos-v2's SimpleViT uses them, so that the
// parameter names match its checkpoints. forward(x) = layer_{n−1}( … layer_0(x)), each through Module::operator().
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "nn/module.h"

namespace htp::nn {

class NamedSequential : public Module {
 public:
  std::string type_name() const override { return "Sequential"; }
  Variable forward(const Variable& x) override;

  template <class M>
  std::shared_ptr<M> push_back(const std::string& name, std::shared_ptr<M> layer) {
    layers_.push_back(register_module(name, layer));
    return layer;
  }
  size_t size() const { return layers_.size(); }

 private:
  std::vector<std::shared_ptr<Module>> layers_;
};

}  // namespace htp::nn
