// Attention Rollout and CGW1 (xai-methods.md D.1, D.2; see vit_methods.h).
#include "xai/vit_methods.h"

#include "autograd/grad_mode.h"
#include "kernels/binary.h"
#include "kernels/interpolate.h"
#include "kernels/matmul.h"
#include "kernels/reduce.h"
#include "kernels/unary.h"
#include "nn/models/vit.h"
#include "tensor/creation.h"
#include "tensor/error.h"
#include "xai/vit_relevance.h"

namespace htp::xai {

namespace {

nn::VisionTransformer& as_vit(const std::string& method, nn::Module& model) {
  auto* vit = dynamic_cast<nn::VisionTransformer*>(&model);
  HTP_CHECK(vit != nullptr, method, ": needs an nn::VisionTransformer (a ViT with a class token), got ",
            model.type_name());
  return *vit;
}

Tensor map_of(nn::VisionTransformer& vit, const std::vector<Tensor>& block_maps, const Tensor& x) {
  const int64_t patch = vit.patch_embed->patch_size;
  return class_token_map(rollout(block_maps), x.size(2) / patch, x.size(3) / patch, {x.size(2), x.size(3)});
}

}  // namespace

Tensor rollout(const std::vector<Tensor>& maps) {
  HTP_CHECK(!maps.empty(), "rollout: no attention maps");
  const Shape& shape = maps[0].shape();
  HTP_CHECK(shape.size() == 3 && shape[1] == shape[2], "rollout: expected maps [N, T, T], got ", maps[0].describe());
  const Tensor identity = eye(shape[1], -1, maps[0].dtype(), maps[0].device());
  Tensor joint;
  for (const Tensor& m : maps) {
    HTP_CHECK(m.shape() == shape, "rollout: every map must be ", maps[0].describe(), ", got ", m.describe());
    const Tensor mixed = kernels::add(m, identity);
    const Tensor normalised = kernels::div(mixed, kernels::sum(mixed, {-1}, /*keepdim=*/true));
    joint = joint.defined() ? kernels::bmm(normalised, joint) : normalised;
  }
  return joint;
}

Tensor cgw1_block_map(const Tensor& attention_grad, const Tensor& attention_relevance) {
  HTP_CHECK(attention_grad.dim() == 4 && attention_grad.shape() == attention_relevance.shape(),
            "cgw1_block_map: expected two [N, heads, T, T] tensors, got ", attention_grad.describe(), " and ",
            attention_relevance.describe());
  return kernels::mean(kernels::relu(kernels::mul(attention_grad, attention_relevance)), {1});
}

Tensor class_token_map(const Tensor& joint, int64_t grid_h, int64_t grid_w, std::array<int64_t, 2> size) {
  HTP_CHECK(joint.dim() == 3 && joint.size(2) == 1 + grid_h * grid_w, "class_token_map: ", joint.describe(),
            " does not hold a class token and a ", grid_h, " × ", grid_w, " patch grid");
  const Tensor row = joint.select(1, 0).narrow(1, 1, grid_h * grid_w).contiguous();
  return kernels::interpolate_bilinear_forward(row.reshape({joint.size(0), 1, grid_h, grid_w}), size, false);
}

std::unique_ptr<AttributionMethod> AttentionRollout::create(const MethodOptions& options) {
  options.check_keys("rollout", {});
  return std::make_unique<AttentionRollout>();
}

Tensor AttentionRollout::attribute(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets) {
  check_attribution_input(name(), x, targets);
  nn::VisionTransformer& vit = as_vit(name(), model);
  std::vector<Tensor> maps;
  vit.keep_attention(true);
  try {
    NoGradGuard no_grad;
    const Tensor logits = vit(Variable(x)).data();
    target_seed(logits, targets);  // validates the targets against the classes
    for (size_t b = 0; b < vit.depth(); ++b) maps.push_back(kernels::mean(vit.attention(b).attention(), {1}));
  } catch (...) {
    vit.keep_attention(false);
    throw;
  }
  vit.keep_attention(false);
  return map_of(vit, maps, x);
}

std::unique_ptr<AttributionMethod> Cgw1::create(const MethodOptions& options) {
  options.check_keys("cgw1", {});
  return std::make_unique<Cgw1>();
}

Tensor Cgw1::attribute(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets) {
  check_attribution_input(name(), x, targets);
  nn::VisionTransformer& vit = as_vit(name(), model);
  const ViTRelevance relevance = vit_relevance(vit, x, targets, recorder_);
  std::vector<Tensor> maps;
  for (size_t b = 0; b < relevance.attention.size(); ++b)
    maps.push_back(cgw1_block_map(relevance.attention_grad[b], relevance.attention_relevance[b]));
  return map_of(vit, maps, x);
}

}  // namespace htp::xai
