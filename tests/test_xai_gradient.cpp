// Gradient and Input×Gradient (xai/gradient.h), the attribution interface (xai/attribution.h) and the paper's
// shift-invariance example (paper.md §1, §3.2): two CE-equivalent linear probes, one explanation each.
#include <doctest/doctest.h>

#include "autograd/ops.h"
#include "kernels/softmax.h"
#include "nn/layers.h"
#include "test_util.h"
#include "test_xai_util.h"
#include "xai/attribution.h"
#include "xai/gradient.h"

using namespace htp;

namespace {

// A smooth tiny CNN: conv 3×3 -> GELU -> global average pool -> linear, float64, eval mode.
std::shared_ptr<nn::Sequential> smooth_cnn(uint64_t seed) {
  Generator gen(seed);
  auto net = std::make_shared<nn::Sequential>();
  net->push_back(std::make_shared<nn::Conv2d>(2, 3, 3, 1, 1, 1, 1, true, &gen));
  net->push_back(std::make_shared<nn::GELU>());
  net->push_back(std::make_shared<nn::AdaptiveAvgPool2d>(1));
  net->push_back(std::make_shared<nn::Flatten>());
  net->push_back(std::make_shared<nn::Linear>(3, 4, true, &gen));
  net->to(DType::f64);
  net->eval();
  return net;
}

// Flatten -> Linear(4 -> 3) with the given weight rows and biases, float64.
std::shared_ptr<nn::Sequential> linear_probe(const std::vector<double>& w, const std::vector<double>& b) {
  auto net = std::make_shared<nn::Sequential>();
  net->push_back(std::make_shared<nn::Flatten>());
  auto fc = net->push_back(std::make_shared<nn::Linear>(4, 3));
  net->to(DType::f64);
  testing::set_values(fc->weight, w);
  testing::set_values(fc->bias, b);
  net->eval();
  return net;
}

}  // namespace

TEST_SUITE("xai") {

TEST_CASE("gradient: matches central differences of the target logit, one target per image") {
  auto net = smooth_cnn(3);
  const Tensor x = testing::random_tensor({2, 2, 4, 5}, DType::f64, 11);
  const std::vector<int64_t> targets = {1, 3};
  xai::Gradient method;
  const Tensor g = method.attribute(*net, x, targets);
  CHECK(g.shape() == Shape{2, 2, 4, 5});
  testing::check_all_close(g, testing::numerical_input_gradient(*net, x, targets).to_vector(), 1e-7);
}

TEST_CASE("gradient: parameter gradients stay untouched") {
  auto net = smooth_cnn(4);
  xai::Gradient().attribute(*net, testing::random_tensor({1, 2, 3, 3}, DType::f64, 2), {0});
  for (const auto& [name, p] : net->named_parameters()) CHECK_MESSAGE(!p.grad().defined(), name);
}

TEST_CASE("ixg: x ⊙ gradient, elementwise") {
  auto net = smooth_cnn(5);
  const Tensor x = testing::random_tensor({2, 2, 3, 4}, DType::f64, 7);
  const std::vector<int64_t> targets = {2, 0};
  const Tensor a = xai::InputXGradient().attribute(*net, x, targets);
  const std::vector<double> xs = x.to_vector(), g = testing::numerical_input_gradient(*net, x, targets).to_vector();
  std::vector<double> want(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) want[i] = xs[i] * g[i];
  testing::check_all_close(a, want, 1e-7);
}

TEST_CASE("ixg: shift invariance of softmax — CE-equivalent probes W and W + 1·vᵀ explain differently") {
  // Rows w_k of W; the second probe adds the same v to every row (and a constant to every bias).
  const std::vector<double> w = {1, 2, 3, 4, /**/ -1, 0, 1, 0, /**/ 0.5, -0.5, 0, 2};
  const std::vector<double> v = {0.5, 0.5, -1, 2};
  std::vector<double> w_shifted = w;
  for (size_t k = 0; k < 3; ++k)
    for (size_t j = 0; j < 4; ++j) w_shifted[k * 4 + j] += v[j];
  auto probe = linear_probe(w, {0.1, 0.2, 0.3});
  auto shifted = linear_probe(w_shifted, {1.1, 1.2, 1.3});
  const Tensor x = tensor(std::vector<double>{1, -1, 2, 0.5}, {1, 1, 2, 2});

  // Same softmax (hence the same CE loss and predictions) ...
  const Tensor p = kernels::softmax(tensor(testing::logits_of(*probe, x), {1, 3}), 1);
  testing::check_close(kernels::softmax(tensor(testing::logits_of(*shifted, x), {1, 3}), 1), p.to_vector(), 1e-12);
  // ... but the explanation of class 0 is x ⊙ w_0 = [1, −2, 6, 2] against x ⊙ (w_0 + v) = [1.5, −2.5, 4, 3].
  xai::InputXGradient ixg;
  testing::check_close(ixg.attribute(*probe, x, {0}), {1, -2, 6, 2}, 1e-12);
  testing::check_close(ixg.attribute(*shifted, x, {0}), {1.5, -2.5, 4, 3}, 1e-12);
}

TEST_CASE("attribution: channel_sum sums the channel dimension") {
  const Tensor a = tensor(std::vector<double>{1, 2, 3, 4, 10, 20, 30, 40}, {1, 2, 2, 2});
  const Tensor m = xai::channel_sum(a);
  CHECK(m.shape() == Shape{1, 2, 2});
  testing::check_close(m, {11, 22, 33, 44}, 0);
  CHECK(testing::contains(testing::error_of([&] { xai::channel_sum(zeros({2, 3})); }), "[N, C, H, W]"));
}

TEST_CASE("attribution: target_seed is a one-hot per row, scaled by the logit on request") {
  const Tensor logits = tensor(std::vector<double>{1, 2, 3, -4, 5, 6}, {2, 3});
  testing::check_close(xai::target_seed(logits, {2, 0}), {0, 0, 1, 1, 0, 0}, 0);
  testing::check_close(xai::target_seed(logits, {1, 0}, true), {0, 2, 0, -4, 0, 0}, 0);
  CHECK(testing::contains(testing::error_of([&] { xai::target_seed(logits, {1, 3}); }), "target 3 of image 1"));
}

TEST_CASE("attribution: errors name the method and the problem") {
  auto net = smooth_cnn(6);
  const Tensor x = testing::random_tensor({2, 2, 3, 3}, DType::f64, 1);
  CHECK(testing::contains(testing::error_of([&] { xai::Gradient().attribute(*net, x, {0}); }),
                          "gradient: 1 targets for a batch of 2 images"));
  CHECK(testing::contains(testing::error_of([&] { xai::InputXGradient().attribute(*net, zeros({2, 3}), {0, 0}); }),
                          "ixg: expected an input [N, C, H, W]"));
}

TEST_CASE("registry: builtin methods by name, unknown names and options rejected") {
  const std::vector<std::string> names = xai::list_methods();
  for (const char* name : {"gradient", "ixg", "ig", "gradcam", "gbp", "bcos", "lime", "rollout", "cgw1"}) {
    CHECK_MESSAGE(std::find(names.begin(), names.end(), name) != names.end(), name);
    CHECK(xai::make_method(name)->name() == name);
    CHECK(!xai::method_description(name).empty());
  }
  CHECK(testing::contains(testing::error_of([] { xai::make_method("nope"); }), "unknown attribution method 'nope'"));
  CHECK(testing::contains(testing::error_of([] { xai::make_method("ixg", {{"steps", "3"}}); }),
                          "ixg: unknown option 'steps' (it takes no options)"));
  CHECK(testing::contains(testing::error_of([] { xai::make_method("ig", {{"step", "3"}}); }),
                          "ig: unknown option 'step' (valid: steps baseline batch)"));
  CHECK(testing::contains(testing::error_of([] { xai::make_method("ig", {{"steps", "many"}}); }),
                          "option 'steps': expected an integer, got 'many'"));
  CHECK(testing::contains(testing::error_of([] { xai::register_method("ixg", "again", &xai::Gradient::create); }),
                          "'ixg' is already registered"));
}

TEST_CASE("registry: MethodOptions readers") {
  xai::MethodOptions o{{"a", "2.5"}, {"b", "-3"}, {"c", "Yes"}};
  o.set("d", "off");
  CHECK(o.get_double("a", 0) == 2.5);
  CHECK(o.get_int("b", 0) == -3);
  CHECK(o.get_bool("c", false));
  CHECK(!o.get_bool("d", true));
  CHECK(o.get("missing", "x") == "x");
  CHECK(testing::contains(testing::error_of([&] { o.get_int("a", 0); }), "expected an integer, got '2.5'"));
  CHECK(testing::contains(testing::error_of([&] { o.get_bool("a", false); }), "expected true or false"));
}

}  // TEST_SUITE("xai")
