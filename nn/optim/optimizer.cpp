// Optimizer base: parameter groups, the step loop, zero_grad and the state dict (nn/optim/optimizer.h).
#include "nn/optim/optimizer.h"

#include <algorithm>
#include <set>
#include <sstream>

namespace htp::nn {

std::vector<ParamGroup> paramwise_groups(const NamedParameters& params,
                                         const std::map<std::string, GroupOptions>& custom_keys) {
  std::vector<std::string> keys;
  for (const auto& [key, _] : custom_keys) keys.push_back(key);  // alphabetical (map order)
  std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  std::vector<ParamGroup> groups(keys.size() + 1);
  for (size_t k = 0; k < keys.size(); ++k) groups[k + 1].options = custom_keys.at(keys[k]);
  for (const auto& [name, p] : params) {
    if (!p.requires_grad()) continue;
    size_t g = 0;
    for (size_t k = 0; k < keys.size() && g == 0; ++k)
      if (name.find(keys[k]) != std::string::npos) g = k + 1;
    groups[g].params.emplace_back(name, p);
  }
  std::erase_if(groups, [](const ParamGroup& g) { return g.params.empty(); });
  return groups;
}

Optimizer::Optimizer(std::vector<ParamGroup> groups, double lr, double weight_decay)
    : groups_(std::move(groups)), lr_(lr), weight_decay_(weight_decay) {
  HTP_CHECK(lr >= 0, "optimizer: the learning rate must be >= 0, got ", lr);
  HTP_CHECK(weight_decay >= 0, "optimizer: the weight decay must be >= 0, got ", weight_decay);
  std::set<std::string> names;
  std::vector<Variable> seen;
  for (const ParamGroup& g : groups_) {
    HTP_CHECK(g.options.lr_mult >= 0 && g.options.decay_mult >= 0,
              "optimizer: lr_mult and decay_mult must be >= 0, got ", g.options.lr_mult, " and ", g.options.decay_mult);
    for (const auto& [name, p] : g.params) {
      HTP_CHECK(p.defined() && p.is_leaf(), "optimizer: parameter '", name, "' must be a defined leaf Variable");
      HTP_CHECK(names.insert(name).second, "optimizer: the parameter name '", name, "' appears twice");
      for (const Variable& q : seen)
        HTP_CHECK(!q.is_same(p), "optimizer: parameter '", name, "' is listed twice (under another name)");
      seen.push_back(p);
    }
  }
}

void Optimizer::set_lr(double lr) {
  HTP_CHECK(lr >= 0, type_name(), ": the learning rate must be >= 0, got ", lr);
  lr_ = lr;
}

void Optimizer::zero_grad() {
  for (ParamGroup& g : groups_)
    for (auto& [_, p] : g.params) p.zero_grad();
}

void Optimizer::step() {
  for (ParamGroup& g : groups_) {
    const GroupHyper hyper{lr_ * g.options.lr_mult, weight_decay_ * g.options.decay_mult, &g.options};
    for (auto& [name, p] : g.params) {
      const Tensor& grad = p.grad();
      if (!grad.defined()) continue;
      HTP_CHECK(grad.shape() == p.shape() && grad.dtype() == p.dtype(), type_name(), ": the gradient of '", name,
                "' is ", grad.describe(), ", the parameter ", p.describe());
      update(p.mutable_data(), grad, state_[name], hyper);
    }
  }
}

StateDict Optimizer::state_dict() const {
  StateDict out;
  for (const auto& [name, slots] : state_)
    for (const auto& [slot, t] : slots) out[name + "." + slot] = t;
  return out;
}

void Optimizer::load_state_dict(const StateDict& state) {
  std::map<std::string, const Variable*> params;
  for (const ParamGroup& g : groups_)
    for (const auto& [name, p] : g.params) params[name] = &p;
  const std::vector<std::string> known = slots();
  std::map<std::string, Slots> loaded;
  for (const auto& [key, t] : state) {
    const size_t dot = key.rfind('.');
    const std::string name = dot == std::string::npos ? "" : key.substr(0, dot);
    const std::string slot = dot == std::string::npos ? key : key.substr(dot + 1);
    HTP_CHECK(params.count(name), type_name(), ": state '", key, "' names no parameter of this optimiser");
    HTP_CHECK(std::find(known.begin(), known.end(), slot) != known.end(), type_name(), ": state '", key,
              "' has an unknown slot '", slot, "'");
    const Variable& p = *params.at(name);
    if (is_step_slot(slot)) {
      HTP_CHECK(t.numel() == 1, type_name(), ": state '", key, "' must be a single number, got ", t.describe());
      loaded[name][slot] = t.clone();
    } else {
      HTP_CHECK(t.shape() == p.shape(), type_name(), ": state '", key, "' is ", t.describe(), ", the parameter ",
                p.describe());
      loaded[name][slot] = t.to(p.dtype()).to(p.device()).clone();
    }
  }
  state_ = std::move(loaded);
}

}  // namespace htp::nn
