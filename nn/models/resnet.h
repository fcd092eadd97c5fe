// Conventional ResNet-18/34/50, torchvision models/resnet.py (v1.5: the stride of a Bottleneck is on its 3×3 conv);
// paper.md §2.2 ("Conventional ResNet-50"), xai-methods.md A.5 (left column). Layout and options: resnet_config.h.
//
//   x [N, 3, H, W] -> conv1 7×7/2 pad 3 -> bn1 -> relu -> maxpool 3×3/2 pad 1     [N, 64, H/4, W/4]
//   (small_stem: conv1 3×3/1 pad 1 -> bn1 -> relu, no maxpool                      [N, 64, H, W])
//   -> layer1 .. layer4                                                            [N, 2048, H/32, W/32] (ResNet-50)
//   -> avgpool (global) -> flatten -> fc                                           [N, num_classes]
//   BasicBlock  (18/34): relu(bn2(conv2(relu(bn1(conv1 3×3, stride(x))))) + identity)
//   Bottleneck  (50):    relu(bn3(conv3 1×1(relu(bn2(conv2 3×3, stride(relu(bn1(conv1 1×1(x))))))))) + identity)
//   identity = downsample(x) = bn(conv 1×1, stride(x)) when present, else x. One `relu` module per block, called
//   two (BasicBlock) or three (Bottleneck) times, as in torchvision.
// Convs have no bias. Init as torchvision: kaiming_normal_(fan_out, relu) for every conv, BN weight 1 / bias 0,
// fc the nn.Linear default; zero_init_residual off.
// Names are torchvision's, so its checkpoints load by name: conv1.weight, bn1.{weight, bias, running_mean,
// running_var, num_batches_tracked}, layer1.0.conv1.weight, layer2.0.downsample.0.weight, layer2.0.downsample.1.*,
// fc.weight, fc.bias. GradCAM's layer (paper §3) is submodule("layer4.2.conv3").
// Feature stages: "layer1" … "layer4" (the default, the probe input).
#pragma once
#include <array>
#include <memory>

#include "nn/layers.h"
#include "nn/models/image_classifier.h"
#include "nn/models/resnet_config.h"

namespace htp::nn {

class BasicBlock : public Module {
 public:
  BasicBlock(const ResNetBlockSpec& spec, Generator* gen);
  std::string type_name() const override { return "BasicBlock"; }
  Variable forward(const Variable& x) override;

  std::shared_ptr<Conv2d> conv1, conv2;
  std::shared_ptr<BatchNorm2d> bn1, bn2;
  std::shared_ptr<ReLU> relu;
  std::shared_ptr<Sequential> downsample;  // null without one
};

class Bottleneck : public Module {
 public:
  Bottleneck(const ResNetBlockSpec& spec, Generator* gen);
  std::string type_name() const override { return "Bottleneck"; }
  Variable forward(const Variable& x) override;

  std::shared_ptr<Conv2d> conv1, conv2, conv3;
  std::shared_ptr<BatchNorm2d> bn1, bn2, bn3;
  std::shared_ptr<ReLU> relu;
  std::shared_ptr<Sequential> downsample;  // null without one
};

class ResNet : public ImageClassifier {
 public:
  explicit ResNet(const ResNetConfig& config);
  std::string type_name() const override { return "ResNet"; }
  Variable forward(const Variable& x) override;
  std::vector<std::string> feature_stages() const override { return {"layer1", "layer2", "layer3", "layer4"}; }

  const ResNetConfig config;
  std::shared_ptr<Conv2d> conv1;
  std::shared_ptr<BatchNorm2d> bn1;
  std::shared_ptr<ReLU> relu;
  std::shared_ptr<MaxPool2d> maxpool;                 // null with small_stem
  std::array<std::shared_ptr<Sequential>, 4> layers;  // layer1 … layer4
  std::shared_ptr<AdaptiveAvgPool2d> avgpool;
  std::shared_ptr<Linear> fc;

 protected:
  Variable features(const Variable& x, size_t index) override;
};

std::shared_ptr<ResNet> resnet18(int64_t num_classes = 1000);
std::shared_ptr<ResNet> resnet34(int64_t num_classes = 1000);
std::shared_ptr<ResNet> resnet50(int64_t num_classes = 1000);

}  // namespace htp::nn
