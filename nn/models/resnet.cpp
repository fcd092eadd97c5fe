#include "nn/models/resnet.h"

#include "autograd/functions/elementwise.h"
#include "autograd/functions/views.h"

namespace htp::nn {

namespace {

// A bias-free conv with torchvision's ResNet init: kaiming_normal_(mode = fan_out, nonlinearity = relu).
std::shared_ptr<Conv2d> conv(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t padding, Generator* gen) {
  auto c = std::make_shared<Conv2d>(in, out, k, stride, padding, 1, 1, false, gen);
  init::kaiming_normal_(c->weight.data(), 0.0, init::FanMode::fan_out, init::Nonlinearity::relu, gen);
  return c;
}

std::shared_ptr<Sequential> make_downsample(const ResNetBlockSpec& s, Generator* gen) {
  return std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
      conv(s.in_channels, s.out_channels, 1, s.stride, 0, gen), std::make_shared<BatchNorm2d>(s.out_channels)});
}

}  // namespace

BasicBlock::BasicBlock(const ResNetBlockSpec& s, Generator* gen) {
  conv1 = register_module("conv1", conv(s.in_channels, s.planes, 3, s.stride, 1, gen));
  bn1 = register_module("bn1", std::make_shared<BatchNorm2d>(s.planes));
  relu = register_module("relu", std::make_shared<ReLU>());
  conv2 = register_module("conv2", conv(s.planes, s.planes, 3, 1, 1, gen));
  bn2 = register_module("bn2", std::make_shared<BatchNorm2d>(s.planes));
  if (s.downsample) downsample = register_module("downsample", make_downsample(s, gen));
}

Variable BasicBlock::forward(const Variable& x) {
  Variable out = (*relu)((*bn1)((*conv1)(x)));
  out = (*bn2)((*conv2)(out));
  return (*relu)(add(out, downsample ? (*downsample)(x) : x));
}

Bottleneck::Bottleneck(const ResNetBlockSpec& s, Generator* gen) {
  conv1 = register_module("conv1", conv(s.in_channels, s.planes, 1, 1, 0, gen));
  bn1 = register_module("bn1", std::make_shared<BatchNorm2d>(s.planes));
  conv2 = register_module("conv2", conv(s.planes, s.planes, 3, s.stride, 1, gen));
  bn2 = register_module("bn2", std::make_shared<BatchNorm2d>(s.planes));
  conv3 = register_module("conv3", conv(s.planes, s.out_channels, 1, 1, 0, gen));
  bn3 = register_module("bn3", std::make_shared<BatchNorm2d>(s.out_channels));
  relu = register_module("relu", std::make_shared<ReLU>());
  if (s.downsample) downsample = register_module("downsample", make_downsample(s, gen));
}

Variable Bottleneck::forward(const Variable& x) {
  Variable out = (*relu)((*bn1)((*conv1)(x)));
  out = (*relu)((*bn2)((*conv2)(out)));
  out = (*bn3)((*conv3)(out));
  return (*relu)(add(out, downsample ? (*downsample)(x) : x));
}

ResNet::ResNet(const ResNetConfig& c) : ImageClassifier(c.num_classes, resnet_num_features(c)), config(c) {
  const auto layout = resnet_layout(c);
  conv1 = register_module("conv1", c.small_stem ? conv(c.in_channels, c.base_width, 3, 1, 1, c.gen)
                                                : conv(c.in_channels, c.base_width, 7, 2, 3, c.gen));
  bn1 = register_module("bn1", std::make_shared<BatchNorm2d>(c.base_width));
  relu = register_module("relu", std::make_shared<ReLU>());
  if (!c.small_stem) maxpool = register_module("maxpool", std::make_shared<MaxPool2d>(3, 2, 1));
  for (size_t stage = 0; stage < 4; ++stage) {
    auto layer = std::make_shared<Sequential>();
    for (const ResNetBlockSpec& spec : layout[stage]) {
      if (c.block == ResNetBlock::basic)
        layer->push_back(std::make_shared<BasicBlock>(spec, c.gen));
      else
        layer->push_back(std::make_shared<Bottleneck>(spec, c.gen));
    }
    layers[stage] = register_module("layer" + std::to_string(stage + 1), layer);
  }
  avgpool = register_module("avgpool", std::make_shared<AdaptiveAvgPool2d>(1));
  fc = register_module("fc", std::make_shared<Linear>(num_features, c.num_classes, true, c.gen));
}

Variable ResNet::features(const Variable& x, size_t index) {
  HTP_CHECK(x.dim() == 4 && x.size(1) == config.in_channels, "ResNet: expected an input of shape [N, ",
            config.in_channels, ", H, W], got ", x.describe());
  Variable y = (*relu)((*bn1)((*conv1)(x)));
  if (maxpool) y = (*maxpool)(y);
  for (size_t stage = 0; stage <= index; ++stage) y = (*layers[stage])(y);
  return y;
}

Variable ResNet::forward(const Variable& x) { return (*fc)(flatten((*avgpool)(forward_features(x)), 1)); }

std::shared_ptr<ResNet> resnet18(int64_t num_classes) {
  return std::make_shared<ResNet>(resnet_config(18, num_classes));
}
std::shared_ptr<ResNet> resnet34(int64_t num_classes) {
  return std::make_shared<ResNet>(resnet_config(34, num_classes));
}
std::shared_ptr<ResNet> resnet50(int64_t num_classes) {
  return std::make_shared<ResNet>(resnet_config(50, num_classes));
}

}  // namespace htp::nn
