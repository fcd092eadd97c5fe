// Adam (L2 weight decay, torch.optim.Adam) and AdamW (decoupled weight decay, torch.optim.AdamW), without amsgrad.
// Per parameter p with gradient g, group lr η, group weight decay λ, step count t (1 at the first step), moments
// m and v starting at 0:
//   Adam:  g = g + λ p                    AdamW:  p = p (1 − η λ)
//   m = β1 m + (1 − β1) g
//   v = β2 v + (1 − β2) g²
//   p = p − η / (1 − β1^t) · m / (sqrt(v) / sqrt(1 − β2^t) + ε)
// Paper §2.6: the "coslr" probes use Adam lr 1e-3, λ 0; B-cos DINO pre-training AdamW.
// State slots: "step" (int64 scalar), "exp_avg" (m), "exp_avg_sq" (v), as in torch.
#pragma once
#include "nn/optim/optimizer.h"

namespace htp::nn {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<ParamGroup> groups, const AdamOptions& options);
  std::string type_name() const override { return decoupled_ ? "AdamW" : "Adam"; }

 protected:
  Adam(std::vector<ParamGroup> groups, const AdamOptions& options, bool decoupled);
  void update(Tensor& param, const Tensor& grad, Slots& state, const GroupHyper& hyper) override;
  std::vector<std::string> slots() const override { return {"step", "exp_avg", "exp_avg_sq"}; }

 private:
  AdamOptions options_;
  bool decoupled_;
};

// torch.optim.AdamW's default weight decay is 1e-2; pass it explicitly in the options.
class AdamW : public Adam {
 public:
  AdamW(std::vector<ParamGroup> groups, const AdamOptions& options) : Adam(std::move(groups), options, true) {}
};

}  // namespace htp::nn
