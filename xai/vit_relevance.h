// The relevance pass of Chefer, Gur & Wolf 2021a ("Transformer Interpretability Beyond Attention Visualization") that
// CGW1 needs (xai-methods.md D.2 steps 1–2; hila-chefer/Transformer-Explainability baselines/ViT/ViT_LRP.py with
// method "transformer_attribution", alpha 1), on a timm-style nn::VisionTransformer. Starting from R = e_t (a one-hot
// of value 1, not the logit) at the logits, module by module from the head down to the input of block 0:
//   Linear (head, proj, qkv, fc2, fc1)   LRP-αβ with α = 1, β = 0, bias ignored:
//                                        R_in = a⁺ ⊙ W⁺ᵀS + a⁻ ⊙ W⁻ᵀS,  S = R ⊘ (W⁺a⁺ + W⁻a⁻)
//   LayerNorm, GELU, softmax             R passes unchanged
//   class-token selection Z = x[:, 0]    R_x = x ⊙ ∂Zᵀ(R ⊘ Z)   (all of R to token 0)
//   residual add u + v                   R_u = u ⊙ (R ⊘ (u + v)), R_v = v ⊙ (R ⊘ (u + v)), then rescaled so that
//                                        ΣR_u = |ΣR_u| / (|ΣR_u| + |ΣR_v|) · ΣR, and ΣR_v likewise
//   fork (a block input used twice)      R_x = x ⊙ (R₁ ⊘ x + R₂ ⊘ x)
//   A·v, then q·kᵀ                       each operand X gets X ⊙ ∂Zᵀ(R ⊘ Z), halved; R_{A_b} is the halved A-operand
//                                        relevance of A·v, taken before the softmax (which passes it to q·kᵀ)
// with u ⊘ v = u / (v + 1e-9), and 0 where v = 0. Each rule keeps the relevance total (A·v: ½ + ½; q·kᵀ: ¼ + ¼ of
// it, beside ½ for v), so Σ input_relevance = 1 per image unless a denominator vanishes. The add rule's sums are per
// image (the reference explains one image at a time; for N = 1 the two agree).
#pragma once
#include <vector>

#include "nn/models/vit.h"
#include "xai/attribution.h"

namespace htp::xai {

struct ViTRelevance {
  std::vector<Tensor> attention;            // A_b, post-softmax [N, heads, T, T], per block in forward order
  std::vector<Tensor> attention_grad;       // ∂y_t/∂A_b (the plain gradient of the target logit)
  std::vector<Tensor> attention_relevance;  // R_{A_b}
  Tensor input_relevance;                   // R at the input tokens of block 0 [N, T, D]
};

// One forward pass (recording the modules' inputs and outputs with `recorder`, which the caller keeps so that
// repeated calls hook each module once), one gradient to the attention maps, one relevance pass. The blocks'
// keep_attention flags are switched off on return.
ViTRelevance vit_relevance(nn::VisionTransformer& model, const Tensor& x, const std::vector<int64_t>& targets,
                           ActivationRecorder& recorder);

}  // namespace htp::xai
