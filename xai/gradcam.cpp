// GradCAM: L = Σ_k mean_{h,w}(∂y_t/∂A_k) · A_k, upsampled bilinearly (xai-methods.md C.2; see gradcam.h).
#include "xai/gradcam.h"

#include <regex>

#include "autograd/ops.h"
#include "kernels/binary.h"
#include "kernels/interpolate.h"
#include "kernels/reduce.h"
#include "kernels/unary.h"
#include "tensor/error.h"

namespace htp::xai {

std::string default_gradcam_layer(nn::Module& model) {
  static const std::regex pattern(R"((.*\.)?layer4\.[^.]+\.conv[0-9]+)");
  const nn::Module* found = nullptr;
  for (const auto& [name, module] : model.named_modules())
    if (std::regex_match(module->path(), pattern)) found = module;
  HTP_CHECK(found != nullptr, "gradcam: ", model.type_name(),
            " has no layer4.<block>.conv<k> module; give the layer option (a dotted module path)");
  // Module::path() runs from the root of the tree; submodule() takes a path relative to `model`.
  const std::string& root = model.path();
  return root.empty() ? found->path() : found->path().substr(root.size() + 1);
}

std::unique_ptr<AttributionMethod> GradCam::create(const MethodOptions& options) {
  options.check_keys("gradcam", {"layer", "relu"});
  GradCamOptions o;
  o.layer = options.get("layer", o.layer);
  o.relu = options.get_bool("relu", o.relu);
  return std::make_unique<GradCam>(o);
}

Tensor GradCam::attribute(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets) {
  check_attribution_input(name(), x, targets);
  const std::string layer_path = options.layer.empty() ? default_gradcam_layer(model) : options.layer;
  nn::Module& layer = model.submodule(layer_path);
  recorder_.watch(layer);
  // A leaf input that requires grad makes the whole forward record a graph, frozen parameters or not.
  Variable input(x.clone(), /*requires_grad=*/true);
  Variable logits;
  recorder_.record([&] { logits = model(input); });
  const Variable activation = recorder_.calls(layer).at(0).output;
  HTP_CHECK(activation.dim() == 4 && activation.size(0) == x.size(0), "gradcam: layer '", layer_path,
            "' produced ", activation.describe(), "; expected a feature map [N, K, h, w] for the input ", x.describe());
  HTP_CHECK(logits.dim() == 2, "gradcam: the model returned ", logits.describe(), "; expected logits [N, K]");

  const Tensor g = grad({logits}, {activation}, {target_seed(logits.data(), targets)})[0];
  const Tensor alpha = kernels::mean(g, {2, 3}, /*keepdim=*/true);                       // [N, K, 1, 1]
  Tensor cam = kernels::sum(kernels::mul(alpha, activation.data()), {1}, /*keepdim=*/true);  // [N, 1, h, w]
  if (options.relu) cam = kernels::relu(cam);
  return kernels::interpolate_bilinear_forward(cam, {x.size(2), x.size(3)}, /*align_corners=*/false);
}

}  // namespace htp::xai
