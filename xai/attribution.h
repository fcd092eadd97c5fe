// The common interface of the attribution methods (xai-methods.md parts A.7, B, C, D; summary table part G).
//
// A method explains one target logit per image, for a batch in one call:
//
//   auto method = xai::make_method("ixg");                       // or make_method("gradcam", {{"layer", "layer4.1.conv2"}})
//   Tensor a = method->attribute(model, x, {3, 7});              // x [N, C, H, W], one target class per image
//   Tensor m = xai::channel_sum(a);                              // [N, H, W], signed: the map the metrics consume
//
// attribute() returns a map at the input's resolution:
//   [N, C, H, W]  input-space methods (gradient, ixg, ig, gbp, bcos, lrp): one value per input element, so that
//                 channel_sum gives Σ_c A[c, h, w] (part G; for B-cos the 6 channels of [x, 1 − x])
//   [N, 1, H, W]  methods with no per-channel value: gradcam (upsampled bilinearly from the layer's h × w), lime
//                 (the superpixel coefficients painted), rollout and cgw1 (the patch grid upsampled)
// Values are signed and raw: no abs, no clamp, no normalisation (those belong to the metrics, part E). The model is
// put in no particular mode: the caller sets eval() and, for B-cos, the methods that need it scope explanation mode
// themselves. Parameter gradients (.grad()) are never touched.
//
// Registry: every method is made by name with string options. The methods of this folder are listed in
// attribution.cpp; a method file elsewhere may add its names with a static registrar and no edit here:
//
//   const bool registered = xai::register_method("lrp", "LRP EpsilonGammaBox (part B)",
//       [](const xai::MethodOptions& o) -> std::unique_ptr<xai::AttributionMethod> { ... });
//
// but htp_xai is a static archive: the linker keeps such a registrar only when something else pulls its object file
// in (a use of the class it defines) or when the archive is linked whole.
#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograd/engine.h"
#include "nn/module.h"

namespace htp::xai {

class AttributionMethod {
 public:
  virtual ~AttributionMethod() = default;
  virtual std::string name() const = 0;  // the registry name ("ixg", "gradcam", …)
  // x [N, C, H, W] (the model input: normalised 3-channel or B-cos [x, 1 − x]); targets: N class indices.
  // Returns [N, C, H, W] or [N, 1, H, W] in x's dtype (see the top of this file).
  virtual Tensor attribute(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets) = 0;
};

// Σ over the channel dimension: [N, C, H, W] -> [N, H, W] (the signed map of part G).
Tensor channel_sum(const Tensor& attribution);

// ---- options ------------------------------------------------------------------------------------------------------
// String key/value options with typed readers, so that the command line and the registry pass them through as is.
// A method lists the keys it understands with check_keys; any other key is an error naming the valid ones.
class MethodOptions {
 public:
  MethodOptions() = default;
  MethodOptions(std::initializer_list<std::pair<const std::string, std::string>> values) : values_(values) {}

  MethodOptions& set(const std::string& key, std::string value);
  bool has(const std::string& key) const { return values_.count(key) != 0; }
  std::string get(const std::string& key, const std::string& fallback) const;
  double get_double(const std::string& key, double fallback) const;  // throws when the value is not a number
  int64_t get_int(const std::string& key, int64_t fallback) const;    // throws when the value is not an integer
  bool get_bool(const std::string& key, bool fallback) const;         // accepts true/false/1/0/yes/no/on/off
  // Throws htp::Error naming `method`, the unknown keys and `allowed`.
  void check_keys(const std::string& method, const std::vector<std::string>& allowed) const;
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

// ---- registry -----------------------------------------------------------------------------------------------------
using MethodFactory = std::function<std::unique_ptr<AttributionMethod>(const MethodOptions&)>;

// Adds a method; returns true so that it can initialise a namespace-scope constant. Registering a taken name throws.
bool register_method(const std::string& name, const std::string& description, MethodFactory factory);
// Throws for an unknown name, listing the registered ones.
std::unique_ptr<AttributionMethod> make_method(const std::string& name, const MethodOptions& options = {});
std::vector<std::string> list_methods();                  // every registered name, sorted
std::string method_description(const std::string& name);  // the one-line description given at registration

// ---- helpers shared by the methods (and by LRP) -----------------------------------------------------------------
// Checks x [N, C, H, W] against the targets (one per image, each within [0, num_classes)); `method` names the caller.
void check_attribution_input(const std::string& method, const Tensor& x, const std::vector<int64_t>& targets);

// The backward seed selecting one logit per image: seed[n, k] = (k == targets[n]) · scale[n], logits [N, K];
// scale 1 by default (a gradient), or the target logit itself with scale_by_logit (LRP's R_out = y ⊙ e_t, part B.1).
Tensor target_seed(const Tensor& logits, const std::vector<int64_t>& targets, bool scale_by_logit = false);

// One forward pass of `model` on a fresh leaf copy of x and one backward pass of target_seed(logits, targets, …) to
// the input, with the optional backward rules (Guided Backprop, LRP); never touches parameter gradients.
struct InputGradient {
  Tensor logits;  // [N, K]
  Tensor grad;    // [N, C, H, W]: Σ_n seed_n · ∂y_n/∂x, per image since images do not interact in eval mode
};
InputGradient input_gradient(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets,
                             BackwardRules* rules = nullptr, bool scale_by_logit = false);

// Records what chosen modules receive and return during the forward passes run inside record(), through forward
// hooks (GradCAM's activation, the ViT relevance pass's layer inputs). Module has no way to remove a single hook, so
// each module is hooked once per recorder; the hooks hold a weak reference and do nothing once the recorder is gone
// or outside record().
class ActivationRecorder {
 public:
  struct Call {
    Variable input, output;
  };
  void watch(nn::Module& module);
  // Clears the calls of an earlier record(), then runs `forward` with recording on (off again on return or throw).
  void record(const std::function<void()>& forward);
  // The calls of `module` in the last record(), in order; throws unless it was called exactly `expected` times.
  const std::vector<Call>& calls(const nn::Module& module, size_t expected = 1) const;

 private:
  struct State {
    bool active = false;
    std::map<const nn::Module*, std::vector<Call>> calls;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
  std::vector<const nn::Module*> watched_;
};

}  // namespace htp::xai
