// Probes (definitions and parameter counts in nn/probes.h).
#include "nn/probes.h"

#include <sstream>

#include "autograd/ops.h"
#include "nn/bcos.h"
#include "nn/layers.h"

namespace htp::nn {
namespace {

void check_feature_map(const Module& probe, const Variable& x, int64_t in_features) {
  HTP_CHECK(x.dim() == 4 && x.size(1) == in_features, probe.type_name(), ": expects a feature map [N, ", in_features,
            ", h, w], got ", x.describe());
}

// Class scores [N, C, h, w] -> [N, C]: the mean over the positions.
Variable pooled(AdaptiveAvgPool2d& avgpool, const Variable& scores) { return flatten(avgpool(scores), 1); }

std::shared_ptr<Conv2d> conv1x1(int64_t in, int64_t out, bool bias) {
  return std::make_shared<Conv2d>(in, out, 1, 1, 0, 1, 1, bias);
}

void check_sizes(const char* probe, int64_t in_features, int64_t num_classes) {
  HTP_CHECK(in_features > 0 && num_classes > 0, probe, ": in_features and num_classes must be positive, got ",
            in_features, " and ", num_classes);
}

}  // namespace

LinearProbe::LinearProbe(int64_t in_features, int64_t num_classes, bool bias)
    : in_features(in_features), num_classes(num_classes) {
  check_sizes("LinearProbe", in_features, num_classes);
  avgpool = register_module("avgpool", std::make_shared<AdaptiveAvgPool2d>(1));
  fc = register_module("fc", conv1x1(in_features, num_classes, bias));
}

Variable LinearProbe::forward(const Variable& features) {
  check_feature_map(*this, features, in_features);
  return pooled(*avgpool, (*fc)(features));
}

MLPProbe::MLPProbe(int64_t in_features, int64_t num_classes, const MLPProbeOptions& options)
    : in_features(in_features), num_classes(num_classes), options(options) {
  check_sizes("MLPProbe", in_features, num_classes);
  HTP_CHECK(options.num_layers >= 2 && options.hidden > 0, "MLPProbe: needs num_layers >= 2 and hidden > 0, got ",
            options.num_layers, " and ", options.hidden, " (one layer is LinearProbe)");
  relu = register_module("relu", std::make_shared<ReLU>());
  avgpool = register_module("avgpool", std::make_shared<AdaptiveAvgPool2d>(1));
  for (int64_t i = 0; i < options.num_layers; ++i) {
    const bool last = i == options.num_layers - 1;
    const int64_t in = i == 0 ? in_features : options.hidden;
    const int64_t out = last ? num_classes : options.hidden;
    fcs.push_back(register_module("fc" + std::to_string(i), conv1x1(in, out, options.bias)));
    if (last) break;
    std::shared_ptr<Module> bn;
    if (options.is_bcos)
      bn = std::make_shared<BatchNormUncentered2d>(out);
    else
      bn = std::make_shared<BatchNorm2d>(out);
    norms.push_back(register_module("bn" + std::to_string(i), bn));
  }
  if (options.logit_bias)
    logit_layer =
        register_module("logit_layer", std::make_shared<LogitLayer>(std::nullopt, bcos_logit_bias(num_classes)));
}

Variable MLPProbe::forward(const Variable& features) {
  check_feature_map(*this, features, in_features);
  Variable x = (*norms[0])((*fcs[0])(features));
  for (size_t i = 1; i < fcs.size(); ++i) {
    x = (*fcs[i])((*relu)(x));
    if (i < norms.size()) x = (*norms[i])(x);
  }
  x = pooled(*avgpool, x);
  return logit_layer ? (*logit_layer)(x) : x;
}

BcosMLPProbe::BcosMLPProbe(int64_t in_features, int64_t num_classes, int64_t num_layers, int64_t hidden)
    : in_features(in_features), num_classes(num_classes), num_layers(num_layers), hidden(hidden) {
  check_sizes("BcosMLPProbe", in_features, num_classes);
  HTP_CHECK(num_layers >= 1 && hidden > 0, "BcosMLPProbe: needs num_layers >= 1 and hidden > 0, got ", num_layers,
            " and ", hidden);
  avgpool = register_module("avgpool", std::make_shared<AdaptiveAvgPool2d>(1));
  for (int64_t i = 0; i < num_layers; ++i) {
    const bool last = i == num_layers - 1;
    const int64_t in = i == 0 ? in_features : hidden;
    const int64_t out = last ? num_classes : hidden;
    fcs.push_back(register_module("fc" + std::to_string(i), std::make_shared<BcosConv2d>(in, out, 1)));
    if (!last) norms.push_back(register_module("bn" + std::to_string(i), std::make_shared<BatchNormUncentered2d>(out)));
  }
  logit_layer =
      register_module("logit_layer", std::make_shared<LogitLayer>(std::nullopt, bcos_logit_bias(num_classes)));
}

Variable BcosMLPProbe::forward(const Variable& features) {
  check_feature_map(*this, features, in_features);
  Variable x = features;
  for (size_t i = 0; i < fcs.size(); ++i) {
    x = (*fcs[i])(x);
    if (i < norms.size()) x = (*norms[i])(x);
  }
  return (*logit_layer)(pooled(*avgpool, x));
}

ClassTokenProbe::ClassTokenProbe(int64_t in_features, int64_t num_classes, bool bias)
    : in_features(in_features), num_classes(num_classes) {
  check_sizes("ClassTokenProbe", in_features, num_classes);
  fc = register_module("fc", std::make_shared<Linear>(in_features, num_classes, bias));
}

Variable ClassTokenProbe::forward(const Variable& tokens) {
  HTP_CHECK((tokens.dim() == 2 || tokens.dim() == 3) && tokens.size(-1) == in_features,
            "ClassTokenProbe: expects class-token features [N, ", in_features, "] or tokens [N, T, ", in_features,
            "], got ", tokens.describe());
  return (*fc)(tokens.dim() == 3 ? select(tokens, 1, 0) : tokens);
}

const std::vector<std::string>& probe_kinds() {
  static const std::vector<std::string> kinds = {"linear",      "linear-nobias", "mlp2",     "mlp3",     "mlp2-bnu",
                                                 "mlp3-bnu",    "bcos-linear",   "bcos-mlp2", "bcos-mlp3"};
  return kinds;
}

std::shared_ptr<Module> make_probe(const std::string& kind, int64_t in_features, int64_t num_classes, int64_t hidden) {
  if (kind == "linear") return std::make_shared<LinearProbe>(in_features, num_classes, true);
  if (kind == "linear-nobias") return std::make_shared<LinearProbe>(in_features, num_classes, false);
  if (kind == "mlp2" || kind == "mlp3")
    return std::make_shared<MLPProbe>(in_features, num_classes,
                                      MLPProbeOptions{.num_layers = kind == "mlp2" ? 2 : 3, .hidden = hidden});
  if (kind == "mlp2-bnu" || kind == "mlp3-bnu")
    return std::make_shared<MLPProbe>(
        in_features, num_classes,
        MLPProbeOptions{.num_layers = kind == "mlp2-bnu" ? 2 : 3, .hidden = hidden, .bias = false, .is_bcos = true});
  if (kind == "bcos-linear") return std::make_shared<BcosMLPProbe>(in_features, num_classes, 1, hidden);
  if (kind == "bcos-mlp2") return std::make_shared<BcosMLPProbe>(in_features, num_classes, 2, hidden);
  if (kind == "bcos-mlp3") return std::make_shared<BcosMLPProbe>(in_features, num_classes, 3, hidden);
  std::ostringstream kinds;
  for (const std::string& k : probe_kinds()) kinds << (kinds.tellp() > 0 ? ", " : "") << k;
  throw Error("make_probe: unknown probe kind '" + kind + "' (kinds: " + kinds.str() + ")");
}

}  // namespace htp::nn
