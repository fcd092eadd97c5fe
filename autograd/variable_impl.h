// The shared state behind a Variable handle (private to autograd/).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "autograd/node.h"

namespace htp {

struct Variable::Impl {
  Tensor data;
  Tensor grad;
  bool requires_grad = false;
  std::shared_ptr<Node> grad_fn;        // null for leaves
  int output_nr = 0;
  std::weak_ptr<Node> grad_accumulator;  // leaves that require grad: their AccumulateGrad, made on first use
  bool retains_grad = false;
  std::vector<Variable::Hook> leaf_hooks;  // leaves: run by AccumulateGrad before accumulating
  std::string name;
};

}  // namespace htp
