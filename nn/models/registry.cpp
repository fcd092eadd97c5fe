#include "nn/models/registry.h"

#include <functional>
#include <sstream>
#include <utility>

#include "nn/models/bcos_resnet.h"
#include "nn/models/bcos_vit.h"
#include "nn/models/resnet.h"
#include "nn/models/vit.h"

namespace htp::nn {

namespace {

using Factory = std::function<std::shared_ptr<ImageClassifier>(int64_t)>;

const std::vector<std::pair<std::string, Factory>>& registry() {
  static const std::vector<std::pair<std::string, Factory>> models = {
      {"resnet18", [](int64_t k) { return resnet18(k); }},
      {"resnet34", [](int64_t k) { return resnet34(k); }},
      {"resnet50", [](int64_t k) { return resnet50(k); }},
      {"bcos_resnet18", [](int64_t k) { return bcos_resnet18(k); }},
      {"bcos_resnet50", [](int64_t k) { return bcos_resnet50(k); }},
      {"vit_tiny_patch16_224", [](int64_t k) { return vit_tiny_patch16_224(k); }},
      {"vit_small_patch16_224", [](int64_t k) { return vit_small_patch16_224(k); }},
      {"vit_base_patch16_224", [](int64_t k) { return vit_base_patch16_224(k); }},
      {"bcos_simple_vit_ti_patch16_224", [](int64_t k) { return bcos_simple_vit_ti_patch16_224(k); }},
      {"bcos_simple_vit_s_patch16_224", [](int64_t k) { return bcos_simple_vit_s_patch16_224(k); }},
      {"bcos_simple_vit_b_patch16_224", [](int64_t k) { return bcos_simple_vit_b_patch16_224(k); }},
  };
  return models;
}

}  // namespace

std::shared_ptr<ImageClassifier> make_model(const std::string& arch, int64_t num_classes) {
  for (const auto& [name, factory] : registry())
    if (name == arch) return factory(num_classes);
  std::ostringstream valid;
  for (const std::string& name : list_models()) valid << " " << name;
  throw Error("make_model: unknown architecture '" + arch + "'; valid names:" + valid.str());
}

std::vector<std::string> list_models() {
  std::vector<std::string> names;
  for (const auto& [name, _] : registry()) names.push_back(name);
  return names;
}

}  // namespace htp::nn
