// Models (nn/models.h): exact parameter counts of torchvision ResNet-18/34/50 and timm ViT-Ti/S/B/16, sampled
// torchvision/timm/B-cos-v2 parameter names and shapes, output and forward_features shapes on small inputs, the
// small-input options, the registry, train/eval batch-norm behaviour, timm's ViT init statistics, the B-cos ViT's
// sin-cos position embedding and patch order (xai-methods.md A.6), B-cos explanation-mode completeness (A.7) in
// float64, and float64 gradchecks of tiny conventional and B-cos ResNets and ViTs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "nn/models.h"
#include "nn_test_util.h"
#include "tensor/creation.h"
#include "tensor/random.h"

using namespace htp;
using namespace htp::nn;
using testing::leaf_f64;

namespace {

Shape param_shape(const Module& m, const std::string& name) {
  for (const auto& [n, v] : m.named_parameters())
    if (n == name) return v.shape();
  FAIL("no parameter named " << name);
  return {};
}

bool has_buffer(const Module& m, const std::string& name) {
  for (const auto& [n, _] : m.named_buffers())
    if (n == name) return true;
  return false;
}

// A ResNet-18-style net for small images: BasicBlocks, one per stage, widths 4/8/16/32, 3×3 stem, no pool.
ResNetConfig tiny_resnet_config(int64_t in_channels = 3, int64_t num_classes = 3) {
  ResNetConfig c = resnet_config(18, num_classes);
  c.layers = {1, 1, 1, 1};
  c.in_channels = in_channels;
  c.base_width = 4;
  c.small_stem = true;
  return c;
}

// Float64 gradcheck of y = module(x) with respect to x and the named parameters only (all would be too slow).
void gradcheck_input_and(Module& module, const Variable& x, const std::vector<std::string>& names) {
  module.to(DType::f64);
  variable_list inputs{x};
  for (const std::string& name : names) {
    bool found = false;
    for (const auto& [n, v] : module.named_parameters())
      if (n == name) {
        inputs.push_back(v);
        found = true;
      }
    REQUIRE_MESSAGE(found, "no parameter named " << name);
  }
  CHECK_GRADCHECK([&module](const variable_list& v) { return module(v[0]); }, inputs);
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  const std::vector<double> x = a.to_vector(), y = b.to_vector();
  double m = 0;
  for (size_t i = 0; i < x.size(); ++i) m = std::max(m, std::abs(x[i] - y[i]));
  return m;
}

std::vector<double> values(const Variable& v) { return v.data().to_vector(); }

double sum_of_products(const Tensor& a, const Tensor& b) {
  const std::vector<double> x = a.to_vector(), y = b.to_vector();
  double s = 0;
  for (size_t i = 0; i < x.size(); ++i) s += x[i] * y[i];
  return s;
}

// An f64 leaf holding [x, 1 − x] for x in [0, 1) (the B-cos encoding, xai-methods.md §0.1).
Variable encoded_leaf(int64_t n, int64_t c, int64_t h, int64_t w, uint64_t seed) {
  const Tensor x = leaf_f64({n, c, h, w}, seed, 0.0, 1.0).data();
  return Variable(add_inverse(Variable(x)).data().contiguous(), true);
}

// Brings the running batch-norm statistics close to those of x (eval mode then normalises for real), then eval mode.
void settle_norms(Module& model, const Variable& x) {
  NoGradGuard no_grad;
  model.train();
  for (int i = 0; i < 30; ++i) model(x.detach());
  model.eval();
}

ViTConfig tiny_vit_config() {  // depth 1, dim 8, 2 heads, 8 px images in 4 px patches: 1 + 4 tokens
  ViTConfig c;
  c.img_size = 8;
  c.patch_size = 4;
  c.embed_dim = 8;
  c.depth = 1;
  c.num_heads = 2;
  c.num_classes = 3;
  return c;
}

BcosViTConfig tiny_bcos_vit_config(int64_t depth = 1) {
  BcosViTConfig c;
  c.patch_size = 4;
  c.dim = 8;
  c.depth = depth;
  c.heads = 2;
  c.mlp_dim = 16;
  c.num_classes = 3;
  return c;
}

}  // namespace

TEST_SUITE("nn") {
  TEST_CASE("ResNet-18/34/50: torchvision parameter counts and names") {
    CHECK(resnet18()->num_parameters() == 11'689'512);
    CHECK(resnet34()->num_parameters() == 21'797'672);
    auto r50 = resnet50();
    CHECK(r50->num_parameters() == 25'557'032);
    CHECK(r50->num_features == 2048);
    CHECK(param_shape(*r50, "conv1.weight") == Shape{64, 3, 7, 7});
    CHECK(param_shape(*r50, "bn1.weight") == Shape{64});
    CHECK(param_shape(*r50, "layer1.0.conv1.weight") == Shape{64, 64, 1, 1});
    CHECK(param_shape(*r50, "layer1.0.downsample.0.weight") == Shape{256, 64, 1, 1});
    CHECK(param_shape(*r50, "layer2.0.conv2.weight") == Shape{128, 128, 3, 3});
    CHECK(param_shape(*r50, "layer4.2.conv3.weight") == Shape{2048, 512, 1, 1});
    CHECK(param_shape(*r50, "layer4.2.bn3.bias") == Shape{2048});
    CHECK(param_shape(*r50, "fc.weight") == Shape{1000, 2048});
    CHECK(param_shape(*r50, "fc.bias") == Shape{1000});
    CHECK(has_buffer(*r50, "bn1.running_mean"));
    CHECK(has_buffer(*r50, "layer3.0.downsample.1.running_var"));
    CHECK(has_buffer(*r50, "layer3.5.bn2.num_batches_tracked"));
    // v1.5: the stride of a Bottleneck sits on its 3×3 conv.
    auto& block = dynamic_cast<Bottleneck&>(r50->submodule("layer2.0"));
    CHECK(block.conv1->params.stride[0] == 1);
    CHECK(block.conv2->params.stride[0] == 2);
    CHECK(dynamic_cast<Conv2d&>(r50->submodule("layer2.0.downsample.0")).params.stride[0] == 2);
    CHECK_THROWS_WITH(r50->submodule("layer1.0.downsample.2"), doctest::Contains("downsample.2"));
    auto r18 = resnet18(10);
    CHECK(param_shape(*r18, "layer2.0.downsample.0.weight") == Shape{128, 64, 1, 1});
    CHECK(param_shape(*r18, "fc.weight") == Shape{10, 512});
    CHECK_THROWS_WITH(r18->submodule("layer1.0.downsample"), doctest::Contains("downsample"));  // none in layer1
  }

  TEST_CASE("ResNet: output and forward_features shapes; small-input options") {
    NoGradGuard no_grad;
    auto r50 = resnet50(7);
    r50->eval();
    const Tensor x = randn({2, 3, 64, 64});
    CHECK((*r50)(x).shape() == Shape{2, 7});
    CHECK(r50->forward_features(x).shape() == Shape{2, 2048, 2, 2});
    CHECK(r50->forward_features(x, "layer4").shape() == Shape{2, 2048, 2, 2});
    CHECK(r50->forward_features(x, "layer1").shape() == Shape{2, 256, 16, 16});
    CHECK(r50->forward_features(x, "layer3").shape() == Shape{2, 1024, 4, 4});
    CHECK_THROWS_WITH(r50->forward_features(x, "layer5"),
                      doctest::Contains("unknown stage 'layer5'; valid stages: layer1, layer2, layer3, layer4"));
    CHECK_THROWS_WITH((*r50)(randn({1, 1, 64, 64})), doctest::Contains("expected an input of shape [N, 3, H, W]"));

    // The Fashion-MNIST backbone: 1 channel, 28 px, 3×3 stride-1 stem without max-pool, base width 32.
    ResNetConfig c = resnet_config(18, 10);
    c.in_channels = 1;
    c.base_width = 32;
    c.small_stem = true;
    ResNet small(c);
    small.eval();
    CHECK(param_shape(small, "conv1.weight") == Shape{32, 1, 3, 3});
    CHECK(param_shape(small, "fc.weight") == Shape{10, 256});
    CHECK(small.num_features == 256);
    CHECK_THROWS_WITH(small.submodule("maxpool"), doctest::Contains("maxpool"));
    const Tensor img = randn({2, 1, 28, 28});
    CHECK(small.forward_features(img, "layer1").shape() == Shape{2, 32, 28, 28});
    CHECK(small.forward_features(img).shape() == Shape{2, 256, 4, 4});
    CHECK(small(img).shape() == Shape{2, 10});
    CHECK(small(randn({1, 1, 56, 56})).shape() == Shape{1, 10});
  }

  TEST_CASE("ResNet: train-mode batch norm uses and updates batch statistics, eval mode the running ones") {
    NoGradGuard no_grad;
    ResNet net(tiny_resnet_config());
    const Tensor x = randn({2, 3, 16, 16}), x0 = randn({1, 3, 16, 16});  // layer4 at 2×2
    const Tensor both = cat({Variable(x0), Variable(slice(Variable(x), 0, 1, 2).data())}, 0).data();
    auto& bn1 = *net.bn1;
    REQUIRE(bn1.num_batches_tracked.item<int64_t>() == 0);
    net(both);
    CHECK(bn1.num_batches_tracked.item<int64_t>() == 1);
    const std::vector<double> mean = bn1.running_mean.data().to_vector();
    CHECK(std::any_of(mean.begin(), mean.end(), [](double m) { return m != 0.0; }));
    // Train mode: a sample's output depends on the rest of its batch.
    const std::vector<double> alone_train = values(net(x0)), in_batch_train = values(slice(net(both), 0, 0, 1));
    CHECK(std::abs(alone_train[0] - in_batch_train[0]) > 1e-4);
    net.eval();
    const std::vector<double> before = bn1.running_mean.data().to_vector();
    const std::vector<double> alone = values(net(x0)), in_batch = values(slice(net(both), 0, 0, 1));
    for (size_t i = 0; i < alone.size(); ++i) CHECK(alone[i] == doctest::Approx(in_batch[i]).epsilon(1e-5));
    CHECK(bn1.running_mean.data().to_vector() == before);
    CHECK(bn1.num_batches_tracked.item<int64_t>() == 3);
  }

  // 12 px inputs: layer4 works at 2×2, so that its train-mode batch norm does not see 2 values per channel, which it
  // maps to ±1 and sums to an exact ReLU kink after the residual add.
  TEST_CASE("ResNet: float64 gradchecks of tiny BasicBlock and Bottleneck nets (train mode)") {
    ResNet basic(tiny_resnet_config());
    gradcheck_input_and(basic, leaf_f64({2, 3, 12, 12}, 11),
                        {"conv1.weight", "layer1.0.bn1.weight", "layer2.0.downsample.0.weight", "layer4.0.conv2.weight",
                         "fc.weight", "fc.bias"});
    ResNetConfig c = tiny_resnet_config();
    c.block = ResNetBlock::bottleneck;
    c.base_width = 2;
    ResNet bottleneck(c);
    CHECK(param_shape(bottleneck, "layer1.0.downsample.0.weight") == Shape{8, 2, 1, 1});
    gradcheck_input_and(bottleneck, leaf_f64({2, 3, 12, 12}, 12),
                        {"layer1.0.conv3.weight", "layer3.0.bn2.bias", "layer4.0.downsample.1.weight"});
  }

  TEST_CASE("B-cos ResNet-18/50: B-cos-v2 structure, names and parameter counts") {
    auto b50 = bcos_resnet50();
    // Derived from torchvision's count: no BN biases, no fc bias, conv1 sees 6 channels, fc is a 1×1 conv.
    auto r50 = resnet50();
    int64_t bn_biases = 0;
    for (const auto& [n, v] : r50->named_parameters())
      if (n != "fc.bias" && n.size() > 5 && n.substr(n.size() - 5) == ".bias") bn_biases += v.numel();
    CHECK(bn_biases == 26'560);
    CHECK(b50->num_parameters() == 25'557'032 - bn_biases - 1000 + 64 * 3 * 7 * 7);
    CHECK(param_shape(*b50, "conv1.linear.weight") == Shape{64, 6, 7, 7});
    CHECK(param_shape(*b50, "bn1.weight") == Shape{64});
    CHECK(has_buffer(*b50, "bn1.running_var"));
    CHECK(has_buffer(*b50, "bn1.running_mean"));
    CHECK(param_shape(*b50, "layer1.0.downsample.0.linear.weight") == Shape{256, 64, 1, 1});
    CHECK(param_shape(*b50, "layer1.0.downsample.1.weight") == Shape{256});
    CHECK(param_shape(*b50, "layer4.2.conv3.linear.weight") == Shape{2048, 512, 1, 1});
    CHECK(param_shape(*b50, "fc.linear.weight") == Shape{1000, 2048, 1, 1});
    for (const auto& [n, _] : b50->named_parameters()) CHECK_MESSAGE(n.find("bias") == std::string::npos, n);
    for (auto& [n, m] : b50->named_modules()) CHECK_MESSAGE(m->type_name() != "ReLU", n);
    CHECK(b50->pool->params.count_include_pad);
    CHECK(b50->logit_layer->bias.value() == doctest::Approx(-std::log(999.0)));
    CHECK(dynamic_cast<BcosBottleneck&>(b50->submodule("layer3.0")).conv2->linear->params.stride[0] == 2);
    auto b18 = bcos_resnet18(20);
    auto r18 = resnet18(20);
    int64_t bn18 = 0;
    for (const auto& [n, v] : r18->named_parameters())
      if (n != "fc.bias" && n.substr(n.size() - 5) == ".bias") bn18 += v.numel();
    CHECK(b18->num_parameters() == r18->num_parameters() - bn18 - 20 + 64 * 3 * 7 * 7);
    CHECK(param_shape(*b18, "layer2.0.downsample.0.linear.weight") == Shape{128, 64, 1, 1});
    CHECK(b18->logit_layer->bias.value() == doctest::Approx(-std::log(19.0)));
  }

  TEST_CASE("B-cos ResNet: shapes, [x, 1 - x] encoding inside or before, small-input options") {
    NoGradGuard no_grad;
    auto b50 = bcos_resnet50(5);
    b50->eval();
    const Tensor x = rand({1, 3, 64, 64});
    const Tensor y3 = (*b50)(x).data(), y6 = (*b50)(add_inverse(Variable(x))).data();
    CHECK(y3.shape() == Shape{1, 5});
    CHECK(y3.to_vector() == y6.to_vector());
    CHECK(b50->forward_features(x).shape() == Shape{1, 2048, 2, 2});
    CHECK(b50->forward_features(x, "layer2").shape() == Shape{1, 512, 8, 8});
    CHECK_THROWS_WITH((*b50)(rand({1, 4, 64, 64})), doctest::Contains("[N, 3, H, W] in [0, 1] or its encoding"));

    ResNetConfig c = resnet_config(18, 10);
    c.in_channels = 1;
    c.base_width = 8;
    c.small_stem = true;
    BcosResNet small(c);
    small.eval();
    CHECK(param_shape(small, "conv1.linear.weight") == Shape{8, 2, 3, 3});
    CHECK(small.pool == nullptr);
    CHECK(small(rand({2, 1, 28, 28})).shape() == Shape{2, 10});
    CHECK(small.forward_features(rand({2, 2, 28, 28})).shape() == Shape{2, 64, 4, 4});
  }

  TEST_CASE("B-cos ResNet: explanation-mode completeness, sum of x * dy_c/dx = y_c - b (float64)") {
    for (ResNetBlock kind : {ResNetBlock::basic, ResNetBlock::bottleneck}) {
      CAPTURE(static_cast<int>(kind));
      ResNetConfig c = tiny_resnet_config(3, 4);
      c.block = kind;
      c.small_stem = false;  // the 7×7/2 stem and its average pool
      BcosResNet net(c);
      net.to(DType::f64);
      const Variable x6 = encoded_leaf(1, 3, 32, 32, 21);
      settle_norms(net, encoded_leaf(2, 3, 32, 32, 22));
      const double b = net.logit_layer->bias.value();

      // Plain gradients (explanation mode off) differ from the dynamic linear weights W(x).
      const Tensor plain = grad({sum(select(net(x6), 1, 2))}, {x6})[0];
      ExplanationModeGuard on(net);
      const Variable y = net(x6);
      for (int64_t cls = 0; cls < 4; ++cls) {
        const Tensor g = grad({sum(select(y, 1, cls))}, {x6}, {}, BackwardOptions{true})[0];
        const double yc = y.data().to_vector()[cls];
        CHECK(sum_of_products(x6.data(), g) == doctest::Approx(yc - b).epsilon(1e-10));
        if (cls == 2) CHECK(max_abs_diff(g, plain) > 1e-3 * max_abs_diff(g, zeros_like(g)));
      }
    }
  }

  TEST_CASE("B-cos ResNet: train-mode completeness holds only in explanation mode (BNU batch variance detached)") {
    BcosResNet net(tiny_resnet_config(3, 4));
    net.to(DType::f64);
    const Variable x6 = encoded_leaf(2, 3, 8, 8, 31);
    const double b = net.logit_layer->bias.value();
    auto defect = [&] {  // |Σ_batch Σ x ⊙ ∂(Σ_n y_n,1)/∂x − Σ_n (y_n,1 − b)|
      const Variable y1 = select(net(x6), 1, 1);
      const Tensor g = grad({sum(y1)}, {x6})[0];
      const std::vector<double> yv = y1.data().to_vector();
      return std::abs(sum_of_products(x6.data(), g) - (yv[0] - b) - (yv[1] - b));
    };
    CHECK(defect() > 1e-3);
    ExplanationModeGuard on(net);
    CHECK(defect() < 1e-10);
  }

  TEST_CASE("B-cos ResNet: float64 gradcheck of a tiny net (train mode)") {
    BcosResNet net(tiny_resnet_config(3, 3));
    gradcheck_input_and(net, leaf_f64({2, 6, 8, 8}, 41, 0.0, 1.0),
                        {"conv1.linear.weight", "bn1.weight", "layer2.0.downsample.0.linear.weight",
                         "layer3.0.conv2.linear.weight", "fc.linear.weight"});
  }

  TEST_CASE("ViT-Ti/S/B/16: timm parameter counts, names and init") {
    CHECK(vit_tiny_patch16_224()->num_parameters() == 5'717'416);
    auto s16 = vit_small_patch16_224();
    CHECK(s16->num_parameters() == 22'050'664);
    auto b16 = vit_base_patch16_224();
    CHECK(b16->num_parameters() == 86'567'656);
    CHECK(b16->num_features == 768);
    CHECK(b16->depth() == 12);
    CHECK(b16->state_dict().size() == b16->named_parameters().size());  // no buffers
    CHECK(param_shape(*b16, "cls_token") == Shape{1, 1, 768});
    CHECK(param_shape(*b16, "pos_embed") == Shape{1, 197, 768});
    CHECK(param_shape(*b16, "patch_embed.proj.weight") == Shape{768, 3, 16, 16});
    CHECK(param_shape(*b16, "patch_embed.proj.bias") == Shape{768});
    CHECK(param_shape(*b16, "blocks.0.norm1.weight") == Shape{768});
    CHECK(param_shape(*b16, "blocks.0.attn.qkv.weight") == Shape{2304, 768});
    CHECK(param_shape(*b16, "blocks.0.attn.qkv.bias") == Shape{2304});
    CHECK(param_shape(*b16, "blocks.0.attn.proj.weight") == Shape{768, 768});
    CHECK(param_shape(*b16, "blocks.0.mlp.fc1.weight") == Shape{3072, 768});
    CHECK(param_shape(*b16, "blocks.11.mlp.fc2.bias") == Shape{768});
    CHECK(param_shape(*b16, "blocks.11.norm2.bias") == Shape{768});
    CHECK(param_shape(*b16, "norm.weight") == Shape{768});
    CHECK(param_shape(*b16, "head.weight") == Shape{1000, 768});
    CHECK(b16->named_parameters().front().first == "cls_token");  // timm's order
    CHECK(b16->norm->eps == 1e-6);
    CHECK(b16->attention(0).scale == doctest::Approx(1.0 / 8.0));
    // timm init: Linear weights trunc_normal(0.02), biases 0; pos_embed trunc_normal(0.02); cls_token N(0, 1e-6).
    auto stats = [](const Tensor& t) {
      const std::vector<double> v = t.to_vector();
      double m = 0, q = 0;
      for (double x : v) m += x;
      m /= static_cast<double>(v.size());
      for (double x : v) q += (x - m) * (x - m);
      return std::pair{m, std::sqrt(q / static_cast<double>(v.size()))};
    };
    auto& block = dynamic_cast<ViTBlock&>(s16->submodule("blocks.3"));
    CHECK(stats(block.mlp->fc1->weight.data()).second == doctest::Approx(0.02).epsilon(0.02));
    CHECK(std::abs(stats(block.attn->qkv->weight.data()).first) < 1e-3);
    CHECK(stats(block.attn->qkv->bias.data()).second == 0.0);
    CHECK(stats(s16->head->bias.data()).second == 0.0);
    CHECK(stats(s16->pos_embed.data()).second == doctest::Approx(0.02).epsilon(0.05));
    CHECK(stats(s16->cls_token.data()).second < 1e-5);
  }

  TEST_CASE("ViT: output and forward_features shapes, attention maps, errors (tiny config)") {
    ViTConfig c = tiny_vit_config();
    c.img_size = 16;
    c.depth = 2;
    c.num_classes = 5;
    VisionTransformer vit(c);
    vit.eval();
    const std::vector<std::string> stages = vit.feature_stages();
    CHECK(stages == std::vector<std::string>{"blocks.0", "blocks.1", "norm"});
    const Tensor x = randn({2, 3, 16, 16});
    vit.keep_attention(true);
    const Variable y = vit(x);
    CHECK(y.shape() == Shape{2, 5});
    CHECK(vit.forward_features(x).shape() == Shape{2, 17, 8});
    CHECK(vit.forward_features(x, "blocks.0").shape() == Shape{2, 17, 8});
    const Tensor attn = vit.attention(1).attention();
    CHECK(attn.shape() == Shape{2, 2, 17, 17});
    const std::vector<double> a = attn.to_vector();
    for (size_t row = 0; row < a.size() / 17; ++row) {
      double total = 0;
      for (size_t j = 0; j < 17; ++j) total += a[row * 17 + j];
      CHECK(total == doctest::Approx(1.0).epsilon(1e-6));
    }
    // The logits read the class token of the final normed tokens.
    const Tensor cls = select(vit.forward_features(x), 1, 0).data();
    CHECK(max_abs_diff((*vit.head)(cls).data(), vit(x).data()) < 1e-6);
    CHECK_THROWS_WITH(vit.attention(2), doctest::Contains("block 2 out of range for depth 2"));
    CHECK_THROWS_WITH(vit(randn({1, 3, 32, 32})), doctest::Contains("expected an input of shape [N, 3, 16, 16]"));
    CHECK_THROWS_WITH(vit.forward_features(x, "blocks.2"), doctest::Contains("valid stages: blocks.0, blocks.1, norm"));
    vit.keep_attention(false);
    CHECK_THROWS_WITH(vit.attention(0).attention(), doctest::Contains("no attention was kept"));

    c.qkv_bias = false;
    VisionTransformer no_qkv_bias(c);
    CHECK(no_qkv_bias.num_parameters() == vit.num_parameters() - 2 * 3 * 8);
    CHECK(no_qkv_bias(x).shape() == Shape{2, 5});
  }

  TEST_CASE("ViT: float64 gradcheck of a tiny ViT (depth 1, dim 8, 2 heads, 8 px, patch 4), input and all parameters") {
    VisionTransformer vit(tiny_vit_config());
    testing::module_gradcheck(vit, leaf_f64({2, 3, 8, 8}, 51));
  }

  TEST_CASE("B-cos ViT (B-cos-v2 SimpleViT): names, parameter count, position embedding, patch order") {
    auto ti = bcos_simple_vit_ti_patch16_224();
    // dim·6·16² + 12·(2 norms·dim + qkv 3·dim² + to_out dim² + 2·dim·mlp) + head norm dim + head dim·1000
    CHECK(ti->num_parameters() == 5'800'128);
    CHECK(param_shape(*ti, "to_patch_embedding.linear.linear.weight") == Shape{192, 1536});
    CHECK(param_shape(*ti, "transformer.encoder_0.attn.norm.weight") == Shape{192});
    CHECK(param_shape(*ti, "transformer.encoder_0.attn.to_qkv.weight") == Shape{576, 192});
    CHECK(param_shape(*ti, "transformer.encoder_0.attn.to_out.linear.weight") == Shape{192, 192});
    CHECK(param_shape(*ti, "transformer.encoder_11.ff.net.norm.weight") == Shape{192});
    CHECK(param_shape(*ti, "transformer.encoder_11.ff.net.linear1.linear.weight") == Shape{768, 192});
    CHECK(param_shape(*ti, "transformer.encoder_11.ff.net.linear2.linear.weight") == Shape{192, 768});
    CHECK(param_shape(*ti, "linear_head.norm.weight") == Shape{192});
    CHECK(param_shape(*ti, "linear_head.linear.linear.weight") == Shape{1000, 192});
    for (const auto& [n, _] : ti->named_parameters()) CHECK_MESSAGE(n.find("bias") == std::string::npos, n);
    CHECK(ti->named_buffers().empty());
    CHECK(ti->logit_layer->bias.value() == doctest::Approx(std::log(1.0 / 999.0)));

    // pe for a 2×3 grid, dim 8: ω = (1, 10000^-1); token (y, x) = [sin xω, cos xω, sin yω, cos yω].
    const std::vector<double> pe = sincos_pos_embed_2d(2, 3, 8, DType::f64).to_vector();
    REQUIRE(pe.size() == 48);
    const double* t5 = pe.data() + 5 * 8;  // row 1, column 2
    const std::vector<double> expected = {std::sin(2.0), std::sin(2e-4), std::cos(2.0), std::cos(2e-4),
                                          std::sin(1.0), std::sin(1e-4), std::cos(1.0), std::cos(1e-4)};
    for (size_t i = 0; i < 8; ++i) CHECK(t5[i] == doctest::Approx(expected[i]).epsilon(1e-15));
    CHECK_THROWS_WITH(sincos_pos_embed_2d(2, 2, 6), doctest::Contains("multiple of 4"));

    // "b c (h p1) (w p2) -> b h w (p1 p2 c)": element [n, i, j, (p1·P + p2)·C + c] = x[n, c, i·P + p1, j·P + p2].
    PatchRearrange rearrange(2);
    const Tensor x = arange(0, 2 * 3 * 4 * 6, 1, DType::f64).view({2, 3, 4, 6});
    const Tensor r = rearrange(x).data();
    CHECK(r.shape() == Shape{2, 2, 3, 12});
    const std::vector<double> xv = x.to_vector(), rv = r.to_vector();
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t i = 0; i < 2; ++i)
        for (int64_t j = 0; j < 3; ++j)
          for (int64_t p1 = 0; p1 < 2; ++p1)
            for (int64_t p2 = 0; p2 < 2; ++p2)
              for (int64_t ch = 0; ch < 3; ++ch)
                CHECK(rv[((n * 2 + i) * 3 + j) * 12 + (p1 * 2 + p2) * 3 + ch] ==
                      xv[((n * 3 + ch) * 4 + i * 2 + p1) * 6 + j * 2 + p2]);
    CHECK_THROWS_WITH(rearrange(Variable(zeros({1, 3, 5, 6}))), doctest::Contains("multiples of the patch size 2"));
  }

  TEST_CASE("B-cos ViT: shapes, encoding inside or before, any size divisible by the patch") {
    NoGradGuard no_grad;
    BcosSimpleViT vit(tiny_bcos_vit_config(2));
    vit.eval();
    const Tensor x = rand({2, 3, 8, 12});
    CHECK(vit(x).shape() == Shape{2, 3});
    CHECK(vit(x).data().to_vector() == vit(add_inverse(Variable(x))).data().to_vector());
    CHECK(vit.feature_stages() == std::vector<std::string>{"transformer.encoder_0", "transformer.encoder_1"});
    CHECK(vit.forward_features(x).shape() == Shape{2, 6, 8});
    CHECK(vit.forward_features(x, "transformer.encoder_0").shape() == Shape{2, 6, 8});
    CHECK(vit(rand({1, 3, 16, 16})).shape() == Shape{1, 3});
    CHECK_THROWS_WITH(vit(rand({1, 3, 8, 10})), doctest::Contains("multiples of the patch size 4"));
    CHECK_THROWS_WITH(vit(rand({1, 5, 8, 8})), doctest::Contains("[N, 3, H, W] in [0, 1] or its encoding"));
  }

  TEST_CASE("B-cos ViT: explanation mode is linear in the tokens; x-contributions + pe-contributions = y_c - b") {
    BcosSimpleViT vit(tiny_bcos_vit_config(2));
    vit.to(DType::f64);
    vit.eval();
    const Variable x6 = encoded_leaf(1, 3, 8, 8, 61);
    const double b = vit.logit_layer->bias.value();
    const Tensor plain = grad({sum(select(vit(x6), 1, 0))}, {x6})[0];
    ExplanationModeGuard on(vit);
    const Tensor pe = sincos_pos_embed_2d(2, 2, 8, DType::f64);
    for (int64_t cls = 0; cls < 3; ++cls) {
      const Variable tokens = vit.embed(x6);
      const Variable y = select(vit.classify((*vit.transformer)(tokens)), 1, cls);
      const tensor_list g = grad({sum(y)}, {x6, tokens});
      const double yc = y.data().to_vector()[0];
      CHECK(sum_of_products(tokens.data(), g[1]) == doctest::Approx(yc - b).epsilon(1e-10));
      CHECK(sum_of_products(x6.data(), g[0]) + sum_of_products(pe, g[1]) == doctest::Approx(yc - b).epsilon(1e-10));
      CHECK(std::abs(sum_of_products(pe, g[1])) > 1e-3 * std::abs(yc - b));  // pe is not negligible
      if (cls == 0) CHECK(max_abs_diff(g[0], plain) > 1e-3 * max_abs_diff(g[0], zeros_like(g[0])));
    }
    // The token identity above needs q and k detached (the attention constant): set_explanation_mode reaches them.
    CHECK(dynamic_cast<BcosViTAttention&>(vit.submodule("transformer.encoder_1.attn")).explanation_mode());
  }

  TEST_CASE("B-cos ViT: float64 gradcheck of a tiny net, input and all parameters") {
    BcosSimpleViT vit(tiny_bcos_vit_config(1));
    testing::module_gradcheck(vit, leaf_f64({2, 6, 8, 8}, 71, 0.0, 1.0));
  }

  TEST_CASE("registry: make_model, list_models, errors") {
    const std::vector<std::string> names = list_models();
    CHECK(names == std::vector<std::string>{"resnet18", "resnet34", "resnet50", "bcos_resnet18", "bcos_resnet50",
                                            "vit_tiny_patch16_224", "vit_small_patch16_224", "vit_base_patch16_224",
                                            "bcos_simple_vit_ti_patch16_224", "bcos_simple_vit_s_patch16_224",
                                            "bcos_simple_vit_b_patch16_224"});
    auto r18 = make_model("resnet18", 10);
    CHECK(r18->type_name() == "ResNet");
    CHECK(r18->num_classes == 10);
    CHECK(r18->num_parameters() == 11'689'512 - 990 * 512 - 990);
    auto b18 = make_model("bcos_resnet18");
    CHECK(b18->type_name() == "BcosResNet");
    CHECK(b18->num_features == 512);
    auto vit = make_model("bcos_simple_vit_ti_patch16_224", 20);
    CHECK(vit->type_name() == "BcosSimpleViT");
    CHECK(vit->num_classes == 20);
    const std::shared_ptr<Module> as_module = make_model("resnet34");
    CHECK(as_module->num_parameters() == 21'797'672);
    CHECK_THROWS_WITH(make_model("resnet51"),
                      doctest::Contains("make_model: unknown architecture 'resnet51'; valid names: resnet18 resnet34"));
    CHECK_THROWS_WITH(make_model("bcos_resnet18", 1), doctest::Contains("needs at least 2 classes"));
  }
}
