// Chefer et al. 2021a relevance pass on a ViT (xai-methods.md D.2; see vit_relevance.h).
#include "xai/vit_relevance.h"

#include "autograd/ops.h"
#include "kernels/binary.h"
#include "kernels/index.h"
#include "kernels/matmul.h"
#include "kernels/reduce.h"
#include "kernels/unary.h"
#include "tensor/creation.h"
#include "tensor/error.h"

namespace htp::xai {

namespace {

// u ⊘ v = u / (v + 1e-9), 0 where v = 0 (Chefer's safe_divide).
Tensor safe_div(const Tensor& u, const Tensor& v) {
  Tensor den = kernels::add(v, 1e-9);
  den = kernels::where(kernels::eq(den, 0.0), scalar_tensor(1e-9, den.dtype(), den.device()), den);
  return kernels::where(kernels::eq(v, 0.0), scalar_tensor(0.0, v.dtype(), v.device()), kernels::div(u, den));
}

// LRP-αβ (α = 1, β = 0) of y = a Wᵀ (+ b, ignored): a [..., in], weight [out, in], r [..., out] -> [..., in].
Tensor linear_alpha1_beta0(const Tensor& a, const Tensor& weight, const Tensor& r) {
  const Tensor a_pos = kernels::clamp(a, 0.0, std::nullopt), a_neg = kernels::clamp(a, std::nullopt, 0.0);
  const Tensor w_pos = kernels::clamp(weight, 0.0, std::nullopt), w_neg = kernels::clamp(weight, std::nullopt, 0.0);
  const Tensor s = safe_div(r, kernels::add(kernels::linear(a_pos, w_pos), kernels::linear(a_neg, w_neg)));
  return kernels::add(kernels::mul(a_pos, kernels::matmul(s, w_pos)), kernels::mul(a_neg, kernels::matmul(s, w_neg)));
}

std::vector<int64_t> all_but_batch(const Tensor& t) {
  std::vector<int64_t> dims;
  for (int64_t d = 1; d < t.dim(); ++d) dims.push_back(d);
  return dims;
}

// Residual add u + v: proportional split, then each branch rescaled to its share of ΣR (per image).
std::pair<Tensor, Tensor> add_rule(const Tensor& u, const Tensor& v, const Tensor& r) {
  const Tensor s = safe_div(r, kernels::add(u, v));
  const Tensor ru = kernels::mul(u, s), rv = kernels::mul(v, s);
  const std::vector<int64_t> dims = all_but_batch(r);
  const Tensor su = kernels::sum(ru, dims, true), sv = kernels::sum(rv, dims, true), sr = kernels::sum(r, dims, true);
  const Tensor au = kernels::abs(su), av = kernels::abs(sv), total = kernels::add(au, av);
  const Tensor fu = kernels::mul(safe_div(au, total), sr), fv = kernels::mul(safe_div(av, total), sr);
  return {kernels::mul(ru, safe_div(fu, su)), kernels::mul(rv, safe_div(fv, sv))};
}

// A variable used by two branches: R_x = x ⊙ (R₁ ⊘ x + R₂ ⊘ x).
Tensor fork_rule(const Tensor& x, const Tensor& r1, const Tensor& r2) {
  return kernels::mul(x, kernels::add(safe_div(r1, x), safe_div(r2, x)));
}

// Z = a · b (matrices in the last two dims): the halved operand relevances a ⊙ (R ⊘ Z) bᵀ / 2, b ⊙ aᵀ (R ⊘ Z) / 2.
std::pair<Tensor, Tensor> matmul_rule(const Tensor& a, const Tensor& b, const Tensor& r) {
  const Tensor s = safe_div(r, kernels::matmul(a, b));
  return {kernels::mul(kernels::mul(a, kernels::matmul(s, b.transpose(-2, -1))), 0.5),
          kernels::mul(kernels::mul(b, kernels::matmul(a.transpose(-2, -1), s)), 0.5)};
}

struct BlockRecord {
  Tensor input, norm1_out, qkv_out, merged, attn_out, mlp_in, act_out, mlp_out;
};

}  // namespace

ViTRelevance vit_relevance(nn::VisionTransformer& model, const Tensor& x, const std::vector<int64_t>& targets,
                           ActivationRecorder& recorder) {
  check_attribution_input("cgw1", x, targets);
  const size_t depth = model.depth();
  std::vector<nn::ViTBlock*> blocks;
  for (size_t b = 0; b < depth; ++b) blocks.push_back(&dynamic_cast<nn::ViTBlock&>(model.blocks->operator[](b)));
  for (nn::ViTBlock* block : blocks)
    for (nn::Module* m : std::initializer_list<nn::Module*>{block, block->norm1.get(), block->attn->qkv.get(),
                                                           block->attn->proj.get(), block->mlp->fc1.get(),
                                                           block->mlp->fc2.get()})
      recorder.watch(*m);
  recorder.watch(*model.head);

  // Forward (attention kept, graph recorded from a leaf input), then ∂y_t/∂A_b for every block at once.
  ViTRelevance out;
  Variable logits;
  variable_list attention;
  model.keep_attention(true);
  try {
    Variable input(x.clone(), /*requires_grad=*/true);
    recorder.record([&] { logits = model(input); });
    for (size_t b = 0; b < depth; ++b) attention.push_back(model.attention(b).attention_variable());
  } catch (...) {
    model.keep_attention(false);
    throw;
  }
  model.keep_attention(false);
  const Tensor seed = target_seed(logits.data(), targets);
  out.attention_grad = grad({logits}, attention, {seed});
  for (const Variable& a : attention) out.attention.push_back(a.data());

  std::vector<BlockRecord> records;
  for (nn::ViTBlock* block : blocks) {
    const auto& proj = recorder.calls(*block->attn->proj).at(0);
    const auto& fc1 = recorder.calls(*block->mlp->fc1).at(0);
    const auto& fc2 = recorder.calls(*block->mlp->fc2).at(0);
    records.push_back({recorder.calls(*block).at(0).input.data(), recorder.calls(*block->norm1).at(0).output.data(),
                       recorder.calls(*block->attn->qkv).at(0).output.data(), proj.input.data(), proj.output.data(),
                       fc1.input.data(), fc2.input.data(), fc2.output.data()});
  }

  // Head (αβ), class-token selection, final norm (pass).
  const Tensor cls = recorder.calls(*model.head).at(0).input.data();  // [N, D]
  const Tensor r_cls = linear_alpha1_beta0(cls, model.head->weight.data(), seed);
  const BlockRecord& last = records.back();
  const Tensor last_out = kernels::add(kernels::add(last.input, last.attn_out), last.mlp_out);
  Tensor r = zeros_like(last_out);
  r.select(1, 0).copy_(kernels::mul(cls, safe_div(r_cls, cls)));

  out.attention_relevance.resize(depth);
  for (size_t b = depth; b-- > 0;) {
    const BlockRecord& rec = records[b];
    const nn::MultiheadSelfAttention& attn = *blocks[b]->attn;
    const nn::ViTMlp& mlp = *blocks[b]->mlp;
    // x + attn(norm1(x)) = y;  y + mlp(norm2(y)) = out.
    const Tensor y = kernels::add(rec.input, rec.attn_out);
    auto [r_y, r_mlp] = add_rule(y, rec.mlp_out, r);
    r_mlp = linear_alpha1_beta0(rec.act_out, mlp.fc2->weight.data(), r_mlp);
    r_mlp = linear_alpha1_beta0(rec.mlp_in, mlp.fc1->weight.data(), r_mlp);  // GELU and norm2 pass
    r = fork_rule(y, r_y, r_mlp);

    auto [r_x, r_attn] = add_rule(rec.input, rec.attn_out, r);
    const int64_t n = x.size(0), t = rec.input.size(1), heads = attn.num_heads, d = attn.head_dim;
    r_attn = linear_alpha1_beta0(rec.merged, attn.proj->weight.data(), r_attn);
    r_attn = r_attn.reshape({n, t, heads, d}).permute({0, 2, 1, 3});  // [N, heads, T, d]
    const Tensor qkv = rec.qkv_out.reshape({n, t, 3, heads, d}).permute({2, 0, 3, 1, 4});
    const Tensor q = qkv.select(0, 0), k = qkv.select(0, 1), v = qkv.select(0, 2);
    auto [r_a, r_v] = matmul_rule(out.attention[b], v, r_attn);
    out.attention_relevance[b] = r_a;
    auto [r_q, r_kt] = matmul_rule(q, k.transpose(-2, -1), r_a);  // softmax passes R_A to the scores q·kᵀ
    const Tensor r_qkv =
        kernels::stack({r_q, r_kt.transpose(-2, -1), r_v}, 0).permute({1, 3, 0, 2, 4}).reshape({n, t, 3 * heads * d});
    r_attn = linear_alpha1_beta0(rec.norm1_out, attn.qkv->weight.data(), r_qkv);  // norm1 passes
    r = fork_rule(rec.input, r_x, r_attn);
  }
  out.input_relevance = r;
  return out;
}

}  // namespace htp::xai
