#include "apps/train_model.h"

#include <sstream>

#include "tensor/error.h"

namespace htp::app {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

const std::vector<std::string>& backbone_archs() {
  static const std::vector<std::string> archs = {
      "resnet18-small", "resnet34-small", "resnet50-small", "bcos-resnet18-small", "bcos-resnet50-small",
      "resnet18",       "resnet34",       "resnet50",       "bcos-resnet18",       "bcos-resnet50"};
  return archs;
}

bool BackboneSpec::bcos() const { return arch.rfind("bcos-", 0) == 0; }

int64_t resolve_width(const BackboneSpec& spec) {
  HTP_CHECK(spec.width >= 0, "--width must be >= 0, got ", spec.width);
  if (spec.width > 0) return spec.width;
  return ends_with(spec.arch, "-small") ? kDefaultSmallWidth : 64;
}

Json BackboneSpec::to_json() const {
  return {{"arch", arch}, {"width", resolve_width(*this)}, {"in_channels", in_channels}, {"num_classes", num_classes}};
}

BackboneSpec BackboneSpec::from_json(const Json& j) {
  return {j.at("arch").get<std::string>(), j.at("width").get<int64_t>(), j.at("in_channels").get<int64_t>(),
          j.at("num_classes").get<int64_t>()};
}

std::shared_ptr<nn::ImageClassifier> make_backbone(const BackboneSpec& spec) {
  bool known = false;
  for (const std::string& a : backbone_archs()) known = known || a == spec.arch;
  if (!known) {
    std::ostringstream valid;
    for (const std::string& a : backbone_archs()) valid << " " << a;
    throw Error("--arch: unknown architecture '" + spec.arch + "'; valid:" + valid.str());
  }
  std::string name = spec.arch;  // [bcos-]resnet<depth>[-small]
  const bool small = ends_with(name, "-small");
  if (small) name.resize(name.size() - 6);
  if (spec.bcos()) name = name.substr(5);
  nn::ResNetConfig config = nn::resnet_config(std::stoi(name.substr(6)), spec.num_classes);
  config.in_channels = spec.in_channels;
  config.base_width = resolve_width(spec);
  config.small_stem = small;
  if (spec.bcos()) {
    HTP_CHECK(spec.num_classes >= 2, spec.arch, ": a B-cos model needs at least 2 classes, got ", spec.num_classes);
    return std::make_shared<nn::BcosResNet>(config);
  }
  return std::make_shared<nn::ResNet>(config);
}

}  // namespace htp::app
