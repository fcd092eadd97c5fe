#include "nn/models/bcos_resnet.h"

#include "autograd/functions/elementwise.h"
#include "autograd/functions/views.h"

namespace htp::nn {

namespace {

// BcosConv2d (B = 2, max_out = 1) with B-cos-v2's init of its NormedConv2d weight: kaiming_normal_(fan_out, relu).
std::shared_ptr<BcosConv2d> bcos_conv(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t padding,
                                      Generator* gen) {
  auto c = std::make_shared<BcosConv2d>(in, out, k, stride, padding);
  init::kaiming_normal_(c->linear->weight.data(), 0.0, init::FanMode::fan_out, init::Nonlinearity::relu, gen);
  return c;
}

std::shared_ptr<BatchNormUncentered2d> bnu(int64_t channels) {
  return std::make_shared<BatchNormUncentered2d>(channels);
}

std::shared_ptr<Sequential> make_downsample(const ResNetBlockSpec& s, Generator* gen) {
  return std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
      bcos_conv(s.in_channels, s.out_channels, 1, s.stride, 0, gen), bnu(s.out_channels)});
}

}  // namespace

BcosBasicBlock::BcosBasicBlock(const ResNetBlockSpec& s, Generator* gen) {
  conv1 = register_module("conv1", bcos_conv(s.in_channels, s.planes, 3, s.stride, 1, gen));
  bn1 = register_module("bn1", bnu(s.planes));
  conv2 = register_module("conv2", bcos_conv(s.planes, s.planes, 3, 1, 1, gen));
  bn2 = register_module("bn2", bnu(s.planes));
  if (s.downsample) downsample = register_module("downsample", make_downsample(s, gen));
}

Variable BcosBasicBlock::forward(const Variable& x) {
  const Variable out = (*bn2)((*conv2)((*bn1)((*conv1)(x))));
  return add(out, downsample ? (*downsample)(x) : x);
}

BcosBottleneck::BcosBottleneck(const ResNetBlockSpec& s, Generator* gen) {
  conv1 = register_module("conv1", bcos_conv(s.in_channels, s.planes, 1, 1, 0, gen));
  bn1 = register_module("bn1", bnu(s.planes));
  conv2 = register_module("conv2", bcos_conv(s.planes, s.planes, 3, s.stride, 1, gen));
  bn2 = register_module("bn2", bnu(s.planes));
  conv3 = register_module("conv3", bcos_conv(s.planes, s.out_channels, 1, 1, 0, gen));
  bn3 = register_module("bn3", bnu(s.out_channels));
  if (s.downsample) downsample = register_module("downsample", make_downsample(s, gen));
}

Variable BcosBottleneck::forward(const Variable& x) {
  Variable out = (*bn1)((*conv1)(x));
  out = (*bn2)((*conv2)(out));
  out = (*bn3)((*conv3)(out));
  return add(out, downsample ? (*downsample)(x) : x);
}

BcosResNet::BcosResNet(const ResNetConfig& c) : ImageClassifier(c.num_classes, resnet_num_features(c)), config(c) {
  const auto layout = resnet_layout(c);
  const int64_t encoded = 2 * c.in_channels;
  conv1 = register_module("conv1", c.small_stem ? bcos_conv(encoded, c.base_width, 3, 1, 1, c.gen)
                                                : bcos_conv(encoded, c.base_width, 7, 2, 3, c.gen));
  bn1 = register_module("bn1", bnu(c.base_width));
  if (!c.small_stem) pool = register_module("pool", std::make_shared<AvgPool2d>(3, 2, 1));
  for (size_t stage = 0; stage < 4; ++stage) {
    auto layer = std::make_shared<Sequential>();
    for (const ResNetBlockSpec& spec : layout[stage]) {
      if (c.block == ResNetBlock::basic)
        layer->push_back(std::make_shared<BcosBasicBlock>(spec, c.gen));
      else
        layer->push_back(std::make_shared<BcosBottleneck>(spec, c.gen));
    }
    layers[stage] = register_module("layer" + std::to_string(stage + 1), layer);
  }
  avgpool = register_module("avgpool", std::make_shared<AdaptiveAvgPool2d>(1));
  fc = register_module("fc", bcos_conv(num_features, c.num_classes, 1, 1, 0, c.gen));
  logit_layer =
      register_module("logit_layer", std::make_shared<LogitLayer>(std::nullopt, bcos_logit_bias(c.num_classes)));
}

Variable BcosResNet::features(const Variable& x, size_t index) {
  const int64_t C = config.in_channels;
  HTP_CHECK(x.dim() == 4 && (x.size(1) == C || x.size(1) == 2 * C), "BcosResNet: expected an image [N, ", C,
            ", H, W] in [0, 1] or its encoding [x, 1 - x] [N, ", 2 * C, ", H, W], got ", x.describe());
  Variable y = (*bn1)((*conv1)(x.size(1) == C ? add_inverse(x) : x));
  if (pool) y = (*pool)(y);
  for (size_t stage = 0; stage <= index; ++stage) y = (*layers[stage])(y);
  return y;
}

Variable BcosResNet::forward(const Variable& x) {
  return (*logit_layer)(flatten((*avgpool)((*fc)(forward_features(x))), 1));
}

std::shared_ptr<BcosResNet> bcos_resnet18(int64_t num_classes) {
  return std::make_shared<BcosResNet>(resnet_config(18, num_classes));
}
std::shared_ptr<BcosResNet> bcos_resnet50(int64_t num_classes) {
  return std::make_shared<BcosResNet>(resnet_config(50, num_classes));
}

}  // namespace htp::nn
