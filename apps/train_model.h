// Backbones of the training commands by name, built from nn/models' ResNetConfig:
//
//   resnet18, resnet34, resnet50              torchvision layout (7×7/2 stem + max-pool), base width 64 by default
//   bcos-resnet18, bcos-resnet50              B-cos-v2 layout (nn/models/bcos_resnet.h)
//   <any of these>-small                      small-input variant (B-cos-v2's small_inputs): 3×3/1 stem, no pool;
//                                             for 28–64 px images (Fashion-MNIST: layer4 is 4×4)
//
// in_channels is the image's channels (1 for the MNISTs): a B-cos net encodes [x, 1 − x] itself and so has
// 2 · in_channels input channels. width is ResNetConfig::base_width (stage k has width · 2^(k−1) planes); 0 picks
// the default, 64 for the ImageNet layout and kDefaultSmallWidth for -small. Weights are initialised from the
// default generator (seed it first: the commands call manual_seed(--seed)).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "apps/train_log.h"
#include "nn/models.h"

namespace htp::app {

inline constexpr int64_t kDefaultSmallWidth = 8;

struct BackboneSpec {
  std::string arch = "resnet18-small";
  int64_t width = 0;
  int64_t in_channels = 1;
  int64_t num_classes = 10;

  bool bcos() const;
  Json to_json() const;  // width resolved
  static BackboneSpec from_json(const Json& j);
};

const std::vector<std::string>& backbone_archs();
int64_t resolve_width(const BackboneSpec& spec);
// Errors list the architectures.
std::shared_ptr<nn::ImageClassifier> make_backbone(const BackboneSpec& spec);

}  // namespace htp::app
