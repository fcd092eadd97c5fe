#include "autograd/node.h"

#include <atomic>
#include <utility>

#include "autograd/variable_impl.h"
#include "kernels/binary.h"

namespace htp {
namespace {
std::atomic<uint64_t> g_next_sequence_nr{0};
}

Node::Node() : sequence_nr(g_next_sequence_nr++) {}

// Destroying the last reference to a graph of N chained nodes would recurse N levels deep through shared_ptr
// destructors and overflow the stack for long graphs. Instead, the outermost destructor drains a work list: inner
// destructors only hand their edges over to it.
Node::~Node() {
  thread_local std::vector<std::shared_ptr<Node>> pending;
  thread_local bool draining = false;
  for (Edge& e : next_edges)
    if (e.node) pending.push_back(std::move(e.node));
  if (draining) return;
  draining = true;
  while (!pending.empty()) {
    std::shared_ptr<Node> n = std::move(pending.back());
    pending.pop_back();
  }
  draining = false;
}

bool Node::needs_input_grad(size_t i) const {
  if (i >= next_edges.size() || !next_edges[i].node) return false;
  return input_mask.empty() || input_mask[i];
}

AccumulateGrad::AccumulateGrad(const Variable& leaf) : leaf_(leaf.impl_) {
  outputs.push_back({leaf.shape(), leaf.dtype(), leaf.device()});
}

Variable AccumulateGrad::leaf() const {
  auto impl = leaf_.lock();
  return impl ? Variable(impl) : Variable();
}

Tensor AccumulateGrad::run_leaf_hooks(Tensor grad) const {
  if (auto impl = leaf_.lock())
    for (const Variable::Hook& hook : impl->leaf_hooks) {
      Tensor replaced = hook(grad);
      if (replaced.defined()) grad = std::move(replaced);
    }
  return grad;
}

tensor_list AccumulateGrad::apply(tensor_list&& grad_outputs) {
  auto impl = leaf_.lock();
  if (!impl) return {};
  const Tensor& g = grad_outputs[0];
  if (!impl->grad.defined()) {
    // The incoming tensor may be shared with other nodes' buffers or be a view: own a fresh copy.
    impl->grad = g.clone();
  } else {
    kernels::add_(impl->grad, g);
  }
  return {};
}

void SavedTensor::save(const Tensor& t) {
  tensor_ = t;
  version_ = t.defined() ? t.version() : 0;
}

const Tensor& SavedTensor::get(const Node& owner) const {
  HTP_CHECK(!owner.released, owner.name(),
            ": its saved tensors were freed by an earlier backward pass; pass retain_graph = true to the first "
            "backward to run backward through the graph again");
  HTP_CHECK(!tensor_.defined() || tensor_.version() == version_, owner.name(), ": a tensor saved for backward (",
            tensor_.describe(), ") was modified in place after it was saved (version ", version_, " -> ",
            tensor_.version(), ")");
  return tensor_;
}

namespace {
thread_local std::string t_node_tag;
}

NodeTagScope::NodeTagScope(std::string tag) : previous_(std::exchange(t_node_tag, std::move(tag))) {}
NodeTagScope::~NodeTagScope() { t_node_tag = std::move(previous_); }
const std::string& NodeTagScope::current() { return t_node_tag; }

bool any_requires_grad(const variable_list& inputs) {
  if (!grad_enabled()) return false;
  for (const Variable& v : inputs)
    if (v.defined() && v.requires_grad()) return true;
  return false;
}

void connect_node(Node& node, const variable_list& inputs, const tensor_list& outs) {
  node.tag = t_node_tag;
  node.next_edges.reserve(inputs.size());
  for (const Variable& v : inputs) {
    if (v.defined() && v.requires_grad())
      node.next_edges.push_back({v.gradient_edge_node(), v.gradient_edge_input()});
    else
      node.next_edges.push_back({});
  }
  node.outputs.reserve(outs.size());
  for (const Tensor& t : outs) node.outputs.push_back({t.shape(), t.dtype(), t.device()});
}

}  // namespace htp
