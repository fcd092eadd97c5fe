// Losses (nn/losses.h): values against plain-loop references, extreme logits, gradients at z = 0, label errors,
// float64 gradchecks, and the shift invariance of softmax cross-entropy that the paper builds on (§1).
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "autograd/ops.h"
#include "gradcheck.h"
#include "kernels/binary.h"
#include "kernels/index.h"
#include "nn/losses.h"
#include "tensor/creation.h"

using namespace htp;
using namespace htp::nn;

namespace {

// Textbook per-entry BCE (only for logits where exp does not overflow).
double bce_textbook(double z, double t) {
  const double s = 1.0 / (1.0 + std::exp(-z));
  return -(t * std::log(s) + (1.0 - t) * std::log(1.0 - s));
}

double bce_mean_reference(const std::vector<double>& z, const std::vector<double>& t) {
  double total = 0;
  for (size_t i = 0; i < z.size(); ++i) total += bce_textbook(z[i], t[i]);
  return total / static_cast<double>(z.size());
}

double ce_reference(const std::vector<double>& z, const std::vector<int64_t>& y, int64_t classes) {
  double total = 0;
  for (size_t n = 0; n < y.size(); ++n) {
    double mx = -1e300;
    for (int64_t k = 0; k < classes; ++k) mx = std::max(mx, z[n * classes + k]);
    double s = 0;
    for (int64_t k = 0; k < classes; ++k) s += std::exp(z[n * classes + k] - mx);
    total += -(z[n * classes + y[n]] - mx - std::log(s));
  }
  return total / static_cast<double>(y.size());
}

Tensor labels_of(const std::vector<int64_t>& y) { return tensor(y, {static_cast<int64_t>(y.size())}); }

const std::vector<double> kLogits = {0.3, -1.2, 2.0, 0.0, 0.7, -0.4, 1.5, -2.2, 0.1, 0.9, -0.6, 0.2};  // [3, 4]
const std::vector<int64_t> kLabels = {2, 0, 3};

}  // namespace

TEST_SUITE("nn") {

TEST_CASE("cross_entropy equals the mean negative log-softmax of the labels") {
  for (DType dt : {DType::f32, DType::f64}) {
    Variable z(tensor(kLogits, {3, 4}).to(dt));
    CHECK(cross_entropy(z, labels_of(kLabels)).item<double>() ==
          doctest::Approx(ce_reference(kLogits, kLabels, 4)).epsilon(1e-6));
  }
}

TEST_CASE("cross_entropy gradient is (softmax - one_hot) / N") {
  Variable z(tensor(kLogits, {3, 4}), true);
  cross_entropy(z, labels_of(kLabels)).backward();
  const std::vector<double> g = z.grad().to_vector();
  for (int64_t n = 0; n < 3; ++n) {
    double s = 0;
    for (int64_t k = 0; k < 4; ++k) s += std::exp(kLogits[n * 4 + k]);
    for (int64_t k = 0; k < 4; ++k) {
      const double expected = (std::exp(kLogits[n * 4 + k]) / s - (k == kLabels[n] ? 1.0 : 0.0)) / 3.0;
      CHECK(g[n * 4 + k] == doctest::Approx(expected).epsilon(1e-5));
    }
  }
}

TEST_CASE("losses stay finite and exact for logits of +-100 in float32") {
  Variable z(tensor(std::vector<float>{100.f, -100.f, 0.f, -100.f, 100.f, 0.f}, {2, 3}), true);
  const Tensor y = labels_of({1, 1});
  // Sample 0: log-softmax of the label is -200 (the others are negligible); sample 1: ~0.
  CHECK(cross_entropy(z, y).item<double>() == doctest::Approx(100.0).epsilon(1e-6));
  // BCE entries with t = 1/3 off-labels: l(z, t) = max(z, 0) - z t + log(1 + e^{-|z|}).
  // Sample 0: 200/3, 100, log 2; sample 1: 100/3, 0, log 2.
  const double expected = (200.0 + 2.0 * std::log(2.0)) / 6.0;
  Variable loss = uniform_off_labels_bce(z, y);
  CHECK(loss.item<double>() == doctest::Approx(expected).epsilon(1e-6));
  loss.backward();
  for (double g : z.grad().to_vector()) CHECK(std::isfinite(g));
  // d/dz at z = -100 with t = 1 is (σ(-100) - 1)/6 ~ -1/6.
  CHECK(z.grad().to_vector()[1] == doctest::Approx(-1.0 / 6.0).epsilon(1e-6));
}

TEST_CASE("bce_with_logits equals the textbook mean BCE over N*C entries") {
  const std::vector<double> t = {1, 0, 0.25, 0.5, 0, 1, 0.1, 0.9, 0, 0, 1, 0.3};
  for (DType dt : {DType::f32, DType::f64}) {
    Variable z(tensor(kLogits, {3, 4}).to(dt));
    CHECK(bce_with_logits(z, tensor(t, {3, 4})).item<double>() ==
          doctest::Approx(bce_mean_reference(kLogits, t)).epsilon(1e-6));
  }
}

TEST_CASE("bce_with_logits gradient is (sigmoid(z) - t) / (N*C), also at z = 0") {
  Variable z(tensor(std::vector<double>{0.0, 0.0, 1.5, -3.0}, {2, 2}), true);
  const std::vector<double> t = {1.0, 0.25, 0.0, 1.0};
  bce_with_logits(z, tensor(t, {2, 2})).backward();
  const std::vector<double> zs = z.data().to_vector(), g = z.grad().to_vector();
  for (size_t i = 0; i < 4; ++i)
    CHECK(g[i] == doctest::Approx((1.0 / (1.0 + std::exp(-zs[i])) - t[i]) / 4.0).epsilon(1e-12));
}

TEST_CASE("uniform_off_labels_bce uses targets 1 for the label and 1/C elsewhere") {
  std::vector<double> t(12, 0.25);
  for (size_t n = 0; n < 3; ++n) t[n * 4 + kLabels[n]] = 1.0;
  Variable z(tensor(kLogits, {3, 4}));
  CHECK(uniform_off_labels_bce(z, labels_of(kLabels)).item<double>() ==
        doctest::Approx(bce_mean_reference(kLogits, t)).epsilon(1e-6));
}

TEST_CASE("multi_label_bce clamps the multi-hot targets from below to the off value") {
  const std::vector<double> multi_hot = {1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0};
  Variable z(tensor(kLogits, {3, 4}));
  CHECK(multi_label_bce(z, tensor(multi_hot, {3, 4})).item<double>() ==
        doctest::Approx(bce_mean_reference(kLogits, multi_hot)).epsilon(1e-6));
  std::vector<double> uniform = multi_hot;
  for (double& v : uniform) v = std::max(v, 0.25);
  CHECK(multi_label_bce(z, tensor(multi_hot, {3, 4}), 0.25).item<double>() ==
        doctest::Approx(bce_mean_reference(kLogits, uniform)).epsilon(1e-6));
}

TEST_CASE("loss errors name the bad label, the class count and the shapes") {
  Variable z(zeros({2, 3}));
  CHECK_THROWS_WITH_AS(cross_entropy(z, labels_of({0, 3})),
                       doctest::Contains("label 3 (sample 1) is outside [0, 3) for C = 3"), Error);
  CHECK_THROWS_WITH_AS(uniform_off_labels_bce(z, labels_of({-1, 0})), doctest::Contains("label -1 (sample 0)"), Error);
  CHECK_THROWS_WITH_AS(cross_entropy(z, labels_of({0, 1, 2})), doctest::Contains("int64 [N] with N = 2"), Error);
  CHECK_THROWS_WITH_AS(cross_entropy(z, zeros({2})), doctest::Contains("labels must be int64"), Error);
  CHECK_THROWS_WITH_AS(cross_entropy(Variable(zeros({6})), labels_of({0})), doctest::Contains("floating [N, C]"),
                       Error);
  CHECK_THROWS_WITH_AS(bce_with_logits(z, zeros({3, 2})), doctest::Contains("targets float32[3, 2]"), Error);
  CHECK_THROWS_WITH_AS(multi_label_bce(z, full({2, 3}, 0.5)), doctest::Contains("must be 0 or 1, got 0.5"), Error);
  CHECK_THROWS_WITH_AS(multi_label_bce(z, zeros({2, 3}), 1.0), doctest::Contains("off-label target"), Error);
}

// Paper §1: z = W f + b and z' = (W + 1 vᵀ) f + (b + c 1) differ by the same amount (vᵀf + c) in every class, so
// softmax and cross-entropy cannot tell them apart, while each class logit's input gradient (W_k vs W_k + v) and
// the attributions f ⊙ ∂z_k/∂f differ; BCE scores every logit on its own and does see the shift.
TEST_CASE("shift invariance: equivalent CE probes with different attributions and BCE losses") {
  const int64_t classes = 4, dims = 5;
  Variable weight = testing::leaf_f64({classes, dims}, 11);
  Variable bias = testing::leaf_f64({classes}, 12);
  const Tensor v = testing::leaf_f64({1, dims}, 13).data();
  const Tensor weight2 = kernels::add(weight.data(), v);  // every row shifted by v
  const Tensor bias2 = kernels::add(bias.data(), 0.7);
  const Tensor y = labels_of({1, 3});

  Variable f1 = testing::leaf_f64({2, dims}, 14, 0.0, 2.0);
  Variable f2(f1.data().clone(), true);
  Variable z1 = linear(f1, Variable(weight.data()), Variable(bias.data()));
  Variable z2 = linear(f2, Variable(weight2), Variable(bias2));

  const std::vector<double> p1 = softmax(z1, 1).data().to_vector(), p2 = softmax(z2, 1).data().to_vector();
  for (size_t i = 0; i < p1.size(); ++i) CHECK(p1[i] == doctest::Approx(p2[i]).epsilon(1e-12));
  CHECK(cross_entropy(z1, y).item<double>() == doctest::Approx(cross_entropy(z2, y).item<double>()).epsilon(1e-12));
  CHECK(std::abs(uniform_off_labels_bce(z1, y).item<double>() - uniform_off_labels_bce(z2, y).item<double>()) > 1e-3);

  // Input x gradient of class 1's logit for sample 0: differ by f ⊙ v.
  const Tensor seed = kernels::one_hot(tensor(std::vector<int64_t>{1, 1}, {2}), classes).to(DType::f64);
  const Tensor g1 = grad({z1}, {f1}, {seed})[0], g2 = grad({z2}, {f2}, {seed})[0];
  const std::vector<double> a1 = kernels::mul(f1.data(), g1).to_vector(), a2 = kernels::mul(f2.data(), g2).to_vector();
  const std::vector<double> fv = kernels::mul(f1.data(), v).to_vector();
  double max_diff = 0;
  for (size_t i = 0; i < a1.size(); ++i) {
    CHECK(a2[i] - a1[i] == doctest::Approx(fv[i]).epsilon(1e-12));
    max_diff = std::max(max_diff, std::abs(a2[i] - a1[i]));
  }
  CHECK(max_diff > 1e-2);
}

}  // TEST_SUITE("nn")

TEST_SUITE("gradcheck") {

TEST_CASE("gradcheck: cross_entropy") {
  const Tensor y = labels_of({2, 0, 3});
  CHECK_GRADCHECK([&](const variable_list& v) { return cross_entropy(v[0], y); },
                  {testing::leaf_f64({3, 4}, 1, -3, 3)});
}

TEST_CASE("gradcheck: bce_with_logits") {
  const Tensor t = testing::leaf_f64({3, 4}, 2, 0, 1).data();
  CHECK_GRADCHECK([&](const variable_list& v) { return bce_with_logits(v[0], t); },
                  {testing::leaf_f64({3, 4}, 3, -4, 4)});
}

TEST_CASE("gradcheck: uniform_off_labels_bce") {
  const Tensor y = labels_of({1, 1, 0});
  CHECK_GRADCHECK([&](const variable_list& v) { return uniform_off_labels_bce(v[0], y); },
                  {testing::leaf_f64({3, 4}, 4, -4, 4)});
}

TEST_CASE("gradcheck: multi_label_bce with off 0 and 1/C") {
  const Tensor multi_hot = tensor(std::vector<double>{1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0}, {3, 4});
  for (double off : {0.0, 0.25})
    CHECK_GRADCHECK([&](const variable_list& v) { return multi_label_bce(v[0], multi_hot, off); },
                    {testing::leaf_f64({3, 4}, 5, -4, 4)});
}

}  // TEST_SUITE("gradcheck")
