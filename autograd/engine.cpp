// The backward pass (see engine.h): collect, count, run newest-first.
//
// 1. From the root nodes, an explicit-stack DFS finds every reachable node and counts, for each, the edges that will
//    deliver a gradient into it (its dependencies).
// 2. For grad(), a node is needed only if an input of interest is reachable from it; other nodes are skipped and
//    their input masks tell ops not to compute gradients nobody asked for.
// 3. A ready queue ordered by sequence number (newest first) runs nodes whose dependencies are all satisfied. Each
//    node's incoming gradients are summed in its input buffer in the order the producing nodes ran, which is fixed
//    for a given graph: results are deterministic.
#include "autograd/engine.h"

#include <algorithm>
#include <optional>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "autograd/variable_impl.h"
#include "kernels/binary.h"
#include "tensor/creation.h"

namespace htp {
namespace {

struct NewestFirst {
  bool operator()(const Node* a, const Node* b) const { return a->sequence_nr < b->sequence_nr; }
};

struct Capture {  // grad(): where the gradient of one requested input arrives
  Node* node;
  int input_nr;
  size_t index;  // position in the result list
};

class GraphTask {
 public:
  GraphTask(const variable_list& outputs, const tensor_list& grad_outputs, const BackwardOptions& options)
      : options_(options) {
    HTP_CHECK(grad_outputs.empty() || grad_outputs.size() == outputs.size(), "backward: got ", grad_outputs.size(),
              " gradients for ", outputs.size(), " outputs");
    for (size_t i = 0; i < outputs.size(); ++i) {
      const Variable& y = outputs[i];
      HTP_CHECK(y.defined(), "backward: output ", i, " is undefined");
      HTP_CHECK(y.requires_grad(), "backward: output ", i, " (", y.describe(),
                ") does not require grad: it was computed without any input that requires grad, or under NoGradGuard");
      Tensor seed;
      if (grad_outputs.empty() || !grad_outputs[i].defined()) {
        HTP_CHECK(y.numel() == 1, "backward: output ", i, " is ", y.describe(),
                  "; a gradient is implicit only for a single-element output, pass grad_output of its shape");
        seed = ones(y.shape(), y.dtype(), y.device());
      } else {
        seed = grad_outputs[i];
        HTP_CHECK(seed.shape() == y.shape(), "backward: grad_output ", seed.describe(), " does not match output ", i,
                  " ", y.describe());
        if (seed.dtype() != y.dtype()) seed = seed.to(y.dtype());
      }
      roots_.push_back({y.gradient_edge_node(), y.gradient_edge_input()});
      root_grads_.push_back(seed);
    }
  }

  void capture(const variable_list& inputs) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      const Variable& v = inputs[i];
      HTP_CHECK(v.defined() && v.requires_grad(), "grad: input ", i, " (", v.defined() ? v.describe() : "undefined",
                ") does not require grad");
      std::shared_ptr<Node> n = v.gradient_edge_node();
      keep_alive_.push_back(n);
      captures_.push_back({n.get(), v.gradient_edge_input(), i});
    }
    captured_.assign(inputs.size(), Tensor());
  }

  void run() {
    collect();
    if (!captures_.empty()) mark_needed();
    for (size_t i = 0; i < roots_.size(); ++i) deliver(roots_[i].node.get(), roots_[i].input_nr, root_grads_[i], "backward seed");
    std::priority_queue<Node*, std::vector<Node*>, NewestFirst> ready;
    std::unordered_set<Node*> queued;
    for (const Edge& r : roots_)
      if (dependencies_[r.node.get()] == 0 && queued.insert(r.node.get()).second) ready.push(r.node.get());
    while (!ready.empty()) {
      Node* node = ready.top();
      ready.pop();
      tensor_list grads_in = execute(*node);
      for (size_t i = 0; i < node->next_edges.size(); ++i) {
        const Edge& e = node->next_edges[i];
        if (!e.node) continue;
        if (i < grads_in.size() && grads_in[i].defined()) deliver(e.node.get(), e.input_nr, grads_in[i], node->name().c_str());
        if (--dependencies_[e.node.get()] == 0 && queued.insert(e.node.get()).second) ready.push(e.node.get());
      }
    }
  }

  tensor_list take_captured() { return std::move(captured_); }

 private:
  void collect() {
    std::vector<Node*> stack;
    for (const Edge& r : roots_)
      if (seen_.insert(r.node.get()).second) stack.push_back(r.node.get());
    while (!stack.empty()) {
      Node* n = stack.back();
      stack.pop_back();
      order_.push_back(n);
      for (const Edge& e : n->next_edges) {
        if (!e.node) continue;
        ++dependencies_[e.node.get()];
        if (seen_.insert(e.node.get()).second) stack.push_back(e.node.get());
      }
    }
  }

  // needed(n) = n holds a capture, or some next edge leads to a needed node. Iterate to a fixed point over the
  // collected nodes in reverse creation order (inputs before the nodes that use them).
  void mark_needed() {
    for (const Capture& c : captures_) needed_.insert(c.node);
    std::vector<Node*> by_age = order_;
    std::sort(by_age.begin(), by_age.end(), [](Node* a, Node* b) { return a->sequence_nr < b->sequence_nr; });
    bool changed = true;
    while (changed) {
      changed = false;
      for (Node* n : by_age) {
        if (needed_.count(n)) continue;
        for (const Edge& e : n->next_edges)
          if (e.node && needed_.count(e.node.get())) {
            needed_.insert(n);
            changed = true;
            break;
          }
      }
    }
  }

  void deliver(Node* node, int input_nr, const Tensor& g, const char* from) {
    const OutputMeta& meta = node->outputs.at(static_cast<size_t>(input_nr));
    HTP_CHECK(g.shape() == meta.shape, from, " produced a gradient of shape ", shape_str(g.shape()), " for ",
              node->name(), " input ", input_nr, ", which expects ", shape_str(meta.shape));
    std::vector<Slot>& buf = buffers_[node];
    if (buf.empty()) buf.resize(node->num_outputs());
    Slot& slot = buf[static_cast<size_t>(input_nr)];
    if (!slot.grad.defined()) {
      slot.grad = g;
    } else {
      // The first tensor may be shared with the node that produced it: accumulate into a private copy.
      if (!slot.owned) {
        slot.grad = slot.grad.clone();
        slot.owned = true;
      }
      kernels::add_(slot.grad, g);
    }
  }

  tensor_list execute(Node& node) {
    tensor_list grads(node.num_outputs());
    if (auto it = buffers_.find(&node); it != buffers_.end()) {
      for (size_t i = 0; i < it->second.size(); ++i) grads[i] = std::move(it->second[i].grad);
      buffers_.erase(it);
    }
    for (size_t i = 0; i < grads.size(); ++i)
      if (!grads[i].defined()) grads[i] = zeros(node.outputs[i].shape, node.outputs[i].dtype, node.outputs[i].device);
    if (auto* acc = dynamic_cast<AccumulateGrad*>(&node)) grads[0] = acc->run_leaf_hooks(std::move(grads[0]));
    for (auto& [output_nr, hook] : node.pre_hooks) {
      Tensor replaced = hook(grads[static_cast<size_t>(output_nr)]);
      if (replaced.defined()) grads[static_cast<size_t>(output_nr)] = std::move(replaced);
    }
    if (!captures_.empty()) {
      for (const Capture& c : captures_)
        if (c.node == &node) captured_[c.index] = grads[static_cast<size_t>(c.input_nr)];
      // grad() never writes .grad(), and skips nodes that lead to no requested input.
      if (dynamic_cast<AccumulateGrad*>(&node)) return {};
      node.input_mask.assign(node.next_edges.size(), false);
      bool any = false;
      for (size_t i = 0; i < node.next_edges.size(); ++i)
        any |= node.input_mask[i] = node.next_edges[i].node && needed_.count(node.next_edges[i].node.get());
      if (!any) {
        node.input_mask.clear();
        return {};
      }
    }
    HTP_CHECK(!node.released, node.name(),
              ": its saved tensors were freed by an earlier backward pass; pass retain_graph = true to the first backward "
              "to run backward through the graph again");
    std::optional<tensor_list> replaced = options_.rules ? options_.rules->apply(node, grads) : std::nullopt;
    tensor_list out = replaced ? std::move(*replaced) : node.apply(tensor_list(grads));
    node.input_mask.clear();
    for (auto& hook : node.post_hooks) hook(out, grads);
    if (!options_.retain_graph && !dynamic_cast<AccumulateGrad*>(&node)) {
      node.release_saved();
      node.released = true;
    }
    HTP_CHECK(out.empty() || out.size() == node.next_edges.size(), node.name(), " returned ", out.size(),
              " gradients for ", node.next_edges.size(), " inputs");
    return out;
  }

  BackwardOptions options_;
  std::vector<Edge> roots_;
  tensor_list root_grads_;
  std::vector<Capture> captures_;
  std::vector<std::shared_ptr<Node>> keep_alive_;
  tensor_list captured_;
  std::vector<Node*> order_;
  std::unordered_set<Node*> seen_, needed_;
  std::unordered_map<Node*, int> dependencies_;
  struct Slot {
    Tensor grad;
    bool owned = false;  // grad is a private copy that may be accumulated into in place
  };
  std::unordered_map<Node*, std::vector<Slot>> buffers_;
};

}  // namespace

void backward(const variable_list& outputs, const tensor_list& grad_outputs, const BackwardOptions& options) {
  GraphTask task(outputs, grad_outputs, options);
  task.run();
}

tensor_list grad(const variable_list& outputs, const variable_list& inputs, const tensor_list& grad_outputs,
                 const BackwardOptions& options, bool allow_unused) {
  GraphTask task(outputs, grad_outputs, options);
  task.capture(inputs);
  task.run();
  tensor_list result = task.take_captured();
  for (size_t i = 0; i < result.size(); ++i)
    HTP_CHECK(allow_unused || result[i].defined(), "grad: input ", i, " (", inputs[i].describe(),
              ") is not used by the outputs; pass allow_unused = true to get an undefined gradient for it");
  return result;
}

}  // namespace htp
