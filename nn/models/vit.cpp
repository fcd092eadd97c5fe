#include "nn/models/vit.h"

#include "autograd/functions/elementwise.h"
#include "autograd/functions/index.h"
#include "autograd/functions/views.h"
#include "tensor/creation.h"
#include "tensor/random.h"

namespace htp::nn {

ViTConfig vit_config(const std::string& size, int64_t num_classes) {
  ViTConfig c;
  c.num_classes = num_classes;
  if (size == "tiny") {
    c.embed_dim = 192;
    c.num_heads = 3;
  } else if (size == "small") {
    c.embed_dim = 384;
    c.num_heads = 6;
  } else {
    HTP_CHECK(size == "base", "vit_config: size must be tiny, small or base, got '", size, "'");
  }
  return c;
}

PatchEmbed::PatchEmbed(int64_t img, int64_t patch, int64_t in_chans, int64_t dim, Generator* gen)
    : img_size(img), patch_size(patch), num_patches(patch > 0 ? (img / patch) * (img / patch) : 0) {
  HTP_CHECK(patch > 0 && img > 0 && img % patch == 0, "PatchEmbed: img_size (", img,
            ") must be a positive multiple of patch_size (", patch, ")");
  proj = register_module("proj", std::make_shared<Conv2d>(in_chans, dim, patch, patch, 0, 1, 1, true, gen));
}

Variable PatchEmbed::forward(const Variable& x) {
  HTP_CHECK(x.dim() == 4 && x.size(1) == proj->in_channels && x.size(2) == img_size && x.size(3) == img_size,
            "PatchEmbed '", path(), "': expected an input of shape [N, ", proj->in_channels, ", ", img_size, ", ",
            img_size, "], got ", x.describe());
  return transpose(flatten((*proj)(x), 2), 1, 2);
}

ViTMlp::ViTMlp(int64_t dim, int64_t hidden, Generator* gen) {
  fc1 = register_module("fc1", std::make_shared<Linear>(dim, hidden, true, gen));
  act = register_module("act", std::make_shared<GELU>());
  fc2 = register_module("fc2", std::make_shared<Linear>(hidden, dim, true, gen));
}

Variable ViTMlp::forward(const Variable& x) { return (*fc2)((*act)((*fc1)(x))); }

ViTBlock::ViTBlock(int64_t dim, int64_t num_heads, int64_t mlp_hidden, bool qkv_bias, Generator* gen) {
  norm1 = register_module("norm1", std::make_shared<LayerNorm>(dim, 1e-6));
  attn = register_module("attn", std::make_shared<MultiheadSelfAttention>(dim, num_heads, qkv_bias, gen));
  norm2 = register_module("norm2", std::make_shared<LayerNorm>(dim, 1e-6));
  mlp = register_module("mlp", std::make_shared<ViTMlp>(dim, mlp_hidden, gen));
}

Variable ViTBlock::forward(const Variable& x) {
  const Variable y = add(x, (*attn)((*norm1)(x)));
  return add(y, (*mlp)((*norm2)(y)));
}

VisionTransformer::VisionTransformer(const ViTConfig& c) : ImageClassifier(c.num_classes, c.embed_dim), config(c) {
  HTP_CHECK(c.depth >= 1 && c.embed_dim >= 1 && c.mlp_ratio > 0, "VisionTransformer: depth, embed_dim and mlp_ratio ",
            "must be positive, got ", c.depth, ", ", c.embed_dim, ", ", c.mlp_ratio);
  const int64_t D = c.embed_dim;
  // Parameters before children, as timm lists them: cls_token, pos_embed, patch_embed.proj.*, blocks.*, norm, head.
  patch_embed = std::make_shared<PatchEmbed>(c.img_size, c.patch_size, c.in_chans, D, c.gen);
  cls_token = register_parameter("cls_token", normal_(empty({1, 1, D}), 0.0, 1e-6, c.gen));
  pos_embed = register_parameter(
      "pos_embed", init::trunc_normal_(empty({1, 1 + patch_embed->num_patches, D}), 0.0, 0.02, -2.0, 2.0, c.gen));
  register_module("patch_embed", patch_embed);
  blocks = register_module("blocks", std::make_shared<Sequential>());
  const auto hidden = static_cast<int64_t>(static_cast<double>(D) * c.mlp_ratio);
  for (int64_t i = 0; i < c.depth; ++i)
    block_list_.push_back(blocks->push_back(std::make_shared<ViTBlock>(D, c.num_heads, hidden, c.qkv_bias, c.gen)));
  norm = register_module("norm", std::make_shared<LayerNorm>(D, 1e-6));
  head = register_module("head", std::make_shared<Linear>(D, c.num_classes, true, c.gen));
  for (auto& [_, m] : named_modules())
    if (auto* linear = dynamic_cast<Linear*>(m)) {
      init::trunc_normal_(linear->weight.data(), 0.0, 0.02, -2.0, 2.0, c.gen);
      if (linear->bias.defined()) init::zeros_(linear->bias.data());
    }
}

std::vector<std::string> VisionTransformer::feature_stages() const {
  std::vector<std::string> stages;
  for (size_t i = 0; i < block_list_.size(); ++i) stages.push_back("blocks." + std::to_string(i));
  stages.push_back("norm");
  return stages;
}

Variable VisionTransformer::features(const Variable& x, size_t index) {
  const Variable tokens = (*patch_embed)(x);
  const int64_t N = tokens.size(0), D = config.embed_dim;
  Variable y = add(cat({expand(cls_token, {N, 1, D}), tokens}, 1), pos_embed);
  for (size_t i = 0; i < block_list_.size() && i <= index; ++i) y = (*block_list_[i])(y);
  return index == block_list_.size() ? (*norm)(y) : y;
}

Variable VisionTransformer::forward(const Variable& x) { return (*head)(select(forward_features(x), 1, 0)); }

void VisionTransformer::keep_attention(bool on) {
  for (auto& block : block_list_) block->attn->keep_attention(on);
}

MultiheadSelfAttention& VisionTransformer::attention(size_t block) {
  HTP_CHECK(block < block_list_.size(), "VisionTransformer::attention: block ", block, " out of range for depth ",
            block_list_.size());
  return *block_list_[block]->attn;
}

std::shared_ptr<VisionTransformer> vit_tiny_patch16_224(int64_t num_classes) {
  return std::make_shared<VisionTransformer>(vit_config("tiny", num_classes));
}
std::shared_ptr<VisionTransformer> vit_small_patch16_224(int64_t num_classes) {
  return std::make_shared<VisionTransformer>(vit_config("small", num_classes));
}
std::shared_ptr<VisionTransformer> vit_base_patch16_224(int64_t num_classes) {
  return std::make_shared<VisionTransformer>(vit_config("base", num_classes));
}

}  // namespace htp::nn
