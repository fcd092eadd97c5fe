#include "apps/train_backbone.h"

#include "nn/safetensors.h"
#include "tensor/error.h"

namespace htp::app {
namespace {

const Tensor& weight(const nn::StateDict& w, const std::string& name, const std::string& path,
                     const std::string& arch) {
  auto it = w.find(name);
  HTP_CHECK(it != w.end(), "'", path, "' has no tensor '", name, "': not ", arch, " weights?");
  return it->second;
}

}  // namespace

LoadedBackbone backbone_of(const Checkpoint& checkpoint) {
  const bool probe = checkpoint.kind == "probe";
  HTP_CHECK(probe || checkpoint.kind == "pretrain", "checkpoint '", checkpoint.path, "' has unknown kind '",
            checkpoint.kind, "'");
  LoadedBackbone b;
  try {
    b.spec = BackboneSpec::from_json(checkpoint.settings.at("backbone"));
    b.encoding = InputEncoding::from_json(checkpoint.settings.at("input"));
    b.data = checkpoint.settings.at("data").get<std::string>();
    b.image_size = checkpoint.settings.at("image_size").get<int64_t>();
  } catch (const nlohmann::json::exception& e) {
    throw Error("checkpoint '" + checkpoint.path + "': incomplete settings: " + e.what());
  }
  b.source = checkpoint.path;
  b.model = make_backbone(b.spec);
  try {
    b.model->load_state_dict(checkpoint.section(probe ? "backbone" : "model"));
  } catch (const Error& e) {
    throw Error("checkpoint '" + checkpoint.path + "': " + e.what());
  }
  b.model->eval();
  return b;
}

LoadedBackbone load_backbone(const std::string& file_or_dir, const std::string& arch, const DataSpec& data) {
  const std::string path = resolve_checkpoint_path(file_or_dir);
  if (is_checkpoint(path)) return backbone_of(load_checkpoint(path));
  HTP_CHECK(!arch.empty(), "'", path, "' holds plain weights: say which architecture with --arch");
  const nn::StateDict w = nn::load_safetensors(path);
  LoadedBackbone b;
  b.spec.arch = arch;
  const bool bcos = b.spec.bcos();
  const Tensor& conv1 = weight(w, bcos ? "conv1.linear.weight" : "conv1.weight", path, arch);
  const Tensor& fc = weight(w, bcos ? "fc.linear.weight" : "fc.weight", path, arch);
  b.spec.width = conv1.size(0);
  b.spec.in_channels = bcos ? conv1.size(1) / 2 : conv1.size(1);
  b.spec.num_classes = fc.size(0);
  b.encoding = default_encoding(data, bcos);
  b.source = path;
  b.model = make_backbone(b.spec);
  nn::load_into(*b.model, path);
  b.model->eval();
  return b;
}

}  // namespace htp::app
