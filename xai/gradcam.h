// GradCAM (xai-methods.md C.2; captum LayerGradCam with relu_attributions = False, then LayerAttribution.interpolate):
//   A = the output of `layer` [N, K, h, w],  G = ∂y_t/∂A,  α_k = mean_{h,w} G[k],  L = Σ_k α_k A[k]   [N, 1, h, w]
//   (ReLU(L) with relu = true), then bilinear upsampling (align_corners = false) to the input's H × W.
// The activation is captured by a forward hook on the layer module (ActivationRecorder); its gradient comes from
// htp::grad() with the one-hot seeds, so parameter gradients are untouched. The layer must run once per forward pass.
// Default layer (an empty `layer`): the last module named conv<k> inside layer4 — layer4[-1].conv3 of a ResNet-50
// (the paper's choice: before BN, residual add and ReLU), layer4[-1].conv2 of a ResNet-18/34, the BcosConv2d output
// (after the B-cos scaling) for B-cos ResNets.
//
// Options: layer (dotted module path, e.g. layer4.2.conv3), relu (false).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "xai/attribution.h"

namespace htp::xai {

struct GradCamOptions {
  std::string layer;  // empty: the default above
  bool relu = false;
};

// The default GradCAM layer of `model` (see above); throws when the model has no conv<k> module inside a layer4.
std::string default_gradcam_layer(nn::Module& model);

class GradCam : public AttributionMethod {
 public:
  explicit GradCam(GradCamOptions options = {}) : options(std::move(options)) {}
  static std::unique_ptr<AttributionMethod> create(const MethodOptions& options);
  std::string name() const override { return "gradcam"; }
  // [N, 1, H, W]
  Tensor attribute(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets) override;

  const GradCamOptions options;

 private:
  ActivationRecorder recorder_;
};

}  // namespace htp::xai
