// SGD with momentum, dampening, Nesterov and L2 weight decay, exactly torch.optim.SGD. Per parameter p with
// gradient g, group lr η and group weight decay λ (the momentum buffer b starts as a copy of the first d):
//   d = g + λ p
//   b = d                                 (first step)
//   b = μ b + (1 − dampening) d           (later steps)
//   d = d + μ b  (nesterov)   or   d = b  (otherwise; μ = 0 keeps d)
//   p = p − η d
// Paper §2.6: the ImageNet "linear-steplr" probes use lr 30, μ 0.9, λ 0; VOC/COCO lr 3 with the head at lr_mult 10.
#pragma once
#include "nn/optim/optimizer.h"

namespace htp::nn {

struct SGDOptions {
  double lr = 0.1;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;  // needs momentum > 0 and dampening 0
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<ParamGroup> groups, const SGDOptions& options);
  std::string type_name() const override { return "SGD"; }

 protected:
  void update(Tensor& param, const Tensor& grad, Slots& state, const GroupHyper& hyper) override;
  std::vector<std::string> slots() const override { return {"momentum_buffer"}; }

 private:
  SGDOptions options_;
};

}  // namespace htp::nn
