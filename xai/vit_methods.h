// Attention-based explanations of a ViT with a class token (xai-methods.md D.1, D.2; Chefer's
// ViT_explanation_generator.py, generate_rollout / generate_LRP "transformer_attribution"):
//
//   rollout   Ā_b = mean_heads A_b (post-softmax attention of block b)
//   cgw1      Ā_b = mean_heads (∇A_b ⊙ R_{A_b})⁺ (clamp before the mean), with ∇A_b = ∂y_t/∂A_b and R_{A_b} the
//             relevance of A_b from the Chefer et al. 2021a pass (vit_relevance.h)
//   both      Roll = Â_L ⋯ Â_1 with Â_b = (Ā_b + I) / rowsum(Ā_b + I) (later blocks on the left, start layer 0);
//             map = Roll[0, 1:] (the class token's row, patch columns) on the patch grid, upsampled bilinearly
//             (align_corners = false) to the input's H × W                                        [N, 1, H, W]
// Rollout is class-agnostic (the targets are checked but do not change the map) and runs without a graph.
// The model must be an nn::VisionTransformer; the blocks' keep_attention flags are off on return. No options.
#pragma once
#include <array>
#include <vector>

#include "xai/attribution.h"

namespace htp::xai {

// Π_b (M_b + I)/rowsum(M_b + I), later blocks on the left: maps [N, T, T] (non-negative), in forward order.
Tensor rollout(const std::vector<Tensor>& maps);
// mean over the heads of (grad ⊙ relevance)⁺: [N, heads, T, T] -> [N, T, T].
Tensor cgw1_block_map(const Tensor& attention_grad, const Tensor& attention_relevance);
// Row 0, columns 1.. of joint [N, T, T] on the grid_h × grid_w patch grid, upsampled to size: [N, 1, H, W].
Tensor class_token_map(const Tensor& joint, int64_t grid_h, int64_t grid_w, std::array<int64_t, 2> size);

class AttentionRollout : public AttributionMethod {
 public:
  static std::unique_ptr<AttributionMethod> create(const MethodOptions& options);  // takes no options
  std::string name() const override { return "rollout"; }
  Tensor attribute(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets) override;
};

class Cgw1 : public AttributionMethod {
 public:
  static std::unique_ptr<AttributionMethod> create(const MethodOptions& options);  // takes no options
  std::string name() const override { return "cgw1"; }
  Tensor attribute(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets) override;

 private:
  ActivationRecorder recorder_;
};

}  // namespace htp::xai
