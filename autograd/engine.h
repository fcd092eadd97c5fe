// The backward engine: a deterministic, non-recursive pass over the recorded graph.
//
// It collects the nodes reachable from the roots with an explicit stack, counts how many gradients each node
// waits for, and runs ready nodes newest-first (by sequence number), summing incoming gradients in a fixed order:
// the same graph gives bitwise the same gradients every time.
//
// Backward rules: a BackwardRules object passed in the options may replace the backward of any node (LRP rules,
// Guided Backprop): the same forward graph then yields a gradient, or a relevance, without re-running the forward.
#pragma once
#include <optional>
#include <vector>

#include "autograd/node.h"

namespace htp {

class BackwardRules {
 public:
  virtual ~BackwardRules() = default;
  // Gradients (one per input edge of `node`) replacing node.apply(), or nullopt to keep the node's own rule.
  virtual std::optional<tensor_list> apply(Node& node, const tensor_list& grad_outputs) = 0;
};

struct BackwardOptions {
  bool retain_graph = false;        // keep saved tensors so the graph can be run backward again
  BackwardRules* rules = nullptr;   // optional rule overrides
};

// Accumulates d(outputs)/d(leaves) · grad_outputs into the .grad() of every leaf that requires grad.
// grad_outputs may be empty when every output is a scalar (then each seed is 1).
void backward(const variable_list& outputs, const tensor_list& grad_outputs = {},
              const BackwardOptions& options = {});

// Returns d(outputs)/d(inputs) · grad_outputs for each input without touching any .grad(); only the nodes on paths
// to the inputs run. An input that the outputs do not depend on gets an undefined tensor when allow_unused,
// otherwise an error.
tensor_list grad(const variable_list& outputs, const variable_list& inputs, const tensor_list& grad_outputs = {},
                 const BackwardOptions& options = {}, bool allow_unused = false);

}  // namespace htp
