// Variable: a Tensor plus what reverse-mode autodiff needs — requires_grad, the node that made it (grad_fn), the
// accumulated gradient of a leaf, and hooks. Copies share the same variable (like a PyTorch tensor handle).
//
//   Variable w(randn({3, 4}), /*requires_grad=*/true);
//   Variable y = sum(mul(w, w));
//   y.backward();                 // w.grad() == 2 * w
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace htp {

class Node;
struct BackwardOptions;

class Variable {
 public:
  // A hook sees the gradient flowing into this variable and may return a replacement (or an undefined tensor to keep it).
  using Hook = std::function<Tensor(const Tensor& grad)>;

  Variable() = default;  // undefined
  Variable(Tensor data, bool requires_grad = false);  // a leaf (implicit: a Tensor converts to a constant Variable)

  bool defined() const { return impl_ != nullptr; }
  const Tensor& data() const;  // the values; reading them records nothing
  Tensor& mutable_data();      // for optimisers and in-place initialisation of leaves (bumps no graph)

  // ---- autograd state ------------------------------------------------------------------------------------------
  bool requires_grad() const;
  Variable& requires_grad_(bool enabled = true);  // leaves only
  bool is_leaf() const;                            // made by the user, not by a recorded op
  const Tensor& grad() const;                      // accumulated gradient; undefined before the first backward
  void set_grad(Tensor grad);
  void zero_grad();                                // drops the gradient (undefined again)
  const std::shared_ptr<Node>& grad_fn() const;
  int output_nr() const;                           // which output of grad_fn this is
  Variable detach() const;                         // same data, no history, requires_grad false
  void retain_grad();                              // keep .grad() for a non-leaf after backward
  void register_hook(Hook hook);                   // requires_grad must be true
  void set_name(std::string name);                 // shown in error messages and graph dumps
  const std::string& name() const;

  // Runs backward from this variable. A scalar needs no grad_output; a non-scalar needs one of its shape.
  void backward(const Tensor& grad_output = Tensor()) const;
  void backward(const Tensor& grad_output, const BackwardOptions& options) const;

  // ---- shape passthroughs --------------------------------------------------------------------------------------
  const Shape& shape() const { return data().shape(); }
  int64_t dim() const { return data().dim(); }
  int64_t size(int64_t d) const { return data().size(d); }
  int64_t numel() const { return data().numel(); }
  DType dtype() const { return data().dtype(); }
  Device device() const { return data().device(); }
  template <class T> T item() const { return data().item<T>(); }
  std::string describe() const { return data().describe(); }

  // ---- used by ops and the engine ------------------------------------------------------------------------------
  // Result of a recorded op: output `output_nr` of `fn`.
  static Variable make_result(Tensor data, std::shared_ptr<Node> fn, int output_nr);
  // The node that gradients for this variable flow into: grad_fn for results, the accumulator for leaves that
  // require grad, null otherwise.
  std::shared_ptr<Node> gradient_edge_node() const;
  int gradient_edge_input() const;  // input slot on that node (output_nr for results, 0 for leaves)
  bool is_same(const Variable& other) const { return impl_ == other.impl_; }

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
  explicit Variable(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  friend class AccumulateGrad;
};

using variable_list = std::vector<Variable>;
using tensor_list = std::vector<Tensor>;

}  // namespace htp
