#include "nn/models/bcos_vit.h"

#include <cmath>
#include <vector>

#include "autograd/ops.h"
#include "tensor/creation.h"

namespace htp::nn {

namespace {

// A BcosLinear whose NormedLinear weight is redrawn from `gen` with the nn.Linear default (kaiming_uniform_, a = √5).
std::shared_ptr<BcosLinear> bcos_linear(int64_t in, int64_t out, Generator* gen) {
  auto l = std::make_shared<BcosLinear>(in, out);
  init::kaiming_uniform_(l->linear->weight.data(), std::sqrt(5.0), init::FanMode::fan_in,
                         init::Nonlinearity::leaky_relu, gen);
  return l;
}

}  // namespace

BcosViTConfig bcos_vit_config(const std::string& size, int64_t num_classes) {
  BcosViTConfig c;
  c.num_classes = num_classes;
  if (size == "ti") {
    c.dim = 192;
    c.heads = 3;
  } else if (size == "s") {
    c.dim = 384;
    c.heads = 6;
  } else {
    HTP_CHECK(size == "b", "bcos_vit_config: size must be ti, s or b, got '", size, "'");
  }
  c.mlp_dim = 4 * c.dim;
  return c;
}

Tensor sincos_pos_embed_2d(int64_t h, int64_t w, int64_t dim, DType dtype, Device device) {
  HTP_CHECK(dim % 4 == 0 && dim >= 8, "sincos_pos_embed_2d: dim must be a multiple of 4 and at least 8, got ", dim);
  const int64_t q = dim / 4;
  std::vector<double> omega(q), pe(h * w * dim);
  for (int64_t i = 0; i < q; ++i)
    omega[i] = 1.0 / std::pow(10000.0, static_cast<double>(i) / static_cast<double>(q - 1));
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      double* row = pe.data() + (y * w + x) * dim;
      for (int64_t i = 0; i < q; ++i) {
        row[i] = std::sin(x * omega[i]);
        row[q + i] = std::cos(x * omega[i]);
        row[2 * q + i] = std::sin(y * omega[i]);
        row[3 * q + i] = std::cos(y * omega[i]);
      }
    }
  return from_buffer(pe.data(), {h * w, dim}, DType::f64).to(dtype).to(device);
}

Variable PatchRearrange::forward(const Variable& x) {
  const int64_t P = patch_size;
  HTP_CHECK(x.dim() == 4 && x.size(2) % P == 0 && x.size(3) % P == 0, "Rearrange '", path(),
            "': expected [N, C, H, W] with H and W multiples of the patch size ", P, ", got ", x.describe());
  const int64_t N = x.size(0), C = x.size(1), h = x.size(2) / P, w = x.size(3) / P;
  const Variable grid = permute(reshape(x, {N, C, h, P, w, P}), {0, 2, 4, 3, 5, 1});  // [N, h, w, p1, p2, C]
  return reshape(grid, {N, h, w, P * P * C});
}

BcosViTAttention::BcosViTAttention(int64_t d, int64_t h, Generator* gen)
    : dim(d),
      heads(h),
      head_dim(h > 0 ? d / h : 0),
      scale(head_dim > 0 ? 1.0 / std::sqrt(static_cast<double>(head_dim)) : 0.0) {
  HTP_CHECK(d > 0 && h > 0 && d % h == 0, "BcosViTAttention: dim (", d, ") must be a positive multiple of heads (", h,
            ")");
  norm = register_module("norm", std::make_shared<DetachableLayerNorm>(d));
  to_qkv = register_module("to_qkv", std::make_shared<Linear>(d, 3 * d, false, gen));
  to_out = register_module("to_out", bcos_linear(d, d, gen));
}

Variable BcosViTAttention::forward(const Variable& x) {
  HTP_CHECK(x.dim() == 3 && x.size(2) == dim, "Attention '", path(), "': expected [N, T, ", dim, "], got ",
            x.describe());
  const int64_t N = x.size(0), T = x.size(1);
  const Variable qkv = permute(reshape((*to_qkv)((*norm)(x)), {N, T, 3, heads, head_dim}), {2, 0, 3, 1, 4});
  Variable q = select(qkv, 0, 0), k = select(qkv, 0, 1);
  const Variable v = select(qkv, 0, 2);
  if (detach_) {  // the attention matrix becomes a constant: the block is linear in v
    q = q.detach();
    k = k.detach();
  }
  const Variable attn = softmax(mul(matmul(q, transpose(k, -1, -2)), scale), -1);
  return (*to_out)(reshape(transpose(matmul(attn, v), 1, 2), {N, T, dim}));
}

BcosViTFeedForward::BcosViTFeedForward(int64_t dim, int64_t mlp_dim, Generator* gen) {
  net = register_module("net", std::make_shared<NamedSequential>());
  net->push_back("norm", std::make_shared<DetachableLayerNorm>(dim));
  net->push_back("linear1", bcos_linear(dim, mlp_dim, gen));
  net->push_back("act", std::make_shared<Identity>());
  net->push_back("linear2", bcos_linear(mlp_dim, dim, gen));
}

BcosViTEncoder::BcosViTEncoder(int64_t dim, int64_t heads, int64_t mlp_dim, Generator* gen) {
  attn = register_module("attn", std::make_shared<BcosViTAttention>(dim, heads, gen));
  ff = register_module("ff", std::make_shared<BcosViTFeedForward>(dim, mlp_dim, gen));
}

Variable BcosViTEncoder::forward(const Variable& x) {
  const Variable y = add((*attn)(x), x);
  return add((*ff)(y), y);
}

BcosSimpleViT::BcosSimpleViT(const BcosViTConfig& c) : ImageClassifier(c.num_classes, c.dim), config(c) {
  HTP_CHECK(c.patch_size >= 1 && c.channels >= 1 && c.depth >= 1 && c.mlp_dim >= 1,
            "BcosSimpleViT: patch_size, channels, depth and mlp_dim must be positive, got ", c.patch_size, ", ",
            c.channels, ", ", c.depth, ", ", c.mlp_dim);
  HTP_CHECK(c.dim % 4 == 0 && c.dim >= 8, "BcosSimpleViT: dim must be a multiple of 4 and at least 8 (sin-cos ",
            "position embedding), got ", c.dim);
  to_patch_embedding = register_module("to_patch_embedding", std::make_shared<NamedSequential>());
  to_patch_embedding->push_back("rearrage", std::make_shared<PatchRearrange>(c.patch_size));
  to_patch_embedding->push_back("linear", bcos_linear(2 * c.channels * c.patch_size * c.patch_size, c.dim, c.gen));
  transformer = register_module("transformer", std::make_shared<NamedSequential>());
  for (int64_t i = 0; i < c.depth; ++i)
    encoders_.push_back(transformer->push_back("encoder_" + std::to_string(i),
                                               std::make_shared<BcosViTEncoder>(c.dim, c.heads, c.mlp_dim, c.gen)));
  linear_head = register_module("linear_head", std::make_shared<NamedSequential>());
  linear_head->push_back("norm", std::make_shared<DetachableLayerNorm>(c.dim));
  linear_head->push_back("linear", bcos_linear(c.dim, c.num_classes, c.gen));
  logit_layer =
      register_module("logit_layer", std::make_shared<LogitLayer>(std::nullopt, bcos_logit_bias(c.num_classes)));
}

std::vector<std::string> BcosSimpleViT::feature_stages() const {
  std::vector<std::string> stages;
  for (size_t i = 0; i < encoders_.size(); ++i) stages.push_back("transformer.encoder_" + std::to_string(i));
  return stages;
}

Variable BcosSimpleViT::embed(const Variable& x) {
  const int64_t C = config.channels;
  HTP_CHECK(x.dim() == 4 && (x.size(1) == C || x.size(1) == 2 * C), "BcosSimpleViT: expected an image [N, ", C,
            ", H, W] in [0, 1] or its encoding [x, 1 - x] [N, ", 2 * C, ", H, W], got ", x.describe());
  const Variable patches = (*to_patch_embedding)(x.size(1) == C ? add_inverse(x) : x);  // [N, h, w, dim]
  const int64_t N = patches.size(0), h = patches.size(1), w = patches.size(2);
  return add(reshape(patches, {N, h * w, config.dim}), sincos_pos_embed_2d(h, w, config.dim, x.dtype(), x.device()));
}

Variable BcosSimpleViT::classify(const Variable& tokens) { return (*logit_layer)((*linear_head)(mean(tokens, {1}))); }

Variable BcosSimpleViT::features(const Variable& x, size_t index) {
  Variable y = embed(x);
  for (size_t i = 0; i <= index; ++i) y = (*encoders_[i])(y);
  return y;
}

Variable BcosSimpleViT::forward(const Variable& x) { return classify(forward_features(x)); }

std::shared_ptr<BcosSimpleViT> bcos_simple_vit_ti_patch16_224(int64_t num_classes) {
  return std::make_shared<BcosSimpleViT>(bcos_vit_config("ti", num_classes));
}
std::shared_ptr<BcosSimpleViT> bcos_simple_vit_s_patch16_224(int64_t num_classes) {
  return std::make_shared<BcosSimpleViT>(bcos_vit_config("s", num_classes));
}
std::shared_ptr<BcosSimpleViT> bcos_simple_vit_b_patch16_224(int64_t num_classes) {
  return std::make_shared<BcosSimpleViT>(bcos_vit_config("b", num_classes));
}

}  // namespace htp::nn
