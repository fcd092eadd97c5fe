// Module: a node of a model tree with named parameters, buffers and children, PyTorch style.
//
// Names are dotted paths from the root ("layer1.0.conv1.weight"), in registration order, so state dicts match
// torchvision/timm checkpoints by name. Parameters and buffers are Variables (shared handles): a layer keeps the
// handle it registered, and to(device) / load_state_dict replace the data behind every handle at once.
// Calling a module runs forward() under a NodeTagScope with the module's path, so every backward node records which
// module made it (backward rules such as LRP select nodes by it).
//
//   struct Scale : Module {
//     Variable s = register_parameter("s", ones({1}));
//     std::string type_name() const override { return "Scale"; }
//     Variable forward(const Variable& x) override { return mul(x, s); }
//   };
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograd/variable.h"

namespace htp::nn {

using StateDict = std::map<std::string, Tensor>;

class Module {
 public:
  virtual ~Module() = default;
  virtual std::string type_name() const = 0;
  virtual Variable forward(const Variable& x) = 0;

  Variable operator()(const Variable& x);  // forward() under a NodeTagScope(path()), then the forward hooks

  // Forward hooks see (module, input, output) after every call (feature capture: GradCAM, `htp forward --layer`).
  using ForwardHook = std::function<void(Module& module, const Variable& input, const Variable& output)>;
  void add_forward_hook(ForwardHook hook) { forward_hooks_.push_back(std::move(hook)); }
  void clear_forward_hooks() { forward_hooks_.clear(); }

  // ---- the tree ------------------------------------------------------------------------------------------------
  const std::string& path() const { return path_; }  // "" for a root
  std::vector<std::pair<std::string, Variable>> named_parameters() const;  // recursive, dotted names
  std::vector<Variable> parameters() const;
  std::vector<std::pair<std::string, Variable>> named_buffers() const;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_children() const { return children_; }
  std::vector<std::pair<std::string, Module*>> named_modules();  // this module first (as ""), then depth-first
  Module& submodule(const std::string& dotted_path);  // throws naming the missing part
  int64_t num_parameters() const;

  // ---- modes -----------------------------------------------------------------------------------------------------
  virtual void train(bool on = true);  // recursive
  void eval() { train(false); }
  bool is_training() const { return training_; }
  void freeze();  // requires_grad = false on every parameter, recursively (a frozen backbone)
  void to(Device device);
  void to(DType dtype);  // floating parameters and buffers only (integer buffers such as counters keep theirs)

  // ---- state -----------------------------------------------------------------------------------------------------
  StateDict state_dict() const;  // parameters and buffers by dotted name (shared storage, no copies)
  // Copies matching tensors in (converting dtype, keeping each parameter's device). strict: a missing or unexpected
  // name is an error listing them all; a shape mismatch is always an error naming the tensor and both shapes.
  void load_state_dict(const StateDict& state, bool strict = true);

 protected:
  Variable register_parameter(const std::string& name, Tensor value, bool requires_grad = true);
  Variable register_buffer(const std::string& name, Tensor value);
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> child);
  void set_path(const std::string& path);
  void check_new_name(const std::string& name) const;

  std::vector<std::pair<std::string, Variable>> params_;
  std::vector<std::pair<std::string, Variable>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  std::vector<ForwardHook> forward_hooks_;
  bool training_ = true;
  std::string path_;
};

// A dotted path: join("layer1", "0") == "layer1.0", join("", "fc") == "fc", join("layer1", "") == "layer1".
std::string join_path(const std::string& prefix, const std::string& name);

}  // namespace htp::nn
