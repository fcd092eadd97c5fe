// LRP (xai-methods.md B): each rule of B.3 on a hand-computed case (Epsilon through two layers, generalised Gamma
// with mixed-sign weights and inputs, ZBox with bounds, Norm on average pools, Pass through ReLU), the residual sum
// in copy and proportional modes on a hand-made block, conservation of LRP-ε on a bias-free ReLU net, LRP-0 equal
// to Gradient×Input, BatchNorm merging (outputs unchanged, BatchNorm nodes made identities, model restored), and the
// "lrp" method on a tiny ResNet with zero biases (relevance conserved in proportional mode, multiplied by 2 per
// residual add in copy mode).
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <unordered_set>

#include "autograd/ops.h"
#include "kernels/binary.h"
#include "nn/models.h"
#include "test_util.h"
#include "xai/canonize.h"
#include "xai/lrp.h"
#include "xai/lrp_composite.h"

using namespace htp;
using namespace htp::xai;
using testing::check_close;

namespace {

Variable constant(const std::vector<double>& values, const Shape& shape) { return Variable(tensor(values, shape)); }

EpsilonGammaBoxOptions options_with(double epsilon, double gamma, double stabilizer) {
  EpsilonGammaBoxOptions o;
  o.epsilon = epsilon;
  o.gamma = gamma;
  o.stabilizer = stabilizer;
  return o;
}

// The relevance arriving at `at` when `out` is run backward from `seed` under `rules`.
Tensor relevance(const Variable& out, const Variable& at, const Tensor& seed, EpsilonGammaBoxOptions options) {
  EpsilonGammaBox rules(std::move(options));
  BackwardOptions backward;
  backward.rules = &rules;
  return grad({out}, {at}, {seed}, backward)[0];
}

// Sum of t over all dims but the first, per row, in double.
std::vector<double> row_sums(const Tensor& t) {
  const std::vector<double> v = t.to_vector();
  const size_t n = static_cast<size_t>(t.size(0)), per = v.size() / n;
  std::vector<double> sums(n, 0.0);
  for (size_t i = 0; i < v.size(); ++i) sums[i / per] += v[i];
  return sums;
}

// A ResNet-18-style net: BasicBlocks, one per stage, widths 4/8/16/32, the 7×7/2 stem with its max pool.
std::shared_ptr<nn::ResNet> tiny_resnet() {
  nn::ResNetConfig c = nn::resnet_config(18, 3);
  c.layers = {1, 1, 1, 1};
  c.base_width = 4;
  auto model = std::make_shared<nn::ResNet>(c);
  model->to(DType::f64);
  return model;
}

// Gives every BatchNorm non-trivial statistics and affine parameters; centred = true keeps μ = 0 and β = 0, so that
// merged biases are zero.
void randomise_batch_norms(nn::Module& model, bool centred) {
  uint64_t seed = 100;
  for (const auto& [name, module] : model.named_modules()) {
    auto* bn = dynamic_cast<nn::BatchNorm*>(module);
    if (!bn) continue;
    const Shape c{bn->num_features};
    bn->running_var.mutable_data() = testing::random_tensor(c, DType::f64, ++seed, 0.5, 2.0);
    bn->weight.mutable_data() = testing::random_tensor(c, DType::f64, ++seed, 0.5, 1.5);
    bn->running_mean.mutable_data() = centred ? zeros(c, DType::f64) : testing::random_tensor(c, DType::f64, ++seed);
    bn->bias.mutable_data() = centred ? zeros(c, DType::f64) : testing::random_tensor(c, DType::f64, ++seed);
  }
}

std::vector<const BatchNormBackward*> batch_norm_nodes(const Variable& out) {
  std::vector<const BatchNormBackward*> found;
  std::vector<Node*> stack{out.grad_fn().get()};
  std::unordered_set<Node*> seen{stack[0]};
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    if (const auto* bn = dynamic_cast<const BatchNormBackward*>(n)) found.push_back(bn);
    for (const Edge& e : n->next_edges)
      if (e.node && seen.insert(e.node.get()).second) stack.push_back(e.node.get());
  }
  return found;
}

bool all_equal(const Tensor& t, double value) {
  for (double v : t.to_vector())
    if (std::abs(v - value) > 1e-12) return false;
  return true;
}

}  // namespace

TEST_SUITE("xai") {

TEST_CASE("lrp stabilize adds eps with the sign of z, +eps at zero") {
  check_close(lrp::stabilize(tensor(std::vector<double>{-2, 0, 3}, {3}), 0.5), {-2.5, 0.5, 3.5}, 1e-15);
}

TEST_CASE("lrp epsilon rule through two linear layers and a ReLU (hand-computed)") {
  // h = W1 x + b1 = [4, -1], a = relu(h) = [4, 0], y = W2 a + b2 = 6, R_out = y = 6, ε = 1.
  // Layer 2: R_a = a ⊙ W2ᵀ (6 / stab(6)) = [4, 0] ⊙ [6/7, 12/7] = [24/7, 0]; the ReLU passes it.
  // Layer 1: s = R_h / stab(h) = [24/7 / 5, 0 / −2] = [24/35, 0]; R_x = x ⊙ W1ᵀ s = [1, 2] ⊙ [24/35, 24/35].
  Variable x = testing::leaf({1, 2}, {1, 2});
  Variable h = linear(x, constant({1, 1, 1, -1}, {2, 2}), constant({1, 0}, {2}));
  Variable y = linear(relu(h), constant({1, 2}, {1, 2}), constant({2}, {1}));
  REQUIRE(y.item<double>() == 6.0);
  const Tensor r = relevance(y, x, target_seed(y.data(), {0}, true), options_with(1.0, 0.25, 1e-6));
  check_close(r, {24.0 / 35, 48.0 / 35}, 1e-14);
}

TEST_CASE("lrp generalised gamma rule on a 1x1 convolution with mixed signs (hand-computed)") {
  // a = [2, −1], γ = 0.5, z = W a + b. Output 0: W = [1, −2], b = 0.5, z = 4.5 > 0:
  //   W↑ = [1.5, −2], W↓ = [1, −3], b↑ = 0.75; P = W↑a⁺ + b↑ + W↓a⁻ = 3 + 0.75 + 3 = 6.75; S_P = 9 / 6.75 = 4/3;
  //   R_in = a⁺ ⊙ W↑ᵀS_P + a⁻ ⊙ W↓ᵀS_P = [2·1.5, 0]·4/3 + [0, (−1)(−3)]·4/3 = [4, 4]   (the bias keeps 0.75·4/3 = 1)
  // Output 1: W = [−1, 1], b = −0.5, z = −3.5 < 0:
  //   W↑ = [−1, 1.5], W↓ = [−1.5, 1], b↓ = −0.75; Q = W↓a⁺ + b↓ + W↑a⁻ = −3 − 0.75 − 1.5 = −5.25; S_Q = 7 / −5.25;
  //   R_in = a⁺ ⊙ W↓ᵀS_Q + a⁻ ⊙ W↑ᵀS_Q = [2(−1.5), 0]·(−4/3) + [0, (−1)(1.5)]·(−4/3) = [4, 2]
  Variable a = testing::leaf({2, -1}, {1, 2, 1, 1});
  Variable z = conv2d(a, constant({1, -2, -1, 1}, {2, 2, 1, 1}), constant({0.5, -0.5}, {2}));
  const Tensor r = relevance(z, a, tensor(std::vector<double>{9, 7}, {1, 2, 1, 1}), options_with(1e-6, 0.5, 1e-12));
  check_close(r, {8, 6}, 1e-10);
}

TEST_CASE("lrp gamma rule on a non-negative input; an output with z = 0 passes nothing") {
  // a = [3, 1], γ = 0.5, no bias. Output 0: W = [1, −2], z = 1, W↑ = [1.5, −2], P = 4.5 − 2 = 2.5, S_P = 5 / 2.5 = 2,
  // R_in = a ⊙ W↑ᵀS_P = [9, −4]. Output 1: W = [1, −3], z = 0: its relevance 100 goes nowhere.
  Variable a = testing::leaf({3, 1}, {1, 2, 1, 1});
  Variable z = conv2d(a, constant({1, -2, 1, -3}, {2, 2, 1, 1}));
  const Tensor r = relevance(z, a, tensor(std::vector<double>{5, 100}, {1, 2, 1, 1}), options_with(1e-6, 0.5, 1e-12));
  check_close(r, {9, -4}, 1e-10);
}

TEST_CASE("lrp gamma with gamma = 0 equals LRP-0 (epsilon -> 0) on a random convolution") {
  Variable a(testing::random_tensor({2, 3, 5, 5}, DType::f64, 1), true);
  Variable w(testing::random_tensor({4, 3, 3, 3}, DType::f64, 2));
  Variable b(testing::random_tensor({4}, DType::f64, 3));
  Variable z = conv2d(a, w, b, {{1, 1}, {1, 1}});
  const Tensor seed = testing::random_tensor(z.shape(), DType::f64, 4);
  const Tensor lrp0 = lrp::epsilon_rule(lrp::affine_layer(dynamic_cast<Conv2dBackward&>(*z.grad_fn())), seed, 1e-12);
  const Tensor gamma0 = relevance(z, a, seed, options_with(1e-6, 0.0, 1e-12));
  testing::check_all_close(gamma0, lrp0.to_vector(), 1e-8);
}

TEST_CASE("lrp zbox rule on the convolution tagged as the stem (hand-computed)") {
  // a = [1, −1], W = [2, −1], b = 3, l = [−1, −2], h = [2, 1]: W⁺ = [2, 0], W⁻ = [0, −1],
  // D = Wa − W⁺l − W⁻h = 3 + 2 + 1 = 6, S = 12 / 6 = 2,
  // R_in = a ⊙ WᵀS − l ⊙ W⁺ᵀS − h ⊙ W⁻ᵀS = [4, 2] − [−4, 0] − [0, −2] = [8, 4]   (Σ = 12: the bias takes nothing)
  Variable a = testing::leaf({1, -1}, {1, 2, 1, 1});
  auto stem = [&] {
    NodeTagScope scope("stem");
    return conv2d(a, constant({2, -1}, {1, 2, 1, 1}), constant({3}, {1}));
  };
  const Tensor seed = tensor(std::vector<double>{12}, {1, 1, 1, 1});
  EpsilonGammaBoxOptions o = options_with(1e-6, 0.25, 1e-12);
  o.first_conv = "stem";
  o.low = tensor(std::vector<double>{-1, -2}, {1, 2, 1, 1});
  o.high = tensor(std::vector<double>{2, 1}, {1, 2, 1, 1});
  check_close(relevance(stem(), a, seed, o), {8, 4}, 1e-10);
  // Another tag: the same convolution gets Gamma: R_in = a⁺ ⊙ W↑ᵀS_P + a⁻ ⊙ W↓ᵀS_P with W↑ = [2.5, −1],
  // W↓ = [2, −1.25], b↑ = 3.75: P = 2.5 + 3.75 + 1.25 = 7.5, S_P = 1.6, R_in = [1·2.5·1.6, (−1)(−1.25)·1.6] = [4, 2].
  o.first_conv = "other";
  check_close(relevance(stem(), a, seed, o), {4, 2}, 1e-10);
}

TEST_CASE("lrp zbox rule errors name a bound that does not fit the input") {
  Variable a = testing::leaf({1, -1}, {1, 2, 1, 1});
  Variable z;
  {
    NodeTagScope scope("stem");
    z = conv2d(a, constant({2, -1}, {1, 2, 1, 1}));
  }
  EpsilonGammaBoxOptions o;
  o.first_conv = "stem";
  o.low = zeros({1, 3, 1, 1}, DType::f64);
  o.high = ones({1, 3, 1, 1}, DType::f64);
  const std::string msg = testing::error_of([&] { relevance(z, a, ones({1, 1, 1, 1}, DType::f64), o); });
  CHECK(testing::contains(msg, "low bound"));
  CHECK(testing::contains(msg, "does not broadcast"));
  o.high = Tensor();
  CHECK(testing::contains(testing::error_of([&] { EpsilonGammaBox rules(o); }), "needs both bounds"));
}

TEST_CASE("lrp norm rule on average pools (hand-computed)") {
  SUBCASE("avg_pool2d 2x2: R_in = a · R / (n · mean a)") {
    // a = [1, 3, 2, 6], mean 3, R = 6: R_in = a · 6 / (4 · 3) = a / 2.
    Variable a = testing::leaf({1, 3, 2, 6}, {1, 1, 2, 2});
    kernels::AvgPool2dParams p;
    p.kernel = {2, 2};
    p.stride = {2, 2};
    Variable y = avg_pool2d(a, p);
    check_close(relevance(y, a, tensor(std::vector<double>{6}, {1, 1, 1, 1}), options_with(1e-6, 0.25, 1e-12)),
                {0.5, 1.5, 1, 3}, 1e-10);
  }
  SUBCASE("adaptive_avg_pool2d with overlapping cells") {
    // a = [1, 2, 4] pooled to 2 cells: columns [0, 2) and [1, 3), means 1.5 and 3; R = [3, 6]: S = R / mean = [2, 2],
    // Pᵀ S = [2/2, 2/2 + 2/2, 2/2] = [1, 2, 1], R_in = a ⊙ Pᵀ S = [1, 4, 4] (Σ = 9).
    Variable a = testing::leaf({1, 2, 4}, {1, 1, 1, 3});
    Variable y = adaptive_avg_pool2d(a, {1, 2});
    check_close(relevance(y, a, tensor(std::vector<double>{3, 6}, {1, 1, 1, 2}), options_with(1e-6, 0.25, 1e-12)),
                {1, 4, 4}, 1e-10);
  }
}

TEST_CASE("lrp norm rule uses the pooled input whichever op produced it") {
  // The global-average-pool relevance is a · R / (n · mean a) with a the pool's input, whichever op produced it.
  Variable x(testing::random_tensor({1, 2, 3, 3}, DType::f64, 7), true);
  Variable w(testing::random_tensor({2, 2, 1, 1}, DType::f64, 8));
  const std::vector<std::pair<const char*, std::function<Variable(const Variable&)>>> producers = {
      {"conv", [&](const Variable& v) { return conv2d(v, w, Variable(ones({2}, DType::f64))); }},
      {"relu", [&](const Variable& v) { return relu(v); }},
      {"add", [&](const Variable& v) { return add(v, v * 2.0); }},
      {"batch_norm", [&](const Variable& v) {
         return batch_norm(v, Variable(full({2}, 3.0, DType::f64)), Variable(ones({2}, DType::f64)),
                           full({2}, 0.5, DType::f64), full({2}, 4.0, DType::f64), false);
       }},
      {"sigmoid", [&](const Variable& v) { return sigmoid(v); }}};
  for (const auto& [name, produce] : producers) {
    CAPTURE(name);
    Variable a = produce(x);
    Variable y = adaptive_avg_pool2d(a, {1, 1});
    const Tensor seed = tensor(std::vector<double>{5, -2}, {1, 2, 1, 1});
    const std::vector<double> av = a.data().to_vector(), mean = y.data().to_vector();
    std::vector<double> want(av.size());
    for (size_t i = 0; i < av.size(); ++i) want[i] = av[i] * seed.to_vector()[i / 9] / (9 * mean[i / 9]);
    check_close(relevance(y, a, seed, options_with(1e-6, 0.25, 1e-14)), want, 1e-9);
  }
}

TEST_CASE("lrp passes relevance through ReLU without its mask") {
  Variable h(tensor(std::vector<double>{-1, 2, -3, 4}, {1, 4}), true);
  Variable a = h * 1.0;  // a non-leaf, so that the ReLU's own node is on the path
  const Tensor seed = tensor(std::vector<double>{1, 2, 3, 4}, {1, 4});
  check_close(relevance(relu(a), a, seed, {}), {1, 2, 3, 4}, 0);  // the gradient would give [0, 2, 0, 4]
}

TEST_CASE("lrp residual sum: copy duplicates the relevance, proportional splits it by contribution") {
  // x = [1, 2], v = W x = [1, −1] (W = diag(1, −0.5)), s = v + x = [2, 1], y = [1, 1] · s = 3; R_out = 3, ε → 0.
  // R_s = s ⊙ [1, 1] · 3/3 = [2, 1].
  //   copy:         R_v = R_x(direct) = [2, 1]; through W: s = R_v / v = [2, −1], R = x ⊙ Wᵀs = [2, 1];
  //                 R_x = [2, 1] + [2, 1] = [4, 2]   (Σ = 6: every residual add doubles what crosses it)
  //   proportional: R_x(direct) = x ⊙ R_s / s = [1, 2], R_v = v ⊙ R_s / s = [1, −1]; through W: R_v / v = [1, 1],
  //                 R = x ⊙ Wᵀ[1, 1] = [1, −1]; R_x = [2, 1]   (Σ = 3 = y: conserved)
  Variable x = testing::leaf({1, 2}, {1, 2});
  Variable v = linear(x, constant({1, 0, 0, -0.5}, {2, 2}));
  Variable y = linear(add(v, x), constant({1, 1}, {1, 2}));
  const Tensor seed = target_seed(y.data(), {0}, true);
  EpsilonGammaBoxOptions o = options_with(1e-12, 0.25, 1e-12);
  o.residual = lrp::ResidualMode::copy;
  BackwardOptions keep;
  keep.retain_graph = true;
  EpsilonGammaBox copy(o);
  keep.rules = &copy;
  check_close(grad({y}, {x}, {seed}, keep)[0], {4, 2}, 1e-10);
  o.residual = lrp::ResidualMode::proportional;
  check_close(relevance(y, x, seed, o), {2, 1}, 1e-10);
}

TEST_CASE("lrp epsilon conserves relevance on a bias-free ReLU net") {
  Variable x(testing::random_tensor({2, 6}, DType::f64, 11), true);
  Variable w1(testing::random_tensor({8, 6}, DType::f64, 12)), w2(testing::random_tensor({8, 8}, DType::f64, 13)),
      w3(testing::random_tensor({3, 8}, DType::f64, 14));
  Variable y = linear(relu(linear(relu(linear(x, w1)), w2)), w3);
  const std::vector<int64_t> targets{0, 2};
  const Tensor r = relevance(y, x, target_seed(y.data(), targets, true), options_with(1e-9, 0.25, 1e-9));
  const std::vector<double> sums = row_sums(r), logits = y.data().to_vector();
  for (size_t n = 0; n < 2; ++n) CHECK(sums[n] == doctest::Approx(logits[n * 3 + targets[n]]).epsilon(1e-7));
}

TEST_CASE("lrp with epsilon -> 0 and gamma = 0 equals Gradient x Input on a bias-free ReLU net") {
  // conv → relu → max pool → conv → relu → global average pool → linear: every layer is linear between ReLUs, so
  // LRP-0 (Gamma with γ = 0, Norm, the max pool's gradient, Epsilon) from R_out = y_t gives x ⊙ ∂y_t/∂x.
  Variable x(testing::random_tensor({1, 2, 6, 6}, DType::f64, 21), true);
  Variable w1(testing::random_tensor({4, 2, 3, 3}, DType::f64, 22)), w2(testing::random_tensor({4, 4, 3, 3}, DType::f64, 23)),
      w3(testing::random_tensor({3, 4}, DType::f64, 24));
  kernels::MaxPool2dParams mp;
  mp.kernel = {2, 2};
  mp.stride = {2, 2};
  Variable h = max_pool2d(relu(conv2d(x, w1, Variable(), {{1, 1}, {1, 1}})), mp);
  h = adaptive_avg_pool2d(relu(conv2d(h, w2, Variable(), {{1, 1}, {1, 1}})), {1, 1});
  Variable y = linear(flatten(h, 1), w3);
  BackwardOptions keep;
  keep.retain_graph = true;
  const Tensor gradient = grad({y}, {x}, {target_seed(y.data(), {1})}, keep)[0];
  const Tensor r = relevance(y, x, target_seed(y.data(), {1}, true), options_with(1e-12, 0.0, 1e-12));
  testing::check_all_close(r, kernels::mul(x.data(), gradient).to_vector(), 1e-8);
}

TEST_CASE("lrp batch-norm merging keeps the outputs, makes every BatchNorm an identity and is undone") {
  auto model = tiny_resnet();
  randomise_batch_norms(*model, /*centred=*/false);
  model->eval();
  const nn::StateDict before = model->state_dict();
  std::map<std::string, std::vector<double>> values;
  for (const auto& [name, t] : before) values[name] = t.to_vector();
  Variable x(testing::random_tensor({2, 3, 32, 32}, DType::f64, 31), true);
  const std::vector<double> y0 = (*model)(x).data().to_vector();
  {
    BatchNormMerge merge(*model);
    CHECK(merge.num_merged() == 12);  // stem + 2 per block + the downsamples of stages 2-4
    CHECK(model->conv1->bias.defined());
    Variable y = (*model)(x);
    testing::check_close(y.data(), y0, 1e-10);
    const auto bns = batch_norm_nodes(y);
    CHECK(bns.size() == 12);
    for (const BatchNormBackward* bn : bns) {  // y = (x − 0) · 1 · 1 + 0
      CHECK(all_equal(bn->save_mean.get_unchecked(), 0.0));
      CHECK(all_equal(bn->save_invstd.get_unchecked(), 1.0));
      CHECK(all_equal(bn->weight.get_unchecked(), 1.0));
      CHECK(all_equal(bn->bias.get_unchecked(), 0.0));
    }
  }
  CHECK_FALSE(model->conv1->bias.defined());
  for (const auto& [name, t] : model->state_dict()) CHECK_MESSAGE(t.to_vector() == values[name], name);
  CHECK((*model)(x).data().to_vector() == y0);
}

TEST_CASE("lrp batch-norm merging refuses a model in training mode and leaves it unchanged") {
  auto model = tiny_resnet();
  const std::vector<double> w = model->conv1->weight.data().to_vector();
  CHECK(testing::contains(testing::error_of([&] { BatchNormMerge merge(*model); }),
                          "BatchNorm2d 'bn1' is in training mode"));
  CHECK(model->conv1->weight.data().to_vector() == w);
  CHECK_FALSE(model->conv1->bias.defined());
}

TEST_CASE("lrp method on a tiny ResNet: zbox stem, relevance conserved with zero biases, model restored") {
  auto model = tiny_resnet();
  randomise_batch_norms(*model, /*centred=*/true);
  model->fc->bias.mutable_data() = zeros({3}, DType::f64);
  model->eval();
  CHECK(first_conv_path(*model) == std::optional<std::string>("conv1"));
  // Normalised images (u − μ)/σ with u in [0, 1): inside the ZBox bounds.
  const std::vector<double> mean{0.485, 0.456, 0.406}, std{0.229, 0.224, 0.225};
  Tensor x = testing::random_tensor({2, 3, 32, 32}, DType::f64, 41, 0.0, 1.0);
  x = kernels::div(kernels::sub(x, tensor(mean, {1, 3, 1, 1})), tensor(std, {1, 3, 1, 1}));
  const std::vector<int64_t> targets{0, 2};
  const std::vector<double> logits = (*model)(Variable(x)).data().to_vector();

  LrpOptions proportional;
  proportional.residual = lrp::ResidualMode::proportional;
  const Tensor r = Lrp(proportional).attribute(*model, x, targets);
  CHECK(r.shape() == Shape{2, 3, 32, 32});
  const std::vector<double> sums = row_sums(r);
  for (size_t n = 0; n < 2; ++n) CHECK(sums[n] == doctest::Approx(logits[n * 3 + targets[n]]).epsilon(1e-4));
  CHECK((*model)(Variable(x)).data().to_vector() == logits);  // merge undone

  // The reference's copy mode (the default): each of the 4 residual adds sends its relevance into both branches, and
  // each branch conserves it, so the input receives 2⁴ times the logit.
  auto method = make_method("lrp");
  CHECK(method->name() == "lrp");
  const std::vector<double> copied = row_sums(method->attribute(*model, x, targets));
  for (size_t n = 0; n < 2; ++n) CHECK(copied[n] == doctest::Approx(16 * logits[n * 3 + targets[n]]).epsilon(1e-4));
}

TEST_CASE("lrp method options: errors name the option") {
  CHECK(testing::contains(testing::error_of([] { make_method("lrp", {{"residual", "half"}}); }),
                          "expected copy or proportional"));
  CHECK(testing::contains(testing::error_of([] { make_method("lrp", {{"stats", "coco"}}); }), "imagenet or clip"));
  CHECK(testing::contains(testing::error_of([] { make_method("lrp", {{"mean", "0.5,x"}}); }), "comma-separated"));
  CHECK(testing::contains(testing::error_of([] { make_method("lrp", {{"mean", "0.5"}}); }), "one value per channel"));
  CHECK(testing::contains(testing::error_of([] { make_method("lrp", {{"alpha", "1"}}); }), "unknown option 'alpha'"));
}

}  // TEST_SUITE("xai")
