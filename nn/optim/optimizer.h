// Optimizer: the base of SGD, Adam/AdamW and LARS (torch.optim semantics) over parameter groups.
//
// A parameter group carries mmengine's paramwise settings: the group's learning rate is lr() × lr_mult and its
// weight decay weight_decay × decay_mult (paper §2.6: the VOC/COCO probes train the head with lr_mult 10; BYOL's
// LARS excludes biases and norm layers with decay_mult 0 and lars_exclude). step() updates every parameter that has
// a gradient, in place on its data (no graph is recorded); parameters without one (frozen, unused) are skipped,
// as in PyTorch. Schedules change lr() between steps (nn/optim/schedule.h).
//
// Per-parameter state (momentum buffers, Adam moments and step counts) is kept by parameter name and exported
// as a state dict "<parameter name>.<slot>" (e.g. "fc.weight.momentum_buffer", "fc.weight.step") for checkpoints.
//
//   SGD opt({ParamGroup{probe.named_parameters()}}, {.lr = 30, .momentum = 0.9});
//   opt.zero_grad(); cross_entropy(probe(x), y).backward(); opt.step();
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "nn/module.h"

namespace htp::nn {

using NamedParameters = std::vector<std::pair<std::string, Variable>>;

struct GroupOptions {
  double lr_mult = 1.0;       // the group's lr = lr() × lr_mult
  double decay_mult = 1.0;    // the group's weight decay = the optimiser's × decay_mult
  bool lars_exclude = false;  // LARS only: no trust-ratio adaptation (local lr 1)
};

struct ParamGroup {
  NamedParameters params;  // names are the state-dict keys; unique over all groups
  GroupOptions options = {};
};

// mmengine's paramwise custom_keys: each parameter that requires grad goes to the group of the first key contained
// in its name, keys tried longest first (alphabetically among equal lengths), or to the default group (options {}).
// Groups come out default first, then in that key order; empty groups are left out.
std::vector<ParamGroup> paramwise_groups(const NamedParameters& params,
                                         const std::map<std::string, GroupOptions>& custom_keys);

class Optimizer {
 public:
  using Slots = std::map<std::string, Tensor>;  // one parameter's state by slot name

  virtual ~Optimizer() = default;
  virtual std::string type_name() const = 0;

  void zero_grad();  // drops every parameter's gradient (undefined again, like set_to_none)
  void step();

  double lr() const { return lr_; }
  void set_lr(double lr);
  double weight_decay() const { return weight_decay_; }
  const std::vector<ParamGroup>& param_groups() const { return groups_; }

  StateDict state_dict() const;  // shares the state tensors (no copies)
  // Replaces the state with copies of `state`, on each parameter's device. Every key must be
  // "<parameter name>.<slot>" with a known parameter and one of slots(); tensor slots must have the parameter's shape.
  void load_state_dict(const StateDict& state);

 protected:
  Optimizer(std::vector<ParamGroup> groups, double lr, double weight_decay);

  // The group-resolved hyper-parameters of one update.
  struct GroupHyper {
    double lr = 0;            // lr() × lr_mult
    double weight_decay = 0;  // weight_decay() × decay_mult
    const GroupOptions* options = nullptr;
  };
  // Updates `param` in place from `grad`; `state` starts empty for a parameter's first step.
  virtual void update(Tensor& param, const Tensor& grad, Slots& state, const GroupHyper& hyper) = 0;
  virtual std::vector<std::string> slots() const = 0;  // the state slot names the optimiser may create
  static bool is_step_slot(const std::string& slot) { return slot == "step"; }  // a scalar counter, not param-shaped

 private:
  std::vector<ParamGroup> groups_;
  double lr_;
  double weight_decay_;
  std::map<std::string, Slots> state_;  // by parameter name
};

}  // namespace htp::nn
