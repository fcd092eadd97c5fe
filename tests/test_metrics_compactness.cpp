// Compactness (Gini index, metrics/gini.h) and complexity (Shannon entropy in bits, metrics/entropy.h) against
// hand-computed values: one-hot and uniform vectors, a small ramp, negatives ignored, and the smoothed entropy of a
// single pixel.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "metrics/entropy.h"
#include "metrics/gini.h"
#include "tensor/creation.h"
#include "test_util.h"

using namespace htp;
using namespace htp::metrics;
using testing::contains;
using testing::error_of;

TEST_SUITE("metrics") {
  TEST_CASE("Gini index of one-hot and uniform maps") {
    std::vector<double> v(16, 0.0);
    v[5] = 1;
    const double n = 16, eps = 1e-7;
    // a = 1e-7 everywhere, 1 + 1e-7 at the top: Σ (2i - n - 1) a_i = n - 1, Σ a_i = 1 + n 1e-7.
    CHECK(gini_index(tensor(v, {4, 4})) == doctest::Approx((n - 1) / (n * (1 + n * eps))).epsilon(1e-14));
    CHECK(gini_index(tensor(v, {4, 4})) == doctest::Approx(1 - 1 / n).epsilon(1e-5));
    CHECK(std::abs(gini_index(full({4, 4}, 0.3, DType::f32))) < 1e-12);
  }

  TEST_CASE("Gini index of a ramp, with negatives clipped and any order") {
    // a = [0, 1, 2, 3] + 1e-7, weights -3, -1, 1, 3: Σ = 10, n Σ a = 4 (6 + 4e-7).
    const double want = 10 / (4 * (6 + 4e-7));
    CHECK(gini_index(tensor<double>({0, 1, 2, 3}, {2, 2})) == doctest::Approx(want).epsilon(1e-14));
    CHECK(gini_index(tensor<double>({3, -5, 2, 1}, {2, 2})) == doctest::Approx(want).epsilon(1e-14));
    CHECK(contains(error_of([] { gini_index(Tensor()); }), "gini_index: expected a non-empty float32/float64 map"));
  }

  TEST_CASE("Shannon entropy in bits") {
    CHECK(shannon_entropy(ones({8})) == doctest::Approx(3.0).epsilon(1e-8));  // log2 8
    CHECK(shannon_entropy(ones({5, 5})) == doctest::Approx(std::log2(25.0)).epsilon(1e-8));
    std::vector<double> one_hot(10, 0.0);
    one_hot[3] = 2;
    CHECK(std::abs(shannon_entropy(tensor(one_hot, {10}))) < 1e-8);
    // p = [1/4, 1/4, 1/2]: 2 · 1/4 · 2 + 1/2 · 1 = 1.5 bits; the negative value is dropped.
    CHECK(shannon_entropy(tensor<double>({1, 1, 2}, {3})) == doctest::Approx(1.5).epsilon(1e-8));
    CHECK(shannon_entropy(tensor<double>({1, -3, 1, 2}, {4})) == doctest::Approx(1.5).epsilon(1e-8));
    CHECK(shannon_entropy(zeros({4})) == 0.0);
  }

  TEST_CASE("complexity smooths with the 5x5 mean first") {
    // One pixel in the middle of a 9 x 9 map becomes 25 equal values: log2 25 bits.
    std::vector<double> v(81, 0.0);
    v[4 * 9 + 4] = 7;
    CHECK(complexity(tensor(v, {9, 9})) == doctest::Approx(std::log2(25.0)).epsilon(1e-8));
    CHECK(contains(error_of([] {
                     complexity(ones({2, 3, 3}));
                   }),
                   "complexity: expected a non-empty float32/float64 "
                   "attribution map [H, W], got float32[2, 3, 3]"));
  }

}  // TEST_SUITE
