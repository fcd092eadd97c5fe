// Integrated Gradients (xai/integrated_gradients.h): the Gauss–Legendre rule, exactness on a linear model and
// completeness within the quadrature error on a smooth one.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>

#include "nn/layers.h"
#include "test_util.h"
#include "test_xai_util.h"
#include "xai/attribution.h"
#include "xai/integrated_gradients.h"

using namespace htp;

namespace {

std::vector<double> per_image_sums(const Tensor& a) {
  const std::vector<double> v = a.to_vector();
  const size_t n = static_cast<size_t>(a.size(0)), per = v.size() / n;
  std::vector<double> out(n, 0.0);
  for (size_t i = 0; i < v.size(); ++i) out[i / per] += v[i];
  return out;
}

}  // namespace

TEST_SUITE("xai") {

TEST_CASE("ig: Gauss–Legendre nodes and weights on [0, 1] for n = 1, 2, 3") {
  auto q1 = xai::gauss_legendre_unit(1);
  CHECK(q1.nodes[0] == doctest::Approx(0.5).epsilon(1e-15));
  CHECK(q1.weights[0] == doctest::Approx(1.0).epsilon(1e-15));
  auto q2 = xai::gauss_legendre_unit(2);
  CHECK(q2.nodes[0] == doctest::Approx((1 - 1 / std::sqrt(3.0)) / 2).epsilon(1e-14));
  CHECK(q2.nodes[1] == doctest::Approx((1 + 1 / std::sqrt(3.0)) / 2).epsilon(1e-14));
  CHECK(q2.weights[0] == doctest::Approx(0.5).epsilon(1e-14));
  auto q3 = xai::gauss_legendre_unit(3);
  CHECK(q3.nodes[0] == doctest::Approx((1 - std::sqrt(0.6)) / 2).epsilon(1e-14));
  CHECK(q3.nodes[1] == doctest::Approx(0.5).epsilon(1e-14));
  CHECK(q3.weights[0] == doctest::Approx(5.0 / 18).epsilon(1e-14));
  CHECK(q3.weights[1] == doctest::Approx(4.0 / 9).epsilon(1e-14));
  CHECK(q3.weights[2] == doctest::Approx(5.0 / 18).epsilon(1e-14));
}

TEST_CASE("ig: the 50-point rule integrates t^k exactly up to k = 99, nodes ascending inside (0, 1)") {
  const auto q = xai::gauss_legendre_unit(50);
  REQUIRE(q.nodes.size() == 50);
  for (size_t i = 0; i < 50; ++i) {
    CHECK(q.nodes[i] > 0.0);
    CHECK(q.nodes[i] < 1.0);
    if (i) CHECK(q.nodes[i] > q.nodes[i - 1]);
  }
  for (int k = 0; k <= 99; ++k) {
    double s = 0;
    for (size_t i = 0; i < 50; ++i) s += q.weights[i] * std::pow(q.nodes[i], k);
    CHECK_MESSAGE(std::abs(s - 1.0 / (k + 1)) < 1e-13, "k = ", k, ": ", s);
  }
}

TEST_CASE("ig: exact on a linear model, (x − x₀) ⊙ w_t, for any baseline") {
  auto net = std::make_shared<nn::Sequential>();
  net->push_back(std::make_shared<nn::Flatten>());
  auto fc = net->push_back(std::make_shared<nn::Linear>(3, 2));
  net->to(DType::f64);
  testing::set_values(fc->weight, {1, -2, 0.5, 3, 0, -1});
  testing::set_values(fc->bias, {7, -7});
  net->eval();
  const Tensor x = tensor(std::vector<double>{1, 2, -1, 0.5, 0.5, 4}, {2, 3, 1, 1});
  testing::check_close(xai::make_method("ig")->attribute(*net, x, {0, 1}), {1, -4, -0.5, 1.5, 0, -4}, 1e-12);
  testing::check_close(xai::make_method("ig", {{"baseline", "0.5"}, {"steps", "3"}})->attribute(*net, x, {0, 1}),
                       {0.5, -3, -0.75, 0, 0, -3.5}, 1e-12);
}

TEST_CASE("ig: completeness Σ A = y_t(x) − y_t(0) within the quadrature error on a smooth model") {
  Generator gen(21);
  auto net = std::make_shared<nn::Sequential>();
  net->push_back(std::make_shared<nn::Conv2d>(3, 4, 3, 1, 1, 1, 1, true, &gen));
  net->push_back(std::make_shared<nn::GELU>());
  net->push_back(std::make_shared<nn::Conv2d>(4, 4, 3, 1, 1, 1, 1, true, &gen));
  net->push_back(std::make_shared<nn::GELU>());
  net->push_back(std::make_shared<nn::AdaptiveAvgPool2d>(1));
  net->push_back(std::make_shared<nn::Flatten>());
  net->push_back(std::make_shared<nn::Linear>(4, 3, true, &gen));
  net->to(DType::f64);
  net->eval();
  const Tensor x = testing::random_tensor({2, 3, 5, 5}, DType::f64, 5, -2, 2);
  const std::vector<int64_t> targets = {2, 1};
  const std::vector<double> at_x = testing::logits_of(*net, x), at_0 = testing::logits_of(*net, zeros_like(x));

  const Tensor a50 = xai::make_method("ig")->attribute(*net, x, targets);
  const Tensor a2 = xai::make_method("ig", {{"steps", "2"}})->attribute(*net, x, targets);
  const std::vector<double> s50 = per_image_sums(a50), s2 = per_image_sums(a2);
  for (size_t n = 0; n < 2; ++n) {
    const double delta = at_x[n * 3 + targets[n]] - at_0[n * 3 + targets[n]];
    CHECK(std::abs(delta) > 1e-3);  // a non-trivial check
    CHECK_MESSAGE(std::abs(s50[n] - delta) < 1e-8 * std::max(1.0, std::abs(delta)), s50[n], " vs ", delta);
    CHECK(std::abs(s2[n] - delta) > std::abs(s50[n] - delta));  // the error shrinks with n
  }
  // The internal batch size only chunks the scaled inputs.
  const Tensor a50_b1 = xai::make_method("ig", {{"batch", "1"}})->attribute(*net, x, targets);
  const Tensor a50_b100 = xai::make_method("ig", {{"batch", "100"}})->attribute(*net, x, targets);
  testing::check_all_close(a50_b1, a50.to_vector(), 1e-12);
  testing::check_all_close(a50_b100, a50.to_vector(), 1e-12);
}

TEST_CASE("ig: invalid options") {
  CHECK(testing::contains(testing::error_of([] { xai::make_method("ig", {{"steps", "0"}}); }),
                          "ig: steps must be at least 1"));
  CHECK(testing::contains(testing::error_of([] { xai::make_method("ig", {{"batch", "0"}}); }),
                          "ig: batch must be at least 1"));
}

}  // TEST_SUITE("xai")
