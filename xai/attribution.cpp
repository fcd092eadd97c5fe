// The attribution interface: options, the method registry and the target-gradient helper (see attribution.h).
#include "xai/attribution.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <sstream>
#include <tuple>

#include "autograd/ops.h"
#include "kernels/reduce.h"
#include "tensor/creation.h"
#include "tensor/error.h"
#include "xai/bcos_contributions.h"
#include "xai/gradcam.h"
#include "xai/gradient.h"
#include "xai/guided_backprop.h"
#include "xai/integrated_gradients.h"
#include "xai/lime.h"
#include "xai/vit_methods.h"

namespace htp::xai {

Tensor channel_sum(const Tensor& attribution) {
  HTP_CHECK(attribution.dim() == 4, "channel_sum: expected an attribution [N, C, H, W], got ",
            attribution.describe());
  return kernels::sum(attribution, {1});
}

// ---- options ------------------------------------------------------------------------------------------------------

MethodOptions& MethodOptions::set(const std::string& key, std::string value) {
  values_[key] = std::move(value);
  return *this;
}

std::string MethodOptions::get(const std::string& key, const std::string& fallback) const {
  auto it = values_.find(key);
  return it == values_.end() ? fallback : it->second;
}

double MethodOptions::get_double(const std::string& key, double fallback) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  size_t used = 0;
  double value = 0.0;
  try {
    value = std::stod(it->second, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  HTP_CHECK(used == it->second.size() && used > 0, "attribution option '", key, "': expected a number, got '",
            it->second, "'");
  return value;
}

int64_t MethodOptions::get_int(const std::string& key, int64_t fallback) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  size_t used = 0;
  int64_t value = 0;
  try {
    value = std::stoll(it->second, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  HTP_CHECK(used == it->second.size() && used > 0, "attribution option '", key, "': expected an integer, got '",
            it->second, "'");
  return value;
}

bool MethodOptions::get_bool(const std::string& key, bool fallback) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  std::string v = it->second;
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  throw Error("attribution option '" + key + "': expected true or false, got '" + it->second + "'");
}

void MethodOptions::check_keys(const std::string& method, const std::vector<std::string>& allowed) const {
  std::vector<std::string> unknown;
  for (const auto& [key, value] : values_)
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) unknown.push_back(key);
  if (unknown.empty()) return;
  std::ostringstream msg;
  msg << method << ": unknown option";
  if (unknown.size() > 1) msg << 's';
  for (size_t i = 0; i < unknown.size(); ++i) msg << (i ? ", '" : " '") << unknown[i] << "'";
  if (allowed.empty()) {
    msg << " (it takes no options)";
  } else {
    msg << " (valid:";
    for (const auto& key : allowed) msg << ' ' << key;
    msg << ')';
  }
  throw Error(msg.str());
}

// ---- registry -----------------------------------------------------------------------------------------------------

namespace {

struct Entry {
  std::string description;
  MethodFactory factory;
};

struct Registry {
  std::mutex mutex;
  std::map<std::string, Entry> entries;
};

// The methods of this folder; other files add theirs with register_method (a static registrar).
bool add_builtin_methods(Registry& r) {
  const std::vector<std::tuple<std::string, std::string, MethodFactory>> builtins = {
      {"gradient", "∂y_t/∂x, the plain gradient of the target logit (part C)", &Gradient::create},
      {"ixg", "Input×Gradient x ⊙ ∂y_t/∂x (part C)", &InputXGradient::create},
      {"ig", "Integrated Gradients, Gauss–Legendre, zero baseline (C.1); options steps, baseline, batch",
       &IntegratedGradients::create},
      {"gradcam", "GradCAM on a conv layer, upsampled (C.2); options layer, relu", &GradCam::create},
      {"gbp", "Guided Backprop: ReLU modules pass positive gradients only (C.3)", &GuidedBackprop::create},
      {"bcos", "B-cos contributions x ⊙ W_t(x) in explanation mode (A.7)", &BcosContributions::create},
      {"lime", "LIME: SLIC superpixels, 500 samples, cosine kernel, weighted ridge (C.5); options samples, segments, "
               "compactness, output, seed, batch, width, ridge", &Lime::create},
      {"rollout", "Attention Rollout of a ViT, class-token row (D.1)", &AttentionRollout::create},
      {"cgw1", "Chefer et al. 2021a: gradient ⊙ LRP relevance of the attention, rolled out (D.2)", &Cgw1::create},
  };
  for (const auto& [name, description, factory] : builtins) r.entries.emplace(name, Entry{description, factory});
  return true;
}

Registry& registry() {
  static Registry r;
  static const bool builtins_added = add_builtin_methods(r);
  (void)builtins_added;
  return r;
}

}  // namespace

bool register_method(const std::string& name, const std::string& description, MethodFactory factory) {
  HTP_CHECK(!name.empty() && factory, "register_method: a method needs a name and a factory");
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  HTP_CHECK(r.entries.count(name) == 0, "register_method: the name '", name, "' is already registered");
  r.entries.emplace(name, Entry{description, std::move(factory)});
  return true;
}

std::unique_ptr<AttributionMethod> make_method(const std::string& name, const MethodOptions& options) {
  MethodFactory factory;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.entries.find(name);
    if (it == r.entries.end()) {
      std::ostringstream msg;
      msg << "make_method: unknown attribution method '" << name << "' (known:";
      for (const auto& [known, entry] : r.entries) msg << ' ' << known;
      msg << ')';
      throw Error(msg.str());
    }
    factory = it->second.factory;
  }
  return factory(options);
}

std::vector<std::string> list_methods() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& [name, entry] : r.entries) names.push_back(name);
  return names;
}

std::string method_description(const std::string& name) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.entries.find(name);
  HTP_CHECK(it != r.entries.end(), "method_description: unknown attribution method '", name, "'");
  return it->second.description;
}

// ---- helpers ------------------------------------------------------------------------------------------------------

void check_attribution_input(const std::string& method, const Tensor& x, const std::vector<int64_t>& targets) {
  HTP_CHECK(x.defined() && x.dim() == 4, method, ": expected an input [N, C, H, W], got ",
            x.defined() ? x.describe() : std::string("an undefined tensor"));
  HTP_CHECK(is_floating(x.dtype()), method, ": the input must be floating point, got ", x.describe());
  HTP_CHECK(static_cast<int64_t>(targets.size()) == x.size(0), method, ": ", targets.size(),
            " targets for a batch of ", x.size(0), " images (", x.describe(), "); give one target class per image");
}

Tensor target_seed(const Tensor& logits, const std::vector<int64_t>& targets, bool scale_by_logit) {
  HTP_CHECK(logits.dim() == 2, "target_seed: expected logits [N, K], got ", logits.describe());
  const int64_t n = logits.size(0), k = logits.size(1);
  HTP_CHECK(static_cast<int64_t>(targets.size()) == n, "target_seed: ", targets.size(), " targets for logits ",
            logits.describe());
  std::vector<double> values = scale_by_logit ? logits.to(Device::cpu()).to_vector() : std::vector<double>();
  Tensor seed = zeros({n, k}, DType::f64);
  double* s = seed.data<double>();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t t = targets[static_cast<size_t>(i)];
    HTP_CHECK(t >= 0 && t < k, "target_seed: target ", t, " of image ", i, " is outside [0, ", k, ")");
    s[i * k + t] = scale_by_logit ? values[static_cast<size_t>(i * k + t)] : 1.0;
  }
  return seed.to(logits.dtype()).to(logits.device());
}

InputGradient input_gradient(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets,
                             BackwardRules* rules, bool scale_by_logit) {
  Variable input(x.clone(), /*requires_grad=*/true);
  Variable logits = model(input);
  HTP_CHECK(logits.dim() == 2 && logits.size(0) == x.size(0), "input_gradient: the model returned ",
            logits.describe(), " for the input ", x.describe(), "; expected logits [N, K]");
  BackwardOptions options;
  options.rules = rules;
  Tensor seed = target_seed(logits.data(), targets, scale_by_logit);
  tensor_list grads = grad({logits}, {input}, {seed}, options);
  return {logits.data(), grads[0]};
}

void ActivationRecorder::watch(nn::Module& module) {
  if (std::find(watched_.begin(), watched_.end(), &module) != watched_.end()) return;
  std::weak_ptr<State> weak = state_;
  module.add_forward_hook([weak](nn::Module& m, const Variable& input, const Variable& output) {
    if (auto state = weak.lock(); state && state->active) state->calls[&m].push_back({input, output});
  });
  watched_.push_back(&module);
}

void ActivationRecorder::record(const std::function<void()>& forward) {
  state_->calls.clear();
  state_->active = true;
  try {
    forward();
  } catch (...) {
    state_->active = false;
    throw;
  }
  state_->active = false;
}

const std::vector<ActivationRecorder::Call>& ActivationRecorder::calls(const nn::Module& module,
                                                                      size_t expected) const {
  static const std::vector<Call> none;
  auto it = state_->calls.find(&module);
  const std::vector<Call>& found = it == state_->calls.end() ? none : it->second;
  HTP_CHECK(found.size() == expected, "module '", module.path(), "' (", module.type_name(), ") ran ", found.size(),
            " times in one forward pass; expected ", expected);
  return found;
}

}  // namespace htp::xai
