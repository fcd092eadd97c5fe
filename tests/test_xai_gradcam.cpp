// GradCAM (xai/gradcam.h) on a hand-built conv net whose answer is known, its ReLU option, the default layer of the
// ResNets and the errors.
#include <doctest/doctest.h>

#include <cmath>

#include "kernels/index.h"
#include "kernels/unary.h"
#include "nn/layers.h"
#include "nn/models.h"
#include "test_util.h"
#include "test_xai_util.h"
#include "xai/attribution.h"
#include "xai/gradcam.h"

using namespace htp;

namespace {

// conv 2×2 stride 2 (1 -> 2 channels, no bias) -> global average pool -> flatten -> linear(2 -> 2), float64.
// Channel 0 sums each 2×2 block, channel 1 picks its top-left pixel.
std::shared_ptr<nn::Sequential> block_net() {
  auto net = std::make_shared<nn::Sequential>();
  auto conv = net->push_back(std::make_shared<nn::Conv2d>(1, 2, 2, 2, 0, 1, 1, false));
  net->push_back(std::make_shared<nn::AdaptiveAvgPool2d>(1));
  net->push_back(std::make_shared<nn::Flatten>());
  auto fc = net->push_back(std::make_shared<nn::Linear>(2, 2));
  net->to(DType::f64);
  testing::set_values(conv->weight, {1, 1, 1, 1, /**/ 1, 0, 0, 0});
  testing::set_values(fc->weight, {2, -4, /**/ 1, 1});
  testing::set_values(fc->bias, {0.5, 0});
  net->eval();
  return net;
}

struct TwiceConv : nn::Module {
  std::shared_ptr<nn::Conv2d> conv = register_module("conv", std::make_shared<nn::Conv2d>(1, 1, 1));
  std::shared_ptr<nn::Flatten> flat = register_module("flat", std::make_shared<nn::Flatten>());
  std::string type_name() const override { return "TwiceConv"; }
  Variable forward(const Variable& x) override { return (*flat)((*conv)((*conv)(x))); }
};

}  // namespace

TEST_SUITE("xai") {

TEST_CASE("gradcam: α_k = w_tk / (h·w), L = Σ α_k A_k, upsampled bilinearly (align_corners false)") {
  auto net = block_net();
  // Blocks (2×2 each) of x: sums A0 = [[4, 0], [-4, 2]], top-left pixels A1 = [[1, 3], [-1, -2]].
  const Tensor x = tensor(std::vector<double>{1, 1,  3, -1,  //
                                              1, 1,  -2, 0,  //
                                              -1, -1, -2, 1,  //
                                              -1, -1, 1, 2},
                          {1, 1, 4, 4});
  // Target 0: α = [2, −4]/4 = [0.5, −1], L = 0.5·A0 − A1 = [[1, −3], [−1, 3]].
  // Rows/columns of the 4×4 upsampling: out 0 = in 0, out 1 = ¾ in 0 + ¼ in 1, out 2 = ¼ in 0 + ¾ in 1, out 3 = in 1.
  const std::vector<double> l = {1, -3, -1, 3};
  auto up = [](const std::vector<double>& m) {
    const double w[4][2] = {{1, 0}, {0.75, 0.25}, {0.25, 0.75}, {0, 1}};
    std::vector<double> out(16);
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j)
        for (int a = 0; a < 2; ++a)
          for (int b = 0; b < 2; ++b) out[i * 4 + j] += w[i][a] * w[j][b] * m[a * 2 + b];
    return out;
  };
  xai::GradCam cam({"0", false});
  const Tensor a = cam.attribute(*net, x, {0});
  CHECK(a.shape() == Shape{1, 1, 4, 4});
  testing::check_close(a, up(l), 1e-12);
  // With the ReLU: max(L, 0) before upsampling.
  testing::check_close(xai::GradCam({"0", true}).attribute(*net, x, {0}), up({1, 0, 0, 3}), 1e-12);
  // A batch [x, −x] with targets [1, 0]: target 1 (w = [1, 1]) gives L = (A0 + A1)/4 = [[1.25, 0.75], [−1.25, 0]];
  // −x flips both maps, so target 0 gives −[[1, −3], [−1, 3]]. The same method object is used again.
  const Tensor both = cam.attribute(*net, kernels::cat({x, kernels::neg(x)}, 0), {1, 0});
  std::vector<double> want = up({1.25, 0.75, -1.25, 0});
  for (double v : up({-1, 3, 1, -3})) want.push_back(v);
  testing::check_close(both, want, 1e-12);
}

TEST_CASE("gradcam: the default layer is the last conv<k> inside layer4") {
  nn::ResNetConfig config;
  config.layers = {1, 1, 1, 2};
  config.base_width = 2;
  config.small_stem = true;
  config.num_classes = 3;
  CHECK(xai::default_gradcam_layer(*std::make_shared<nn::ResNet>(config)) == "layer4.1.conv3");
  config.block = nn::ResNetBlock::basic;
  CHECK(xai::default_gradcam_layer(*std::make_shared<nn::ResNet>(config)) == "layer4.1.conv2");
  CHECK(xai::default_gradcam_layer(*std::make_shared<nn::BcosResNet>(config)) == "layer4.1.conv2");
  CHECK(testing::contains(testing::error_of([] { xai::default_gradcam_layer(*block_net()); }),
                          "has no layer4.<block>.conv<k> module; give the layer option"));
}

TEST_CASE("gradcam: runs on a tiny ResNet with the default layer, one map per image") {
  nn::ResNetConfig config;
  config.layers = {1, 1, 1, 1};
  config.base_width = 2;
  config.small_stem = true;
  config.num_classes = 3;
  auto model = std::make_shared<nn::ResNet>(config);
  model->eval();
  const Tensor x = testing::random_tensor({2, 3, 16, 16}, DType::f32, 3);
  const Tensor a = xai::make_method("gradcam")->attribute(*model, x, {0, 2});
  CHECK(a.shape() == Shape{2, 1, 16, 16});
  for (double v : a.to_vector()) CHECK(std::isfinite(v));
}

TEST_CASE("gradcam: errors for a layer that runs twice, a non-map layer, a missing layer") {
  auto twice = std::make_shared<TwiceConv>();
  const Tensor x = ones({1, 1, 2, 2});
  CHECK(testing::contains(testing::error_of([&] { xai::GradCam({"conv", false}).attribute(*twice, x, {0}); }),
                          "module 'conv' (Conv2d) ran 2 times in one forward pass; expected 1"));
  auto net = block_net();
  CHECK(testing::contains(
      testing::error_of([&] { xai::GradCam({"2", false}).attribute(*net, ones({1, 1, 4, 4}, DType::f64), {0}); }),
      "expected a feature map [N, K, h, w]"));
  CHECK(testing::contains(testing::error_of([&] { xai::GradCam({"7", false}).attribute(*net, x, {0}); }),
                          "no submodule '7'"));
}

}  // TEST_SUITE("xai")
