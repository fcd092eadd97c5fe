// Integrated Gradients, Gauss–Legendre quadrature on [0, 1] (xai-methods.md C.1; see integrated_gradients.h).
#include "xai/integrated_gradients.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "kernels/binary.h"
#include "kernels/index.h"
#include "tensor/creation.h"
#include "tensor/error.h"

namespace htp::xai {

// Nodes are the roots of the Legendre polynomial P_n, found by Newton's method from the Tricomi guesses
// cos(π (i + 3/4) / (n + 1/2)); weights w_i = 2 / ((1 − u_i²) P_n'(u_i)²). Both are then mapped to [0, 1].
Quadrature gauss_legendre_unit(int64_t n) {
  HTP_CHECK(n >= 1, "gauss_legendre_unit: need at least one node, got ", n);
  Quadrature q;
  q.nodes.resize(static_cast<size_t>(n));
  q.weights.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    double u = std::cos(std::numbers::pi * (static_cast<double>(i) + 0.75) / (static_cast<double>(n) + 0.5));
    double derivative = 1.0;
    for (int iter = 0; iter < 100; ++iter) {
      // P_n(u) and P_n'(u) by the three-term recurrence (k + 1) P_{k+1} = (2k + 1) u P_k − k P_{k−1}.
      double p_prev = 1.0, p = u;
      for (int64_t k = 1; k < n; ++k) {
        const double next = ((2.0 * static_cast<double>(k) + 1.0) * u * p - static_cast<double>(k) * p_prev) /
                            (static_cast<double>(k) + 1.0);
        p_prev = p;
        p = next;
      }
      derivative = static_cast<double>(n) * (u * p - p_prev) / (u * u - 1.0);
      const double step = p / derivative;
      u -= step;
      if (std::abs(step) < 1e-15) break;
    }
    // The guesses run from the largest root down: store ascending.
    const size_t slot = static_cast<size_t>(n - 1 - i);
    q.nodes[slot] = (1.0 + u) / 2.0;
    q.weights[slot] = 1.0 / ((1.0 - u * u) * derivative * derivative);  // w_i / 2
  }
  return q;
}

IntegratedGradients::IntegratedGradients(const IntegratedGradientsOptions& options) : options(options) {
  HTP_CHECK(options.steps >= 1, "ig: steps must be at least 1, got ", options.steps);
  HTP_CHECK(options.batch >= 1, "ig: batch must be at least 1, got ", options.batch);
}

std::unique_ptr<AttributionMethod> IntegratedGradients::create(const MethodOptions& options) {
  options.check_keys("ig", {"steps", "baseline", "batch"});
  IntegratedGradientsOptions o;
  o.steps = options.get_int("steps", o.steps);
  o.baseline = options.get_double("baseline", o.baseline);
  o.batch = options.get_int("batch", o.batch);
  return std::make_unique<IntegratedGradients>(o);
}

Tensor IntegratedGradients::attribute(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets) {
  check_attribution_input(name(), x, targets);
  const Quadrature q = gauss_legendre_unit(options.steps);
  const Tensor baseline = full_like(x, options.baseline);
  const Tensor diff = kernels::sub(x, baseline);
  Tensor weighted = zeros_like(x);  // Σ_i w̃_i ∂y_t/∂x at the scaled inputs, per image

  // Every (image, node) pair is one scaled input; run them `batch` at a time.
  const int64_t images = x.size(0), total = images * options.steps;
  for (int64_t start = 0; start < total; start += options.batch) {
    const int64_t end = std::min(total, start + options.batch);
    std::vector<Tensor> inputs;
    std::vector<int64_t> chunk_targets;
    for (int64_t p = start; p < end; ++p) {
      const int64_t n = p / options.steps;
      const double alpha = q.nodes[static_cast<size_t>(p % options.steps)];
      inputs.push_back(kernels::add(baseline.narrow(0, n, 1), kernels::mul(diff.narrow(0, n, 1), alpha)));
      chunk_targets.push_back(targets[static_cast<size_t>(n)]);
    }
    const Tensor grads = input_gradient(model, kernels::cat(inputs, 0), chunk_targets).grad;
    for (int64_t p = start; p < end; ++p) {
      Tensor slot = weighted.narrow(0, p / options.steps, 1);
      kernels::add_scaled_(slot, grads.narrow(0, p - start, 1), q.weights[static_cast<size_t>(p % options.steps)]);
    }
  }
  return kernels::mul(diff, weighted);
}

}  // namespace htp::xai
