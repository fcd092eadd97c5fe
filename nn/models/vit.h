// Vision Transformer, timm models/vision_transformer.py (VisionTransformer with its defaults: class token, learned
// position embedding, pre-norm blocks, no layer scale, head on the class token); the conventional ViT-B/16 of
// paper.md §2.1 (Table 1) and the model that Attention Rollout / CGW1 explain (xai-methods.md part D).
//
//   x [N, in_chans, S, S] -> patch_embed: proj Conv2d(in_chans, D, P, stride P) -> flatten -> [N, T, D], T = (S/P)²
//   -> cat(cls_token [1, 1, D] expanded, tokens) + pos_embed [1, 1 + T, D]                        [N, 1 + T, D]
//   -> blocks.i:  x = x + attn(norm1(x));  x = x + mlp(norm2(x))       (i = 0 … depth − 1)
//        attn: MultiheadSelfAttention(D, heads, qkv_bias) (nn/attention.h); mlp: fc1 (D -> mlp_ratio·D) -> GELU
//        (erf) -> fc2; norm1, norm2: LayerNorm(D, eps 1e-6)
//   -> norm LayerNorm(D, eps 1e-6)                                      forward_features (default stage "norm")
//   -> head Linear(D, num_classes) on the class token (token 0)                                   [N, num_classes]
// Init as timm (init_weights, mode ''): every Linear trunc_normal_(std 0.02) with zero bias, pos_embed
// trunc_normal_(std 0.02), cls_token normal(std 1e-6), patch_embed.proj the Conv2d default, LayerNorms 1 / 0.
// No dropout or stochastic depth (timm's defaults are 0). The input size must be img_size (pos_embed is fixed).
//
//   vit_tiny/small/base_patch16_224: D = 192 / 384 / 768, heads 3 / 6 / 12, depth 12, mlp_ratio 4, P = 16, S = 224
//
// Names are timm's: cls_token, pos_embed, patch_embed.proj.{weight, bias}, blocks.0.norm1.weight,
// blocks.0.attn.qkv.{weight, bias}, blocks.0.attn.proj.weight, blocks.0.mlp.fc1.weight, blocks.0.mlp.fc2.bias,
// norm.weight, head.{weight, bias}. Feature stages: "blocks.0" … "blocks.<depth−1>" (a block's output tokens) and
// "norm" (the default: the final normed tokens, timm's forward_features). Attention maps: keep_attention(true),
// then attention(i).attention() / attention_grad() after a forward / backward pass.
#pragma once
#include <memory>
#include <vector>

#include "nn/layers.h"
#include "nn/models/image_classifier.h"

namespace htp::nn {

struct ViTConfig {
  int64_t img_size = 224, patch_size = 16, in_chans = 3, num_classes = 1000;
  int64_t embed_dim = 768, depth = 12, num_heads = 12;
  double mlp_ratio = 4.0;  // hidden width int(embed_dim · mlp_ratio), as timm
  bool qkv_bias = true;
  Generator* gen = nullptr;  // initialisation (null: the default generator)
};

// timm's vit_{tiny, small, base}_patch16_224: size "tiny", "small" or "base".
ViTConfig vit_config(const std::string& size, int64_t num_classes = 1000);

class PatchEmbed : public Module {
 public:
  PatchEmbed(int64_t img_size, int64_t patch_size, int64_t in_chans, int64_t embed_dim, Generator* gen);
  std::string type_name() const override { return "PatchEmbed"; }
  Variable forward(const Variable& x) override;  // [N, in_chans, S, S] -> [N, T, D]

  const int64_t img_size, patch_size, num_patches;
  std::shared_ptr<Conv2d> proj;
};

class ViTMlp : public Module {
 public:
  ViTMlp(int64_t dim, int64_t hidden, Generator* gen);
  std::string type_name() const override { return "Mlp"; }
  Variable forward(const Variable& x) override;

  std::shared_ptr<Linear> fc1, fc2;
  std::shared_ptr<GELU> act;
};

class ViTBlock : public Module {
 public:
  ViTBlock(int64_t dim, int64_t num_heads, int64_t mlp_hidden, bool qkv_bias, Generator* gen);
  std::string type_name() const override { return "Block"; }
  Variable forward(const Variable& x) override;

  std::shared_ptr<LayerNorm> norm1, norm2;
  std::shared_ptr<MultiheadSelfAttention> attn;
  std::shared_ptr<ViTMlp> mlp;
};

class VisionTransformer : public ImageClassifier {
 public:
  explicit VisionTransformer(const ViTConfig& config);
  std::string type_name() const override { return "VisionTransformer"; }
  Variable forward(const Variable& x) override;
  std::vector<std::string> feature_stages() const override;

  void keep_attention(bool on);                     // on every block's attention (see nn/attention.h)
  MultiheadSelfAttention& attention(size_t block);  // blocks.<block>.attn; throws when out of range
  size_t depth() const { return block_list_.size(); }

  const ViTConfig config;
  Variable cls_token, pos_embed;
  std::shared_ptr<PatchEmbed> patch_embed;
  std::shared_ptr<Sequential> blocks;
  std::shared_ptr<LayerNorm> norm;
  std::shared_ptr<Linear> head;

 protected:
  Variable features(const Variable& x, size_t index) override;

 private:
  std::vector<std::shared_ptr<ViTBlock>> block_list_;
};

std::shared_ptr<VisionTransformer> vit_tiny_patch16_224(int64_t num_classes = 1000);
std::shared_ptr<VisionTransformer> vit_small_patch16_224(int64_t num_classes = 1000);
std::shared_ptr<VisionTransformer> vit_base_patch16_224(int64_t num_classes = 1000);

}  // namespace htp::nn
