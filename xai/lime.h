// LIME for images (xai-methods.md C.5; marcotcr/lime lime_image.py + lime_base.py as the paper's
// lime_attribution.py calls them), per image:
//   1. superpixels: SLIC (slic.h) on the first min(3, C) channels of x (the reference uses skimage quickshift; for
//      B-cos inputs [x, 1 − x] the first 3 channels are the image, as in the reference) -> d segments
//   2. fudged image: every segment of every channel replaced by its mean (hide_color None; for [x, 1 − x] this is
//      exactly the encoding of the fudged image)
//   3. Z ∈ {0, 1}^{samples × d}: Bernoulli(½) draws from Generator(seed), row 0 all ones; sample s shows segment j
//      from x where Z_sj = 1 and from the fudged image where Z_sj = 0
//   4. p_s = output(f(sample s))_t with output softmax (CE probes), sigmoid (BCE probes) or none (the raw logit)
//   5. weights π_s = sqrt(exp(−d_s² / width²)), d_s = 1 − sqrt(k_s / d) the cosine distance of row s to the all-ones
//      row (k_s ones; d_s = 1 for the all-zero row), width 0.25
//   6. β = the weighted ridge fit (weighted_ridge) of p on Z with an intercept and penalty `ridge` (sklearn
//      Ridge(alpha = 1)); every segment kept (num_features = 100000 selects all)
//   7. map: each pixel gets β of its segment, signed                                                 [N, 1, H, W]
// Deterministic: the same seed gives the same map (each call starts a fresh Generator(seed); images draw in turn).
// The model must be in eval mode; the samples run `batch` at a time without a graph.
//
// Options: samples (500), segments (100), compactness (0.1), output (softmax | sigmoid | none; softmax), seed (0),
// batch (50), width (0.25), ridge (1).
#pragma once
#include <string>
#include <vector>

#include "xai/attribution.h"
#include "xai/slic.h"

namespace htp::xai {

// Weighted ridge regression with an unpenalised intercept: z [rows × cols] row-major, y, w [rows] (w ≥ 0).
// Centres z and y by their w-weighted means, then β = (Z_cᵀ W Z_c + alpha I)⁻¹ Z_cᵀ W y_c (Cholesky, float64).
struct RidgeFit {
  std::vector<double> coef;
  double intercept = 0.0;
};
RidgeFit weighted_ridge(const std::vector<double>& z, int64_t rows, int64_t cols, const std::vector<double>& y,
                        const std::vector<double>& w, double alpha);

struct LimeOptions {
  int64_t samples = 500;
  SlicOptions segmentation;
  std::string output = "softmax";  // softmax | sigmoid | none
  uint64_t seed = 0;
  int64_t batch = 50;
  double width = 0.25;  // kernel width
  double ridge = 1.0;   // ridge penalty alpha
};

class Lime : public AttributionMethod {
 public:
  explicit Lime(LimeOptions options = {});
  static std::unique_ptr<AttributionMethod> create(const MethodOptions& options);
  std::string name() const override { return "lime"; }
  // [N, 1, H, W]
  Tensor attribute(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets) override;

  const LimeOptions options;
};

}  // namespace htp::xai
