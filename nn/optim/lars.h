// LARS (You, Gitman & Ginsburg 2017, arXiv 1708.03888, Algorithm 1) exactly as mmpretrain's LARS optimizer
// (mmpretrain/engine/optimizers/lars.py), which BYOL pre-training uses (paper §2.1: lr 4.8, momentum 0.9, weight
// decay 1e-6; biases and BN parameters with decay_mult 0 and lars_exclude). Per parameter p with gradient g,
// group lr η, group weight decay λ, trust coefficient η_LARS (eta, 0.001) and eps 1e-8:
//   local = 1                                                       if lars_exclude, or ‖p‖ = 0, or ‖g‖ = 0
//   local = eta · ‖p‖ / (‖g‖ + λ ‖p‖ + eps)                          otherwise (L2 norms over the whole tensor)
//   d = (g + λ p) · η · local
//   b = d  (first step);   b = μ b + (1 − dampening) d  (later)     — the buffer holds lr-scaled steps
//   d = d + μ b  (nesterov)   or   d = b  (otherwise; μ = 0 keeps d)
//   p = p − d
// Use paramwise_groups(params, byol_lars_keys()) for BYOL's exclusions.
#pragma once
#include "nn/optim/optimizer.h"

namespace htp::nn {

struct LARSOptions {
  double lr = 0.1;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  double eta = 0.001;
  bool nesterov = false;  // needs momentum > 0 and dampening 0
  double eps = 1e-8;
};

class LARS : public Optimizer {
 public:
  LARS(std::vector<ParamGroup> groups, const LARSOptions& options);
  std::string type_name() const override { return "LARS"; }

 protected:
  void update(Tensor& param, const Tensor& grad, Slots& state, const GroupHyper& hyper) override;
  std::vector<std::string> slots() const override { return {"momentum_buffer"}; }

 private:
  LARSOptions options_;
};

// The BYOL config's paramwise custom_keys: names containing "bn", "bias" or "downsample.1" (the downsample BN of a
// ResNet block) get decay_mult 0 and lars_exclude.
std::map<std::string, GroupOptions> byol_lars_keys();

}  // namespace htp::nn
