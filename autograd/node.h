// Backward nodes. Each result of a differentiable op holds a Node whose apply() maps the gradients of the op's
// outputs to the gradients of its inputs; next_edges point at the nodes of those inputs.
//
// Writing an op (see autograd/functions/*.cpp for many):
//   struct MulBackward : Node {
//     SavedTensor a, b;
//     std::string name() const override { return "MulBackward"; }
//     tensor_list apply(tensor_list&& g) override {
//       return {needs_input_grad(0) ? kernels::mul(g[0], b.get(*this)) : Tensor(),
//               needs_input_grad(1) ? kernels::mul(g[0], a.get(*this)) : Tensor()};
//     }
//     void release_saved() override { a.reset(); b.reset(); }
//   };
//   Variable mul(const Variable& a, const Variable& b) {
//     Tensor out = kernels::mul(a.data(), b.data());
//     return record<MulBackward>({a, b}, out, [&](MulBackward& n) { n.a.save(a); n.b.save(b); });
//   }
//
// Node classes are declared in headers with public saved fields so that backward rules (LRP, Guided Backprop) can
// read the saved forward inputs and attributes of the node they replace.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "autograd/grad_mode.h"
#include "autograd/variable.h"

namespace htp {

struct Edge {
  std::shared_ptr<Node> node;  // null: this input needs no gradient
  int input_nr = 0;            // which input slot of `node` (= output of the op that made the input)
};

// Shape, dtype and device of one output, so the engine can supply zeros for outputs that received no gradient.
struct OutputMeta {
  Shape shape;
  DType dtype = DType::f32;
  Device device;
};

class Node : public std::enable_shared_from_this<Node> {
 public:
  // Pre-hook: sees/replaces the gradient arriving at output `output_nr` (undefined return keeps it).
  using PreHook = std::function<Tensor(const Tensor& grad)>;
  // Post-hook: may rewrite the gradients the node produced for its inputs, given those it received.
  using PostHook = std::function<void(tensor_list& grad_inputs, const tensor_list& grad_outputs)>;

  Node();
  virtual ~Node();  // releases long chains of nodes iteratively (no deep recursion)

  virtual std::string name() const = 0;
  // grad_outputs has one defined tensor per output (zeros where none arrived). Returns one tensor per next edge;
  // undefined where needs_input_grad(i) is false.
  virtual tensor_list apply(tensor_list&& grad_outputs) = 0;
  // Frees saved tensors after a backward pass without retain_graph.
  virtual void release_saved() {}

  bool needs_input_grad(size_t i) const;  // the engine may narrow this (grad() computes only what is asked)
  size_t num_inputs() const { return next_edges.size(); }
  size_t num_outputs() const { return outputs.size(); }

  void add_pre_hook(int output_nr, PreHook hook) { pre_hooks.push_back({output_nr, std::move(hook)}); }
  void add_post_hook(PostHook hook) { post_hooks.push_back(std::move(hook)); }

  std::vector<Edge> next_edges;
  std::vector<OutputMeta> outputs;
  uint64_t sequence_nr;  // creation order; among ready nodes the engine runs the newest first
  std::string tag;       // set by nn/ to the module path (e.g. "layer4.1.conv2"); rules select nodes by it
  std::vector<std::pair<int, PreHook>> pre_hooks;
  std::vector<PostHook> post_hooks;

  // Engine state for the current pass.
  std::vector<bool> input_mask;  // empty: all edges with a node are needed
  bool released = false;
};

// Gradient sink of a leaf that requires grad: adds the incoming gradient into the leaf's .grad().
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(const Variable& leaf);
  std::string name() const override { return "AccumulateGrad"; }
  tensor_list apply(tensor_list&& grad_outputs) override;
  Variable leaf() const;  // undefined when the leaf has been destroyed
  Tensor run_leaf_hooks(Tensor grad) const;  // the leaf's register_hook() hooks, in order (the engine calls this)

 private:
  std::weak_ptr<Variable::Impl> leaf_;
};

// A tensor saved for backward, with the storage version at save time: get() refuses a tensor modified in place since.
class SavedTensor {
 public:
  void save(const Tensor& t);
  void save(const Variable& v) { save(v.data()); }
  const Tensor& get(const Node& owner) const;
  const Tensor& get_unchecked() const { return tensor_; }  // for backward rules that only inspect
  void reset() { tensor_ = Tensor(); }
  bool defined() const { return tensor_.defined(); }

 private:
  Tensor tensor_;
  uint64_t version_ = 0;
};

// Nodes recorded while a NodeTagScope is alive get its tag (nn/ sets the module path, e.g. "layer4.1.conv2", so
// that backward rules can select nodes by the module that made them). Scopes nest; the innermost wins.
class NodeTagScope {
 public:
  explicit NodeTagScope(std::string tag);
  ~NodeTagScope();
  NodeTagScope(const NodeTagScope&) = delete;
  NodeTagScope& operator=(const NodeTagScope&) = delete;
  static const std::string& current();  // "" outside any scope

 private:
  std::string previous_;
};

// True when grad mode is on and any input requires grad: the op must record a node.
bool any_requires_grad(const variable_list& inputs);

// Records node type N for an op with inputs `inputs` and outputs `outs` when any input requires grad; `init`
// fills the node's saved state. Returns the output Variables (constants when nothing was recorded).
template <class N, class Init>
variable_list record_multi(const variable_list& inputs, const tensor_list& outs, Init&& init);

template <class N, class Init>
Variable record(const variable_list& inputs, const Tensor& out, Init&& init) {
  return record_multi<N>(inputs, tensor_list{out}, std::forward<Init>(init))[0];
}

// ---- implementation of the templates ------------------------------------------------------------------------------
void connect_node(Node& node, const variable_list& inputs, const tensor_list& outs);

template <class N, class Init>
variable_list record_multi(const variable_list& inputs, const tensor_list& outs, Init&& init) {
  variable_list results;
  results.reserve(outs.size());
  if (!any_requires_grad(inputs)) {
    for (const Tensor& t : outs) results.emplace_back(t);
    return results;
  }
  auto node = std::make_shared<N>();
  connect_node(*node, inputs, outs);
  init(*node);
  for (size_t i = 0; i < outs.size(); ++i) results.push_back(Variable::make_result(outs[i], node, static_cast<int>(i)));
  return results;
}

}  // namespace htp
