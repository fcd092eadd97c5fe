#include "nn/module.h"

#include <sstream>

#include "autograd/node.h"

namespace htp::nn {

std::string join_path(const std::string& prefix, const std::string& name) {
  if (name.empty()) return prefix;
  return prefix.empty() ? name : prefix + "." + name;
}

Variable Module::operator()(const Variable& x) {
  Variable y;
  {
    NodeTagScope tag(path_);
    y = forward(x);
  }
  for (ForwardHook& hook : forward_hooks_) hook(*this, x, y);
  return y;
}

void Module::check_new_name(const std::string& name) const {
  HTP_CHECK(!name.empty() && name.find('.') == std::string::npos, type_name(), ": invalid member name '", name,
            "' (non-empty, no dots)");
  auto taken = [&](const auto& list) {
    for (const auto& [n, _] : list)
      if (n == name) return true;
    return false;
  };
  HTP_CHECK(!taken(params_) && !taken(buffers_) && !taken(children_), type_name(), ": '", name,
            "' is registered twice");
}

Variable Module::register_parameter(const std::string& name, Tensor value, bool requires_grad) {
  check_new_name(name);
  Variable v(std::move(value), requires_grad);
  params_.emplace_back(name, v);
  return v;
}

Variable Module::register_buffer(const std::string& name, Tensor value) {
  check_new_name(name);
  Variable v(std::move(value), false);
  buffers_.emplace_back(name, v);
  return v;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> child) {
  check_new_name(name);
  HTP_CHECK(child != nullptr, type_name(), ": child '", name, "' is null");
  child->set_path(join_path(path_, name));
  children_.emplace_back(name, std::move(child));
}

void Module::set_path(const std::string& path) {
  path_ = path;
  for (auto& [name, child] : children_) child->set_path(join_path(path_, name));
}

std::vector<std::pair<std::string, Variable>> Module::named_parameters() const {
  std::vector<std::pair<std::string, Variable>> out(params_.begin(), params_.end());
  for (const auto& [name, child] : children_)
    for (auto& [n, v] : child->named_parameters()) out.emplace_back(join_path(name, n), v);
  return out;
}

std::vector<Variable> Module::parameters() const {
  std::vector<Variable> out;
  for (auto& [_, v] : named_parameters()) out.push_back(v);
  return out;
}

std::vector<std::pair<std::string, Variable>> Module::named_buffers() const {
  std::vector<std::pair<std::string, Variable>> out(buffers_.begin(), buffers_.end());
  for (const auto& [name, child] : children_)
    for (auto& [n, v] : child->named_buffers()) out.emplace_back(join_path(name, n), v);
  return out;
}

std::vector<std::pair<std::string, Module*>> Module::named_modules() {
  std::vector<std::pair<std::string, Module*>> out{{"", this}};
  for (auto& [name, child] : children_)
    for (auto& [n, m] : child->named_modules()) out.emplace_back(join_path(name, n), m);
  return out;
}

Module& Module::submodule(const std::string& dotted_path) {
  Module* m = this;
  std::stringstream parts(dotted_path);
  std::string part, walked;
  while (std::getline(parts, part, '.')) {
    Module* next = nullptr;
    for (auto& [name, child] : m->children_)
      if (name == part) next = child.get();
    HTP_CHECK(next != nullptr, type_name(), ": no submodule '", dotted_path, "' ('", join_path(walked, part),
              "' does not exist)");
    walked = join_path(walked, part);
    m = next;
  }
  return *m;
}

int64_t Module::num_parameters() const {
  int64_t n = 0;
  for (const auto& [_, v] : named_parameters()) n += v.numel();
  return n;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [_, child] : children_) child->train(on);
}

void Module::freeze() {
  for (auto& [_, v] : named_parameters()) v.requires_grad_(false);
}

void Module::to(Device device) {
  for (auto& [_, v] : named_parameters()) v.mutable_data() = v.data().to(device);
  for (auto& [_, v] : named_buffers()) v.mutable_data() = v.data().to(device);
}

void Module::to(DType dtype) {
  HTP_CHECK(is_floating(dtype), type_name(), ".to(", dtype_name(dtype), "): modules convert to floating types only");
  auto convert = [&](Variable& v) {
    if (is_floating(v.dtype())) v.mutable_data() = v.data().to(dtype);
  };
  for (auto& [_, v] : named_parameters()) convert(v);
  for (auto& [_, v] : named_buffers()) convert(v);
}

StateDict Module::state_dict() const {
  StateDict out;
  for (const auto& [n, v] : named_parameters()) out[n] = v.data();
  for (const auto& [n, v] : named_buffers()) out[n] = v.data();
  return out;
}

void Module::load_state_dict(const StateDict& state, bool strict) {
  std::vector<std::pair<std::string, Variable>> mine = named_parameters();
  for (auto& b : named_buffers()) mine.push_back(b);
  std::vector<std::string> missing, unexpected;
  std::map<std::string, bool> known;
  for (auto& [name, v] : mine) {
    known[name] = true;
    auto it = state.find(name);
    if (it == state.end()) {
      missing.push_back(name);
      continue;
    }
    HTP_CHECK(it->second.shape() == v.shape(), "load_state_dict: '", name, "' has shape ", shape_str(it->second.shape()),
              " in the state dict but ", shape_str(v.shape()), " in the model");
  }
  for (const auto& [name, _] : state)
    if (!known.count(name)) unexpected.push_back(name);
  if (strict && (!missing.empty() || !unexpected.empty())) {
    std::ostringstream msg;
    msg << "load_state_dict: the state dict does not match the " << type_name() << " model.";
    auto list = [&](const char* what, const std::vector<std::string>& names) {
      if (names.empty()) return;
      msg << " " << what << " (" << names.size() << "):";
      for (size_t i = 0; i < names.size() && i < 20; ++i) msg << " " << names[i];
      if (names.size() > 20) msg << " …";
      msg << ".";
    };
    list("Missing", missing);
    list("Unexpected", unexpected);
    throw Error(msg.str());
  }
  for (auto& [name, v] : mine) {
    auto it = state.find(name);
    if (it == state.end()) continue;
    Tensor& dst = v.mutable_data();
    dst = it->second.to(dst.device()).to(dst.dtype()).clone();
  }
}

}  // namespace htp::nn
