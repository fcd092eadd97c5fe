// Guided Backprop (xai/guided_backprop.h) on a hand-computed two-layer ReLU net, and B-cos contributions
// (xai/bcos_contributions.h): a hand-computed one-layer B-cos head and completeness on a tiny B-cos ResNet.
#include <doctest/doctest.h>

#include <cmath>

#include "autograd/ops.h"
#include "nn/bcos.h"
#include "nn/layers.h"
#include "nn/models.h"
#include "nn/probes.h"
#include "tensor/random.h"
#include "test_util.h"
#include "test_xai_util.h"
#include "xai/attribution.h"
#include "xai/bcos_contributions.h"
#include "xai/guided_backprop.h"

using namespace htp;

namespace {

// flatten -> Linear(2 -> 3, no bias) -> `act` -> Linear(3 -> 2, no bias), float64.
std::shared_ptr<nn::Sequential> two_layer(std::shared_ptr<nn::Module> act) {
  auto net = std::make_shared<nn::Sequential>();
  net->push_back(std::make_shared<nn::Flatten>());
  auto fc1 = net->push_back(std::make_shared<nn::Linear>(2, 3, false));
  net->push_back(act);
  auto fc2 = net->push_back(std::make_shared<nn::Linear>(3, 2, false));
  net->to(DType::f64);
  testing::set_values(fc1->weight, {1, -1, /**/ 2, 1, /**/ -1, 1});
  testing::set_values(fc2->weight, {1, -2, 3, /**/ -1, 1, 2});
  net->eval();
  return net;
}

// A ReLU applied functionally (not an nn::ReLU module): Guided Backprop leaves it alone, as captum does.
struct FunctionalRelu : nn::Module {
  std::string type_name() const override { return "FunctionalRelu"; }
  Variable forward(const Variable& x) override { return relu(x); }
};

}  // namespace

TEST_SUITE("xai") {

TEST_CASE("gbp: ReLU modules pass only positive gradients through positive inputs (hand-computed)") {
  auto net = two_layer(std::make_shared<nn::ReLU>());
  const Tensor x = tensor(std::vector<double>{1, 0.5}, {1, 2, 1, 1});
  // h = W1 x = [0.5, 2.5, −0.5], mask [1, 1, 0]. Target 0: ∂y/∂h = [1, −2, 3].
  // Gradient: W1ᵀ [1, −2, 0] = [−3, −3]. Guided: W1ᵀ max(0, [1, −2, 0]) = W1ᵀ [1, 0, 0] = [1, −1].
  testing::check_close(xai::make_method("gradient")->attribute(*net, x, {0}), {-3, -3}, 1e-12);
  testing::check_close(xai::make_method("gbp")->attribute(*net, x, {0}), {1, -1}, 1e-12);
  // Target 1: ∂y/∂h = [−1, 1, 2] -> guided [0, 1, 0] -> W1ᵀ = [2, 1]; a batch explains one target per image.
  const Tensor batch = tensor(std::vector<double>{1, 0.5, 1, 0.5}, {2, 2, 1, 1});
  testing::check_close(xai::make_method("gbp")->attribute(*net, batch, {0, 1}), {1, -1, 2, 1}, 1e-12);
}

TEST_CASE("gbp: functional relu calls keep their ordinary backward") {
  auto net = two_layer(std::make_shared<FunctionalRelu>());
  const Tensor x = tensor(std::vector<double>{1, 0.5}, {1, 2, 1, 1});
  testing::check_close(xai::make_method("gbp")->attribute(*net, x, {0}), {-3, -3}, 1e-12);
}

TEST_CASE("bcos: one B-cos 1×1 layer, Φ_c = x_c · ŵ_tc · |ŵ_t·x| / n (hand-computed), plus the logit bias") {
  nn::BcosMLPProbe probe(2, 3, /*num_layers=*/1);
  probe.to(DType::f64);
  // Rows ŵ_t after unit normalisation: [0.6, 0.8], [1, 0], [0, −1].
  testing::set_values(probe.fcs[0]->linear->weight, {3, 4, /**/ 2, 0, /**/ 0, -5});
  probe.eval();
  const Tensor x = tensor(std::vector<double>{1, 2}, {1, 2, 1, 1});
  const double n = std::sqrt(1 + 4 + 1e-6);
  const double o = 0.6 * 1 + 0.8 * 2;  // 2.2
  const Tensor phi = xai::make_method("bcos")->attribute(probe, x, {0});
  testing::check_close(phi, {1 * 0.6 * o / n, 2 * 0.8 * o / n}, 1e-12);
  const std::vector<double> logits = testing::logits_of(probe, x);
  CHECK(phi.to_vector()[0] + phi.to_vector()[1] == doctest::Approx(logits[0] - nn::bcos_logit_bias(3)).epsilon(1e-12));
  // Target 2: o = −2, Φ = [0, 2·(−1)·2/n].
  testing::check_close(xai::make_method("bcos")->attribute(probe, x, {2}), {0, -4 / n}, 1e-12);
}

TEST_CASE("bcos: contributions sum to the logit minus the logit bias on a tiny B-cos ResNet; flags restored") {
  Generator gen(17);
  nn::ResNetConfig config;
  config.block = nn::ResNetBlock::basic;
  config.layers = {1, 1, 1, 1};
  config.base_width = 4;
  config.small_stem = true;
  config.num_classes = 4;
  config.gen = &gen;
  nn::BcosResNet model(config);
  model.to(DType::f64);
  for (auto& [name, buffer] : model.named_buffers())
    if (name.ends_with("running_var")) buffer.mutable_data().copy_(rand(buffer.shape(), DType::f64, Device::cpu(), &gen));
  model.eval();
  const Tensor image = rand({2, 3, 8, 8}, DType::f64, Device::cpu(), &gen);
  const Tensor x6 = nn::add_inverse(Variable(image)).data();
  const std::vector<int64_t> targets = {3, 1};

  const Tensor phi = xai::make_method("bcos")->attribute(model, x6, targets);
  CHECK(phi.shape() == Shape{2, 6, 8, 8});
  const std::vector<double> logits = testing::logits_of(model, x6), v = phi.to_vector();
  for (size_t n = 0; n < 2; ++n) {
    double total = 0;
    for (size_t i = n * 384; i < (n + 1) * 384; ++i) total += v[i];
    const double want = logits[n * 4 + static_cast<size_t>(targets[n])] - nn::bcos_logit_bias(4);
    CHECK(std::abs(want) > 1e-6);
    CHECK_MESSAGE(std::abs(total - want) < 1e-10 * std::max(1.0, std::abs(want)), total, " vs ", want);
  }
  for (const auto& [path, module] : model.named_modules())
    if (auto* d = dynamic_cast<nn::Detachable*>(module)) CHECK_MESSAGE(!d->explanation_mode(), path);
}

TEST_CASE("bcos: a model without B-cos modules is refused") {
  auto net = two_layer(std::make_shared<nn::ReLU>());
  CHECK(testing::contains(
      testing::error_of([&] { xai::make_method("bcos")->attribute(*net, ones({1, 2, 1, 1}, DType::f64), {0}); }),
      "bcos: Sequential has no B-cos (Detachable) modules"));
}

}  // TEST_SUITE("xai")
