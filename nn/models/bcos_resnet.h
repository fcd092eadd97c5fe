// B-cos ResNet-18/50, v2 (B-cos-v2 bcos/models/resnet.py with the ImageNet "bnu-linear" norm; how-to-probe
// pretraining/mmpretrain/mmpretrain/models/backbones/resnet_bcos.py; xai-methods.md A.5; paper.md §2.2).
// Layout and options as the conventional ResNet (resnet_config.h); every layer is made B-cos compatible:
//
//   x [N, C, H, W] in [0, 1] -> [x, 1 − x] (added here when the input has C = in_channels channels; an input with
//                               2C channels is taken as already encoded)                      [N, 2C, H, W]
//   -> conv1 BcosConv2d 7×7/2 pad 3 -> bn1 -> pool AvgPool2d 3×3/2 pad 1 (zero padding counted in the /9)
//   (small_stem: conv1 BcosConv2d 3×3/1 pad 1 -> bn1, no pool)
//   -> layer1 .. layer4                                                         [N, 2048, H/32, W/32] (B-cos RN-50)
//   -> fc BcosConv2d 1×1 (2048 -> K) -> avgpool (global) -> flatten -> logit_layer (+ b, b = −log(K − 1))  [N, K]
//   BcosBasicBlock:  bn2(conv2(bn1(conv1 3×3, stride(x)))) + identity
//   BcosBottleneck:  bn3(conv3 1×1(bn2(conv2 3×3, stride(bn1(conv1 1×1(x))))))) + identity
//   identity = downsample(x) = BNU(BcosConv2d 1×1, stride(x)) when present, else x.
// Every conv is a BcosConv2d (B = 2, max_out = 1, no bias); every norm a BatchNormUncentered2d without bias
// (NoBias(BatchNormUncentered2d)); NO ReLU anywhere, nothing after the residual add. The head applies the 1×1
// B-cos conv at every location BEFORE pooling (B-cos-v2's classifier; the probes of paper §2.3 work the same way).
// Init as B-cos-v2: kaiming_normal_(fan_out, relu) on every conv weight (fc included), BNU weight 1.
// Explanation mode: set_explanation_mode(model, true) (nn/bcos/explanation_mode.h); then in eval mode
// y = W(x)·x exactly and Σ x ⊙ ∂y_c/∂x = y_c − b (xai-methods.md A.7).
//
// Names are B-cos-v2's (its checkpoints load by name; how-to-probe's mmpretrain backbone has the same names under a
// "backbone." prefix and no fc): conv1.linear.weight, bn1.{weight, running_mean, running_var,
// num_batches_tracked}, layer1.0.conv1.linear.weight, layer2.0.downsample.0.linear.weight, layer2.0.downsample.1.*,
// fc.linear.weight. Feature stages: "layer1" … "layer4" (the default, the probe input).
#pragma once
#include <array>
#include <memory>

#include "nn/bcos.h"
#include "nn/layers.h"
#include "nn/models/image_classifier.h"
#include "nn/models/resnet_config.h"

namespace htp::nn {

class BcosBasicBlock : public Module {
 public:
  BcosBasicBlock(const ResNetBlockSpec& spec, Generator* gen);
  std::string type_name() const override { return "BcosBasicBlock"; }
  Variable forward(const Variable& x) override;

  std::shared_ptr<BcosConv2d> conv1, conv2;
  std::shared_ptr<BatchNormUncentered2d> bn1, bn2;
  std::shared_ptr<Sequential> downsample;  // null without one
};

class BcosBottleneck : public Module {
 public:
  BcosBottleneck(const ResNetBlockSpec& spec, Generator* gen);
  std::string type_name() const override { return "BcosBottleneck"; }
  Variable forward(const Variable& x) override;

  std::shared_ptr<BcosConv2d> conv1, conv2, conv3;
  std::shared_ptr<BatchNormUncentered2d> bn1, bn2, bn3;
  std::shared_ptr<Sequential> downsample;  // null without one
};

class BcosResNet : public ImageClassifier {
 public:
  explicit BcosResNet(const ResNetConfig& config);  // config.num_classes >= 2 (for the logit bias)
  std::string type_name() const override { return "BcosResNet"; }
  Variable forward(const Variable& x) override;
  std::vector<std::string> feature_stages() const override { return {"layer1", "layer2", "layer3", "layer4"}; }

  const ResNetConfig config;
  std::shared_ptr<BcosConv2d> conv1;
  std::shared_ptr<BatchNormUncentered2d> bn1;
  std::shared_ptr<AvgPool2d> pool;                    // null with small_stem
  std::array<std::shared_ptr<Sequential>, 4> layers;  // layer1 … layer4
  std::shared_ptr<AdaptiveAvgPool2d> avgpool;
  std::shared_ptr<BcosConv2d> fc;
  std::shared_ptr<LogitLayer> logit_layer;

 protected:
  Variable features(const Variable& x, size_t index) override;
};

std::shared_ptr<BcosResNet> bcos_resnet18(int64_t num_classes = 1000);
std::shared_ptr<BcosResNet> bcos_resnet50(int64_t num_classes = 1000);

}  // namespace htp::nn
