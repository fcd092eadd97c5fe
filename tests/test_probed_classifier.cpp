// nn::ProbedClassifier: a frozen backbone and a probe as one module whose logits differentiate down to the image.
#include <doctest/doctest.h>

#include <cmath>

#include "autograd/engine.h"
#include "autograd/ops.h"
#include "nn/models.h"
#include "nn/probed_classifier.h"
#include "nn/probes.h"
#include "tensor/creation.h"
#include "tensor/random.h"
#include "test_util.h"

using namespace htp;

TEST_SUITE("nn") {
  TEST_CASE("ProbedClassifier: logits are probe(features), module paths and input gradients") {
    Generator gen(7);
    nn::ResNetConfig config = nn::resnet_config(18, 5);
    config.base_width = 4;
    config.in_channels = 1;
    config.small_stem = true;
    config.gen = &gen;
    auto backbone = std::make_shared<nn::ResNet>(config);
    auto probe = nn::make_probe("mlp2", backbone->num_features, 5, 8);
    nn::ProbedClassifier model(backbone, probe);
    model.eval();
    model.freeze();

    const Tensor x = randn({2, 1, 12, 12}, DType::f32, Device::cpu(), &gen);
    const Tensor want = (*probe)(Variable(backbone->forward_features(Variable(x)).data())).data();
    Variable input(x, /*requires_grad=*/true);
    const Variable logits = model(input);
    htp::testing::check_close(logits.data(), want.to_vector(), 1e-6);

    bool has_conv = false, has_fc = false;
    for (const auto& [name, module] : model.named_modules()) {
      has_conv |= name == "backbone.layer4.1.conv2";
      has_fc |= name == "probe.fc0";
    }
    CHECK(has_conv);
    CHECK(has_fc);

    // The frozen model still passes gradients to the image (what every attribution method needs).
    const Tensor g = grad({sum(select(logits, 1, 3))}, {input})[0];
    CHECK(g.shape() == x.shape());
    double norm = 0;
    for (double v : g.to_vector()) norm += std::abs(v);
    CHECK(norm > 0);
  }
}
