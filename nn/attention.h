// Multi-head self-attention in timm's ViT layout (timm.models.vision_transformer.Attention), for x [B, N, C]:
//   qkv  = Linear(C, 3C, bias = qkv_bias)(x)  -> [B, N, 3, H, d] -> permute -> q, k, v each [B, H, N, d]
//   attn = softmax(q kᵀ · d^-1/2, over the last dim)                                            [B, H, N, N]
//   y    = proj(merge_heads(attn · v))  with proj = Linear(C, C), merge_heads: [B, H, N, d] -> [B, N, H d]
// with H = num_heads and d = C / H. Parameter names qkv.weight [3C, C], qkv.bias [3C], proj.weight [C, C],
// proj.bias [C] match timm checkpoints.
//
// Attention maps for Attention Rollout and CGW1 (xai-methods.md, part D): after keep_attention(true), every forward
// stores the post-softmax attention; when it requires grad it also retains its gradient, so after a backward pass
// attention_grad() is ∂(backpropagated objective)/∂attn. Both are [B, H, N, N].
#pragma once
#include <memory>

#include "nn/linear.h"
#include "nn/module.h"

namespace htp::nn {

class MultiheadSelfAttention : public Module {
 public:
  MultiheadSelfAttention(int64_t dim, int64_t num_heads = 8, bool qkv_bias = false, Generator* gen = nullptr);
  std::string type_name() const override { return "MultiheadSelfAttention"; }
  Variable forward(const Variable& x) override;

  // On: each forward replaces the kept attention. Off (the default): the kept one, and the graph it holds, is released.
  void keep_attention(bool on);
  const Variable& attention_variable() const { return attention_; }  // undefined until a forward with keep_attention
  const Tensor& attention() const;                                   // [B, H, N, N]; throws when none was kept
  const Tensor& attention_grad() const;  // [B, H, N, N]; throws before a backward pass reached the kept attention

  const int64_t dim, num_heads, head_dim;
  const double scale;  // head_dim^-1/2
  std::shared_ptr<Linear> qkv, proj;

 private:
  bool keep_attention_ = false;
  Variable attention_;
};

}  // namespace htp::nn
