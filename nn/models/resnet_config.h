// The configuration and block layout shared by the conventional and the B-cos ResNets (torchvision
// models/resnet.py, ResNet v1.5; B-cos-v2 bcos/models/resnet.py; paper.md §2.2; xai-methods.md A.5).
//
// Stage k = 1..4 has layers[k−1] blocks of `planes` = base_width · 2^(k−1) channels inside and planes · expansion
// channels out (expansion 1 for BasicBlock, 4 for Bottleneck). The first block of stages 2–4 has stride 2 (on the
// 3×3 conv: v1.5); a block gets a downsample branch (1×1 conv with the block's stride + norm) when its stride is not
// 1 or its input width differs from its output width.
//
//   depth 18: BasicBlock [2, 2, 2, 2]    34: BasicBlock [3, 4, 6, 3]    50: Bottleneck [3, 4, 6, 3]
//
// Defaults are torchvision's ImageNet model. For small images (28–64 px: the Fashion-MNIST "ResNet-18-style"
// backbone) set small_stem (B-cos-v2's `small_inputs`: conv1 3×3 stride 1 padding 1 and no stem pool), in_channels
// (image channels; a B-cos net encodes [x, 1 − x] and so has 2 · in_channels inputs) and base_width (B-cos-v2's
// `inplanes`; NOT torchvision's `width_per_group`, which only scales a Bottleneck's inner width and is fixed at 64).
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "tensor/philox.h"

namespace htp::nn {

enum class ResNetBlock { basic, bottleneck };

struct ResNetConfig {
  ResNetBlock block = ResNetBlock::bottleneck;
  std::array<int64_t, 4> layers = {3, 4, 6, 3};
  int64_t num_classes = 1000;
  int64_t in_channels = 3;
  int64_t base_width = 64;
  bool small_stem = false;
  Generator* gen = nullptr;  // initialisation (null: the default generator)
};

// depth 18, 34 or 50.
ResNetConfig resnet_config(int depth, int64_t num_classes = 1000);

// One block of the layout: input and output widths, inner width (`planes`), stride, whether it has a downsample.
struct ResNetBlockSpec {
  int64_t in_channels, planes, out_channels, stride;
  bool downsample;
};

int64_t resnet_expansion(ResNetBlock block);                                            // 1 or 4
std::array<std::vector<ResNetBlockSpec>, 4> resnet_layout(const ResNetConfig& config);  // checks the config
int64_t resnet_num_features(const ResNetConfig& config);                                // layer4's output channels

}  // namespace htp::nn
