// Integrated Gradients with Gauss–Legendre quadrature (xai-methods.md C.1; captum IntegratedGradients, method
// "gausslegendre"):
//   A = (x − x₀) ⊙ Σ_{i=1..n} w̃_i · ∂y_t/∂x |_{x₀ + α_i (x − x₀)}
// with α_i = (1 + u_i)/2, w̃_i = w_i/2 from the n-point Gauss–Legendre rule (u_i, w_i) on [−1, 1], so Σ w̃_i = 1 and
// the endpoints are never evaluated (the weights are applied in float64; captum rounds them to float32 first).
// Completeness: Σ A ≈ y_t(x) − y_t(x₀), exact for a model linear in x.
// The baseline x₀ is a constant image (0 by default: captum's None, i.e. zero in model-input space; for B-cos the
// all-zero 6-channel image, which is not a valid [x, 1 − x] encoding — the reference behaviour).
// The n·N scaled inputs run through the model `batch` at a time (captum's internal_batch_size; the result does not
// depend on it). The model must be in eval mode, so that images in one batch do not interact.
//
// Options: steps (50), baseline (0), batch (16).
#pragma once
#include <vector>

#include "xai/attribution.h"

namespace htp::xai {

// The n-point Gauss–Legendre rule moved to [0, 1]: nodes α_i (ascending) and weights w̃_i (Σ = 1), in float64.
struct Quadrature {
  std::vector<double> nodes, weights;
};
Quadrature gauss_legendre_unit(int64_t n);

struct IntegratedGradientsOptions {
  int64_t steps = 50;
  double baseline = 0.0;
  int64_t batch = 16;
};

class IntegratedGradients : public AttributionMethod {
 public:
  explicit IntegratedGradients(const IntegratedGradientsOptions& options = {});
  static std::unique_ptr<AttributionMethod> create(const MethodOptions& options);
  std::string name() const override { return "ig"; }
  Tensor attribute(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets) override;

  const IntegratedGradientsOptions options;
};

}  // namespace htp::xai
