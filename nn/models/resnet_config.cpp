#include "nn/models/resnet_config.h"

#include "tensor/error.h"

namespace htp::nn {

ResNetConfig resnet_config(int depth, int64_t num_classes) {
  ResNetConfig c;
  c.num_classes = num_classes;
  switch (depth) {
    case 18:
      c.block = ResNetBlock::basic;
      c.layers = {2, 2, 2, 2};
      break;
    case 34:
      c.block = ResNetBlock::basic;
      c.layers = {3, 4, 6, 3};
      break;
    case 50:
      c.block = ResNetBlock::bottleneck;
      c.layers = {3, 4, 6, 3};
      break;
    default:
      throw Error("resnet_config: depth must be 18, 34 or 50, got " + std::to_string(depth));
  }
  return c;
}

int64_t resnet_expansion(ResNetBlock block) { return block == ResNetBlock::basic ? 1 : 4; }

std::array<std::vector<ResNetBlockSpec>, 4> resnet_layout(const ResNetConfig& c) {
  HTP_CHECK(c.num_classes >= 1 && c.in_channels >= 1 && c.base_width >= 1,
            "ResNet: num_classes, in_channels and base_width must be positive, got ", c.num_classes, ", ",
            c.in_channels, ", ", c.base_width);
  for (int64_t n : c.layers) HTP_CHECK(n >= 1, "ResNet: every stage needs at least one block, got ", n);
  const int64_t expansion = resnet_expansion(c.block);
  std::array<std::vector<ResNetBlockSpec>, 4> layout;
  int64_t width = c.base_width;  // the running input width (torchvision's self.inplanes)
  for (size_t stage = 0; stage < 4; ++stage) {
    const int64_t planes = c.base_width << stage, out = planes * expansion;
    for (int64_t b = 0; b < c.layers[stage]; ++b) {
      const int64_t stride = (stage > 0 && b == 0) ? 2 : 1;
      layout[stage].push_back({width, planes, out, stride, stride != 1 || width != out});
      width = out;
    }
  }
  return layout;
}

int64_t resnet_num_features(const ResNetConfig& c) { return (c.base_width << 3) * resnet_expansion(c.block); }

}  // namespace htp::nn
