#include "apps/explain_model.h"

#include "nn/probed_classifier.h"
#include "nn/probes.h"
#include "tensor/error.h"

namespace htp::app {

std::string ExplainableModel::description() const {
  std::string d = backbone.spec.arch;
  d += probe ? " + " + probe_kind + " probe" : " (own head)";
  return d + " (" + loss.kind + ")";
}

ExplainableModel load_explainable(const std::string& file_or_dir, const std::string& arch, const DataSpec& data) {
  const std::string path = resolve_checkpoint_path(file_or_dir);
  ExplainableModel m;
  if (is_checkpoint(path)) {
    const Checkpoint c = load_checkpoint(path);
    m.kind = c.kind;
    m.backbone = backbone_of(c);
    try {
      m.loss = LossSpec::from_json(c.settings.at("loss"));
      if (c.kind == "probe") {
        const Json& p = c.settings.at("probe");
        m.probe_kind = p.at("kind").get<std::string>();
        m.num_classes = p.at("num_classes").get<int64_t>();
        m.probe = nn::make_probe(m.probe_kind, m.backbone.model->num_features, m.num_classes,
                                 p.at("hidden").get<int64_t>());
      }
    } catch (const nlohmann::json::exception& e) {
      throw Error("checkpoint '" + path + "': incomplete settings: " + e.what());
    }
    if (m.probe) {
      try {
        m.probe->load_state_dict(c.section("probe"));
      } catch (const Error& e) {
        throw Error("checkpoint '" + path + "', probe: " + e.what());
      }
    }
  } else {
    m.backbone = load_backbone(path, arch, data);
  }
  if (m.probe) {
    m.model = std::make_shared<nn::ProbedClassifier>(m.backbone.model, m.probe);
  } else {
    m.model = m.backbone.model;
    m.num_classes = m.backbone.spec.num_classes;
  }
  m.model->eval();
  m.model->freeze();
  return m;
}

std::vector<std::string> applicable_methods(const ExplainableModel& model) {
  std::vector<std::string> methods = {"gradient", "ixg", "ig", "gradcam"};
  if (model.bcos()) {
    methods.push_back("bcos");
  } else {
    methods.push_back("gbp");
    methods.push_back("lrp");
  }
  methods.push_back("lime");
  return methods;
}

}  // namespace htp::app
