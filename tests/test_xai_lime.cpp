// LIME (xai/lime.h) and its pieces: the weighted ridge fit (hand-computed), SLIC superpixels (xai/slic.h) on images
// with known regions, and LIME recovering the one superpixel a synthetic model looks at.
#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "autograd/ops.h"
#include "test_util.h"
#include "xai/attribution.h"
#include "xai/lime.h"
#include "xai/slic.h"

using namespace htp;

namespace {

// 3 × 16 × 16: four 8 × 8 quadrants of distinct colours; channel 0 of the top-left quadrant carries a ±0.05
// checkerboard (zero mean, so its segment mean is the base colour).
Tensor quadrant_image() {
  const double colours[4][3] = {{0.2, 0.3, 0.4}, {0.9, 0.1, 0.1}, {0.1, 0.8, 0.2}, {0.5, 0.5, 0.9}};
  std::vector<double> v(3 * 16 * 16);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 16; ++y)
      for (int x = 0; x < 16; ++x) {
        const int q = (y / 8) * 2 + x / 8;
        double value = colours[q][c];
        if (q == 0 && c == 0) value += ((x + y) % 2 ? 0.05 : -0.05);
        v[static_cast<size_t>((c * 16 + y) * 16 + x)] = value;
      }
  return tensor(v, {1, 3, 16, 16});
}

// Logit 0 = 100 · mean of x₀² over the top-left quadrant; logit 1 = 0.
struct TopLeftEnergy : nn::Module {
  std::string type_name() const override { return "TopLeftEnergy"; }
  Variable forward(const Variable& x) override {
    const Variable region = slice(slice(select(x, 1, 0), 1, 0, 8), 2, 0, 8);  // [N, 8, 8]
    const Variable energy = mul(mean(square(region), {1, 2}), 100.0);  // [N]
    return stack({energy, mul(energy, 0.0)}, 1);
  }
};

}  // namespace

TEST_SUITE("xai") {

TEST_CASE("lime: weighted ridge with intercept, hand-computed one-feature case") {
  // z̄_w = 0.5, ȳ_w = 16/6; Σ w z_c y_c = 5, Σ w z_c² + 1 = 2.5 -> β = 2, intercept = 16/6 − 1.
  const xai::RidgeFit fit = xai::weighted_ridge({0, 1, 1, 0}, 4, 1, {1, 3, 5, 1}, {1, 1, 2, 2}, 1.0);
  CHECK(fit.coef[0] == doctest::Approx(2.0).epsilon(1e-12));
  CHECK(fit.intercept == doctest::Approx(16.0 / 6 - 1).epsilon(1e-12));
}

TEST_CASE("lime: weighted ridge recovers an exact linear law when the penalty vanishes") {
  // y = 1 + 2 z₀ − 3 z₁ + 0.5 z₂ on 6 rows, arbitrary positive weights.
  const std::vector<double> z = {0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1};
  std::vector<double> y;
  for (size_t s = 0; s < 6; ++s) y.push_back(1 + 2 * z[s * 3] - 3 * z[s * 3 + 1] + 0.5 * z[s * 3 + 2]);
  const xai::RidgeFit fit = xai::weighted_ridge(z, 6, 3, y, {0.5, 1, 2, 0.3, 1, 0.7}, 1e-12);
  CHECK(fit.coef[0] == doctest::Approx(2).epsilon(1e-9));
  CHECK(fit.coef[1] == doctest::Approx(-3).epsilon(1e-9));
  CHECK(fit.coef[2] == doctest::Approx(0.5).epsilon(1e-9));
  CHECK(fit.intercept == doctest::Approx(1).epsilon(1e-9));
  CHECK(testing::contains(testing::error_of([] { xai::weighted_ridge({1, 0}, 2, 1, {1, 2}, {0, 0}, 1); }),
                          "all weights are zero"));
}

TEST_CASE("slic: four colour quadrants become four superpixels, labelled in raster order") {
  const Tensor labels = xai::slic(quadrant_image().select(0, 0), {4, 0.1, 10});
  CHECK(labels.shape() == Shape{16, 16});
  const std::vector<double> l = labels.to_vector();
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x) CHECK(l[static_cast<size_t>(y * 16 + x)] == (y / 8) * 2 + x / 8);
}

TEST_CASE("slic: labels are 0 … d − 1 and every superpixel is 4-connected") {
  const Tensor image = testing::random_tensor({3, 20, 24}, DType::f64, 8, 0, 1);
  const std::vector<double> l = xai::slic(image, {20, 0.1, 10}).to_vector();
  const int64_t d = static_cast<int64_t>(*std::max_element(l.begin(), l.end())) + 1;
  CHECK(d >= 5);
  for (int64_t label = 0; label < d; ++label) {
    // Flood fill from the first pixel of the label must reach all of its pixels.
    std::vector<int> seen(l.size(), 0), stack;
    int64_t total = 0;
    for (size_t p = 0; p < l.size(); ++p) total += l[p] == label;
    REQUIRE(total > 0);
    for (size_t p = 0; p < l.size(); ++p)
      if (l[p] == label) {
        stack.push_back(static_cast<int>(p));
        seen[p] = 1;
        break;
      }
    int64_t reached = 0;
    while (!stack.empty()) {
      const int p = stack.back();
      stack.pop_back();
      ++reached;
      const int y = p / 24, x = p % 24;
      const int ny[4] = {y - 1, y + 1, y, y}, nx[4] = {x, x, x - 1, x + 1};
      for (int k = 0; k < 4; ++k) {
        if (ny[k] < 0 || ny[k] >= 20 || nx[k] < 0 || nx[k] >= 24) continue;
        const int q = ny[k] * 24 + nx[k];
        if (!seen[static_cast<size_t>(q)] && l[static_cast<size_t>(q)] == label) {
          seen[static_cast<size_t>(q)] = 1;
          stack.push_back(q);
        }
      }
    }
    CHECK_MESSAGE(reached == total, "label ", label);
  }
}

TEST_CASE("lime: recovers the superpixel a synthetic model looks at") {
  TopLeftEnergy model;
  const Tensor x = quadrant_image();
  // Hiding the top-left quadrant (its mean colour) removes the checkerboard energy: Δ = 100 · 0.05² = 0.25; the
  // other quadrants do not matter. The ridge penalty shrinks β a little below Δ.
  auto lime = xai::make_method("lime", {{"segments", "4"}, {"output", "none"}, {"seed", "3"}});
  const Tensor map = lime->attribute(model, x, {0});
  CHECK(map.shape() == Shape{1, 1, 16, 16});
  const std::vector<double> m = map.to_vector();
  const double top_left = m[0];
  CHECK(top_left > 0.9 * 0.25);
  CHECK(top_left <= 0.25 + 1e-12);
  for (int y = 0; y < 16; ++y)
    for (int x0 = 0; x0 < 16; ++x0) {
      const double v = m[static_cast<size_t>(y * 16 + x0)];
      if (y < 8 && x0 < 8) CHECK(v == top_left);
      else CHECK(std::abs(v) < 0.05 * top_left);
    }
  // Deterministic under the seed.
  testing::check_close(lime->attribute(model, x, {0}), m, 0);
}

TEST_CASE("lime: invalid options") {
  CHECK(testing::contains(testing::error_of([] { xai::make_method("lime", {{"output", "probit"}}); }),
                          "lime: output must be softmax, sigmoid or none, got 'probit'"));
  CHECK(testing::contains(testing::error_of([] { xai::make_method("lime", {{"samples", "1"}}); }),
                          "need samples >= 2"));
  CHECK(testing::contains(testing::error_of([] { xai::slic(zeros({4, 4}), {}); }), "slic: expected"));
}

}  // TEST_SUITE("xai")
