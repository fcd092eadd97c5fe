// B-cos ViT, v2 "SimpleViT" (B-cos-v2 bcos/models/vit.py, bcos/experiments/ImageNet/vit_final/{model,
// experiment_parameters}.py, after lucidrains' simple_vit; xai-methods.md A.6). Whether the paper used a B-cos ViT
// is [unverified] (paper.md §2.1); this is the B-cos-v2 model as its ImageNet configs build it.
//
//   x [N, C, H, W] in [0, 1] -> [x, 1 − x] (added here when the input has C = channels channels; 2C channels are
//                               taken as already encoded)                                            [N, 2C, H, W]
//   -> to_patch_embedding: rearrage "b c (h p1) (w p2) -> b h w (p1 p2 c)" (channel fastest; the module name keeps
//      B-cos-v2's spelling) -> linear BcosLinear(2C·P², dim)                                         [N, h, w, dim]
//   -> flatten the grid + fixed 2-D sin-cos position embedding (not a parameter), h = H/P, w = W/P   [N, h·w, dim]
//        ω_i = 10000^(−i/(dim/4 − 1)), i < dim/4;  token (row y, col x): [sin(xω), cos(xω), sin(yω), cos(yω)]
//        (computed in double, rounded to the model's dtype; B-cos-v2 computes it in float32)
//   -> transformer.encoder_i (i < depth):  x = attn(x) + x;  x = ff(x) + x
//        attn: norm -> to_qkv Linear(dim, 3·dim, no bias, a plain linear) -> q, k, v [N, heads, T, dim/heads]
//              -> softmax(q kᵀ · (dim/heads)^−½) v -> merge heads -> to_out BcosLinear(dim, dim)
//        ff:   net = norm -> linear1 BcosLinear(dim, mlp_dim) -> act (Identity: no GELU) -> linear2 BcosLinear
//        norm: DetachableLayerNorm(dim), centred, ε 1e-5, weight only (NoBias)
//                                                                  forward_features (default stage: the last encoder)
//   -> mean over tokens (no class token) -> linear_head: norm -> linear BcosLinear(dim, K)
//   -> logit_layer (+ b, b = log(1/(K − 1)))                                                          [N, K]
// B = 2, max_out = 1 everywhere, no biases. Any H, W divisible by P work (the position grid follows the input).
// Explanation mode (set_explanation_mode): the B-cos layers and norms detach their dynamic factors and the attention
// detaches q and k, so the network is linear in the tokens entering the transformer; the position embedding is an
// input-independent additive term, so Σ x ⊙ ∂y_c/∂x = y_c − b − Σ pe ⊙ ∂y_c/∂tokens (A.6, A.7).
// Init: PyTorch defaults (no custom init in B-cos-v2), drawn from config.gen.
//
//   bcos_simple_vit_{ti, s, b}_patch16_224: dim 192 / 384 / 768, heads 3 / 6 / 12, mlp_dim 4·dim, depth 12, P = 16
//
// Names are B-cos-v2 SimpleViT's: to_patch_embedding.linear.linear.weight, transformer.encoder_0.attn.norm.weight,
// transformer.encoder_0.attn.to_qkv.weight, transformer.encoder_0.attn.to_out.linear.weight,
// transformer.encoder_0.ff.net.norm.weight, transformer.encoder_0.ff.net.linear1.linear.weight,
// linear_head.norm.weight, linear_head.linear.linear.weight. B-cos-v2's ImageNet model wraps this as
// BcosSequential(SimpleViT, LogitLayer), so its checkpoints carry a "0." prefix: strip it before loading.
#pragma once
#include <memory>
#include <vector>

#include "nn/bcos.h"
#include "nn/layers.h"
#include "nn/models/image_classifier.h"
#include "nn/models/named_sequential.h"

namespace htp::nn {

struct BcosViTConfig {
  int64_t patch_size = 16, channels = 3, num_classes = 1000;  // channels: image channels (the net sees 2·channels)
  int64_t dim = 768, depth = 12, heads = 12, mlp_dim = 3072;
  Generator* gen = nullptr;  // initialisation (null: the default generator)
};

// B-cos-v2's simple_vit_{ti, s, b}_patch16_224: size "ti", "s" or "b".
BcosViTConfig bcos_vit_config(const std::string& size, int64_t num_classes = 1000);

// The fixed position embedding [h·w, dim] (dim a multiple of 4, at least 8), row-major over the grid.
Tensor sincos_pos_embed_2d(int64_t h, int64_t w, int64_t dim, DType dtype = DType::f32, Device device = Device::cpu());

// "b c (h p1) (w p2) -> b h w (p1 p2 c)": [N, C, H, W] -> [N, H/P, W/P, P·P·C].
class PatchRearrange : public Module {
 public:
  explicit PatchRearrange(int64_t patch_size) : patch_size(patch_size) {}
  std::string type_name() const override { return "Rearrange"; }
  Variable forward(const Variable& x) override;

  const int64_t patch_size;
};

class BcosViTAttention : public Module, public Detachable {
 public:
  BcosViTAttention(int64_t dim, int64_t heads, Generator* gen);
  std::string type_name() const override { return "Attention"; }
  Variable forward(const Variable& x) override;  // [N, T, dim] -> [N, T, dim], the norm included

  const int64_t dim, heads, head_dim;
  const double scale;  // head_dim^−½
  std::shared_ptr<DetachableLayerNorm> norm;
  std::shared_ptr<Linear> to_qkv;
  std::shared_ptr<BcosLinear> to_out;
};

class BcosViTFeedForward : public Module {
 public:
  BcosViTFeedForward(int64_t dim, int64_t mlp_dim, Generator* gen);
  std::string type_name() const override { return "FeedForward"; }
  Variable forward(const Variable& x) override { return (*net)(x); }

  std::shared_ptr<NamedSequential> net;  // norm, linear1, act, linear2
};

class BcosViTEncoder : public Module {
 public:
  BcosViTEncoder(int64_t dim, int64_t heads, int64_t mlp_dim, Generator* gen);
  std::string type_name() const override { return "Encoder"; }
  Variable forward(const Variable& x) override;

  std::shared_ptr<BcosViTAttention> attn;
  std::shared_ptr<BcosViTFeedForward> ff;
};

class BcosSimpleViT : public ImageClassifier {
 public:
  explicit BcosSimpleViT(const BcosViTConfig& config);  // config.num_classes >= 2 (for the logit bias)
  std::string type_name() const override { return "BcosSimpleViT"; }
  Variable forward(const Variable& x) override;  // classify(transformer(embed(x)))
  std::vector<std::string> feature_stages() const override;

  Variable embed(const Variable& x);          // the tokens entering the transformer (position embedding added)
  Variable classify(const Variable& tokens);  // mean over tokens -> linear_head -> logit_layer

  const BcosViTConfig config;
  std::shared_ptr<NamedSequential> to_patch_embedding;  // rearrage, linear
  std::shared_ptr<NamedSequential> transformer;         // encoder_0 … encoder_<depth−1>
  std::shared_ptr<NamedSequential> linear_head;         // norm, linear
  std::shared_ptr<LogitLayer> logit_layer;

 protected:
  Variable features(const Variable& x, size_t index) override;

 private:
  std::vector<std::shared_ptr<BcosViTEncoder>> encoders_;
};

std::shared_ptr<BcosSimpleViT> bcos_simple_vit_ti_patch16_224(int64_t num_classes = 1000);
std::shared_ptr<BcosSimpleViT> bcos_simple_vit_s_patch16_224(int64_t num_classes = 1000);
std::shared_ptr<BcosSimpleViT> bcos_simple_vit_b_patch16_224(int64_t num_classes = 1000);

}  // namespace htp::nn
