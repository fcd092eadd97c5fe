// LRP EpsilonGammaBox as an attribution method (xai-methods.md B); see lrp.h.
#include "xai/lrp.h"

#include <optional>
#include <sstream>

#include "tensor/creation.h"
#include "tensor/error.h"
#include "xai/canonize.h"
#include "xai/lrp_composite.h"

namespace htp::xai {

namespace {

// Per-channel bounds of a [0, 1] image after (x − μ)/σ, shaped [1, C, 1, 1].
Tensor normalised_bound(double pixel, const LrpOptions& o, const Tensor& x) {
  const int64_t c = static_cast<int64_t>(o.mean.size());
  std::vector<double> values;
  for (size_t i = 0; i < o.mean.size(); ++i) values.push_back((pixel - o.mean[i]) / o.std[i]);
  return tensor(values, {1, c, 1, 1}).to(x.dtype()).to(x.device());
}

std::vector<double> parse_list(const std::string& key, const std::string& text) {
  std::vector<double> values;
  std::stringstream parts(text);
  std::string part;
  while (std::getline(parts, part, ',')) {
    size_t used = 0;
    try {
      values.push_back(std::stod(part, &used));
    } catch (const std::exception&) {
      used = 0;
    }
    HTP_CHECK(used > 0 && used == part.size(), "lrp option '", key,
              "': expected comma-separated numbers such as 0.485,0.456,0.406, got '", text, "'");
  }
  return values;
}

LrpOptions parse_options(const MethodOptions& o) {
  o.check_keys("lrp", {"stats", "mean", "std", "epsilon", "gamma", "stabilizer", "residual", "canonize"});
  LrpOptions options;
  const std::string stats = o.get("stats", "imagenet");
  if (stats == "clip") {
    options.mean = {0.48145466, 0.4578275, 0.40821073};
    options.std = {0.26862954, 0.26130258, 0.27577711};
  } else {
    HTP_CHECK(stats == "imagenet", "lrp option 'stats': expected imagenet or clip, got '", stats, "'");
  }
  if (o.has("mean")) options.mean = parse_list("mean", o.get("mean", ""));
  if (o.has("std")) options.std = parse_list("std", o.get("std", ""));
  options.epsilon = o.get_double("epsilon", options.epsilon);
  options.gamma = o.get_double("gamma", options.gamma);
  options.stabilizer = o.get_double("stabilizer", options.stabilizer);
  const std::string residual = o.get("residual", "copy");
  HTP_CHECK(residual == "copy" || residual == "proportional",
            "lrp option 'residual': expected copy or proportional, got '", residual, "'");
  options.residual = residual == "copy" ? lrp::ResidualMode::copy : lrp::ResidualMode::proportional;
  options.canonize = o.get_bool("canonize", options.canonize);
  return options;
}

const bool registered = register_method(
    "lrp", "LRP EpsilonGammaBox with BatchNorm merging (zennit, part B); ZBox bounds from the ImageNet or CLIP μ/σ",
    [](const MethodOptions& o) -> std::unique_ptr<AttributionMethod> {
      return std::make_unique<Lrp>(parse_options(o));
    });

}  // namespace

Lrp::Lrp(LrpOptions o) : options(std::move(o)) {
  HTP_CHECK(!options.mean.empty() && options.mean.size() == options.std.size(), "lrp: mean and std need one value ",
            "per channel, got ", options.mean.size(), " and ", options.std.size());
  for (double s : options.std) HTP_CHECK(s > 0, "lrp: std values must be positive, got ", s);
}

Tensor Lrp::attribute(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets) {
  check_attribution_input("lrp", x, targets);
  std::optional<BatchNormMerge> merge;
  if (options.canonize) merge.emplace(model);
  EpsilonGammaBoxOptions rules;
  rules.epsilon = options.epsilon;
  rules.gamma = options.gamma;
  rules.stabilizer = options.stabilizer;
  rules.first_conv = first_conv_path(model);
  rules.residual = options.residual;
  if (rules.first_conv) {
    HTP_CHECK(static_cast<int64_t>(options.mean.size()) == x.size(1), "lrp: the ZBox bounds have ", options.mean.size(),
              " channels (mean/std) but the input is ", x.describe());
    rules.low = normalised_bound(0.0, options, x);
    rules.high = normalised_bound(1.0, options, x);
  }
  EpsilonGammaBox composite(std::move(rules));
  return input_gradient(model, x, targets, &composite, /*scale_by_logit=*/true).grad;
}

}  // namespace htp::xai
