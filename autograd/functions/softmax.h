// Differentiable softmax and log-softmax along one dimension (math in kernels/softmax.h).
// Both save their output y only: softmax's dx = y * (g - sum(g * y)), log_softmax's dx = g - exp(y) * sum(g).
#pragma once
#include <cstdint>

#include "autograd/node.h"

namespace htp {

Variable softmax(const Variable& x, int64_t dim);
Variable log_softmax(const Variable& x, int64_t dim);

struct SoftmaxBackward : Node {
  SavedTensor y;    // the forward output
  int64_t dim = 0;  // normalised
  std::string name() const override { return "SoftmaxBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { y.reset(); }
};

struct LogSoftmaxBackward : Node {
  SavedTensor y;    // the forward output (log-probabilities)
  int64_t dim = 0;  // normalised
  std::string name() const override { return "LogSoftmaxBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { y.reset(); }
};

}  // namespace htp
