// Attention Rollout and CGW1 (xai/vit_methods.h, xai/vit_relevance.h): hand-made attention matrices, a hand-made
// one-block CGW1 case, and the relevance pass on a tiny ViT (relevance conservation, wiring, errors).
#include <doctest/doctest.h>

#include <cmath>

#include "autograd/grad_mode.h"
#include "kernels/reduce.h"
#include "nn/layers.h"
#include "nn/models.h"
#include "tensor/random.h"
#include "test_util.h"
#include "xai/attribution.h"
#include "xai/vit_methods.h"
#include "xai/vit_relevance.h"

using namespace htp;

namespace {

// img 3, patch 1 (a 3 × 3 grid, so the map needs no upsampling), 2 heads, float64, with weights large enough that
// attention is far from uniform.
std::shared_ptr<nn::VisionTransformer> tiny_vit(uint64_t seed, int64_t depth = 2, int64_t dim = 8) {
  Generator gen(seed);
  nn::ViTConfig c;
  c.img_size = 3;
  c.patch_size = 1;
  c.num_classes = 3;
  c.embed_dim = dim;
  c.depth = depth;
  c.num_heads = 2;
  c.mlp_ratio = 2;
  c.gen = &gen;
  auto vit = std::make_shared<nn::VisionTransformer>(c);
  vit->to(DType::f64);
  for (auto& [name, p] : vit->named_parameters())
    if (name.ends_with("weight") && p.dim() == 2) p.mutable_data().copy_(randn(p.shape(), DType::f64, Device::cpu(), &gen));
  vit->eval();
  return vit;
}

}  // namespace

TEST_SUITE("xai") {

TEST_CASE("rollout: (A + I)/rowsum per block, later blocks multiplied on the left (hand-computed)") {
  const Tensor a1 = tensor(std::vector<double>{0.5, 0.5, 0.2, 0.8}, {1, 2, 2});
  const Tensor a2 = tensor(std::vector<double>{1, 0, 0.3, 0.7}, {1, 2, 2});
  // Â1 = [[.75, .25], [.1, .9]], Â2 = [[1, 0], [.15, .85]]; Â2 Â1 = [[.75, .25], [.1975, .8025]].
  testing::check_close(xai::rollout({a1, a2}), {0.75, 0.25, 0.1975, 0.8025}, 1e-12);
  // Rows that do not sum to 1 (CGW1's maps): [[2, 0], [1, 1]] + I = [[3, 0], [1, 2]] -> [[1, 0], [1/3, 2/3]].
  testing::check_close(xai::rollout({tensor(std::vector<double>{2, 0, 1, 1}, {1, 2, 2})}), {1, 0, 1.0 / 3, 2.0 / 3},
                       1e-12);
  CHECK(testing::contains(testing::error_of([] { xai::rollout({}); }), "rollout: no attention maps"));
}

TEST_CASE("cgw1: one hand-made block, mean over heads of (∇A ⊙ R_A)⁺, rolled out, class-token row") {
  const Tensor g = tensor(std::vector<double>{1, -1, 2, 0, /**/ 0, 1, 1, 1}, {1, 2, 2, 2});
  const Tensor r = tensor(std::vector<double>{0.5, 0.5, 1, 3, /**/ 1, 2, -1, 1}, {1, 2, 2, 2});
  // Products [[.5, −.5], [2, 0]] and [[0, 2], [−1, 1]]; clamped then averaged: [[.25, 1], [1, .5]].
  const Tensor m = xai::cgw1_block_map(g, r);
  testing::check_close(m, {0.25, 1, 1, 0.5}, 1e-12);
  // + I, rows normalised: [[1.25, 1]/2.25, [1, 1.5]/2.5]; the class token's row, patch column 1 = 4/9, on a 1 × 1
  // grid upsampled to 2 × 2.
  testing::check_close(xai::class_token_map(xai::rollout({m}), 1, 1, {2, 2}), {4.0 / 9, 4.0 / 9, 4.0 / 9, 4.0 / 9},
                       1e-12);
}

TEST_CASE("rollout: on a tiny ViT, the class-token row of the rolled-out head-mean attention") {
  auto vit = tiny_vit(1);
  const Tensor x = testing::random_tensor({2, 3, 3, 3}, DType::f64, 4);
  const Tensor map = xai::make_method("rollout")->attribute(*vit, x, {0, 2});
  CHECK(map.shape() == Shape{2, 1, 3, 3});
  // Reference from the kept attention maps, read through the model's own API.
  vit->keep_attention(true);
  {
    NoGradGuard no_grad;
    (*vit)(Variable(x));
  }
  std::vector<Tensor> means;
  for (size_t b = 0; b < vit->depth(); ++b) means.push_back(kernels::mean(vit->attention(b).attention(), {1}));
  vit->keep_attention(false);
  const std::vector<double> joint = xai::rollout(means).to_vector();  // [2, 10, 10]
  std::vector<double> want;
  for (size_t n = 0; n < 2; ++n)
    for (size_t j = 1; j < 10; ++j) want.push_back(joint[n * 100 + j]);
  testing::check_close(map, want, 1e-12);
  // Row-stochastic: the patches hold 1 − Roll[0, 0] of the class token's mass, and nothing is negative.
  for (size_t n = 0; n < 2; ++n) {
    double s = 0;
    for (size_t j = 1; j < 10; ++j) s += joint[n * 100 + j];
    CHECK(s == doctest::Approx(1 - joint[n * 100]).epsilon(1e-12));
  }
  for (double v : map.to_vector()) CHECK(v >= 0);
}

TEST_CASE("cgw1: the relevance pass keeps Σ R = 1 down to the input tokens, per image") {
  // The αβ rule (β = 0) drops the relevance of a unit whose inputs are all inhibitory (every w_ji a_i ≤ 0); with
  // 32 inputs per unit that has probability 2^-32, with 8 it happens in a tiny model.
  auto vit = tiny_vit(2, 3, 32);
  const Tensor x = testing::random_tensor({2, 3, 3, 3}, DType::f64, 9);
  xai::ActivationRecorder recorder;
  const xai::ViTRelevance rel = xai::vit_relevance(*vit, x, {1, 0}, recorder);
  REQUIRE(rel.attention_relevance.size() == 3);
  const Tensor totals = kernels::sum(rel.input_relevance, {1, 2});
  testing::check_close(totals, {1, 1}, 1e-5);  // each ⊘ adds 1e-9 to a denominator
  for (size_t b = 0; b < 3; ++b) {
    CHECK(rel.attention[b].shape() == Shape{2, 2, 10, 10});
    CHECK(rel.attention_grad[b].shape() == Shape{2, 2, 10, 10});
    CHECK(rel.attention_relevance[b].shape() == Shape{2, 2, 10, 10});
  }
  // A second call with the same recorder (each module hooked once) gives the same result.
  const xai::ViTRelevance again = xai::vit_relevance(*vit, x, {1, 0}, recorder);
  testing::check_close(again.input_relevance, rel.input_relevance.to_vector(), 0);
}

TEST_CASE("cgw1: maps are non-negative, depend on the target, and the attention gradient is ∂y_t/∂A") {
  auto vit = tiny_vit(3);
  const Tensor x = testing::random_tensor({1, 3, 3, 3}, DType::f64, 5);
  auto method = xai::make_method("cgw1");
  const Tensor m0 = method->attribute(*vit, x, {0}), m1 = method->attribute(*vit, x, {1});
  CHECK(m0.shape() == Shape{1, 1, 3, 3});
  double diff = 0;
  const std::vector<double> v0 = m0.to_vector(), v1 = m1.to_vector();
  for (size_t i = 0; i < v0.size(); ++i) {
    CHECK(v0[i] >= 0);
    diff += std::abs(v0[i] - v1[i]);
  }
  CHECK(diff > 1e-6);
  for (auto& [name, p] : vit->named_parameters()) CHECK_MESSAGE(!p.grad().defined(), name);
}

TEST_CASE("rollout, cgw1: a model without a class-token ViT is refused") {
  nn::Sequential net;
  net.push_back(std::make_shared<nn::Flatten>());
  for (const char* name : {"rollout", "cgw1"})
    CHECK(testing::contains(testing::error_of([&] { xai::make_method(name)->attribute(net, ones({1, 3, 2, 2}), {0}); }),
                            std::string(name) + ": needs an nn::VisionTransformer"));
}

}  // TEST_SUITE("xai")
