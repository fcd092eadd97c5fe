#include "nn/attention.h"

#include <cmath>

#include "autograd/functions/elementwise.h"
#include "autograd/functions/linear_algebra.h"
#include "autograd/functions/softmax.h"
#include "autograd/functions/views.h"

namespace htp::nn {

MultiheadSelfAttention::MultiheadSelfAttention(int64_t dim_, int64_t heads, bool qkv_bias, Generator* gen)
    : dim(dim_),
      num_heads(heads),
      head_dim(heads > 0 ? dim_ / heads : 0),
      scale(head_dim > 0 ? 1.0 / std::sqrt(static_cast<double>(head_dim)) : 0.0) {
  HTP_CHECK(dim_ > 0 && heads > 0 && dim_ % heads == 0, "MultiheadSelfAttention: dim (", dim_,
            ") must be a positive multiple of num_heads (", heads, ")");
  qkv = register_module("qkv", std::make_shared<Linear>(dim_, 3 * dim_, qkv_bias, gen));
  proj = register_module("proj", std::make_shared<Linear>(dim_, dim_, true, gen));
}

Variable MultiheadSelfAttention::forward(const Variable& x) {
  HTP_CHECK(x.dim() == 3 && x.size(2) == dim, "MultiheadSelfAttention '", path(), "' (dim ", dim, ", ", num_heads,
            " heads): expected an input of shape [B, N, ", dim, "], got ", x.describe());
  const int64_t B = x.size(0), N = x.size(1);
  const Variable heads = permute(reshape((*qkv)(x), {B, N, 3, num_heads, head_dim}), {2, 0, 3, 1, 4});
  const Variable q = select(heads, 0, 0), k = select(heads, 0, 1), v = select(heads, 0, 2);
  Variable attn = softmax(matmul(mul(q, scale), transpose(k, -2, -1)), -1);
  if (keep_attention_) {
    if (attn.requires_grad()) attn.retain_grad();
    attention_ = attn;
  }
  const Variable merged = reshape(transpose(matmul(attn, v), 1, 2), {B, N, dim});
  return (*proj)(merged);
}

void MultiheadSelfAttention::keep_attention(bool on) {
  keep_attention_ = on;
  if (!on) attention_ = Variable();
}

const Tensor& MultiheadSelfAttention::attention() const {
  HTP_CHECK(attention_.defined(), "MultiheadSelfAttention '", path(),
            "': no attention was kept (call keep_attention(true) before the forward pass)");
  return attention_.data();
}

const Tensor& MultiheadSelfAttention::attention_grad() const {
  attention();  // throws when none was kept
  HTP_CHECK(attention_.grad().defined(), "MultiheadSelfAttention '", path(),
            "': the kept attention has no gradient (it needs a forward pass that requires grad and a backward pass)");
  return attention_.grad();
}

}  // namespace htp::nn
