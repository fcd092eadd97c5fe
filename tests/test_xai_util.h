// Helpers of the xai tests: setting weights by hand, evaluating logits without a graph, central differences of a
// target logit with respect to the input.
#pragma once
#include <vector>

#include "autograd/grad_mode.h"
#include "nn/module.h"
#include "tensor/creation.h"

namespace htp::testing {

inline void set_values(const Variable& v, const std::vector<double>& values) {
  Variable handle = v;
  handle.mutable_data().copy_(tensor(values, v.shape()));
}

// Logits of `model` on x [N, …] without recording a graph, as [N·K] doubles (row-major).
inline std::vector<double> logits_of(nn::Module& model, const Tensor& x) {
  NoGradGuard no_grad;
  return model(Variable(x)).data().to_vector();
}

// Central differences of y[n, targets[n]] with respect to every element of image n (float64 x), shaped like x.
inline Tensor numerical_input_gradient(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets,
                                       double eps = 1e-6) {
  Tensor base = x.contiguous().clone();
  Tensor out = zeros_like(base);
  const int64_t n = base.size(0), per_image = base.numel() / n;
  double* xs = base.data<double>();
  double* g = out.data<double>();
  for (int64_t i = 0; i < base.numel(); ++i) {
    const int64_t image = i / per_image;
    const double saved = xs[i];
    xs[i] = saved + eps;
    const std::vector<double> up = logits_of(model, base);
    xs[i] = saved - eps;
    const std::vector<double> down = logits_of(model, base);
    xs[i] = saved;
    const int64_t k = static_cast<int64_t>(up.size()) / n;
    const size_t at = static_cast<size_t>(image * k + targets[static_cast<size_t>(image)]);
    g[i] = (up[at] - down[at]) / (2 * eps);
  }
  return out;
}

}  // namespace htp::testing
