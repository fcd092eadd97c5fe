// The EpsilonGammaBox composite (xai-methods.md B.2); see lrp_composite.h.
#include "xai/lrp_composite.h"

#include "autograd/functions/elementwise.h"
#include "autograd/functions/norm.h"
#include "nn/conv.h"
#include "tensor/error.h"

namespace htp::xai {

namespace {

// One gradient per input edge: `relevance` for input 0 when it needs one, nothing for the parameters.
tensor_list to_input(const Node& node, const Tensor& relevance) {
  tensor_list out(node.num_inputs());
  if (node.needs_input_grad(0)) out[0] = relevance;
  return out;
}

bool is_activation(const Node& node) {
  return dynamic_cast<const ReluBackward*>(&node) || dynamic_cast<const GeluBackward*>(&node) ||
         dynamic_cast<const SigmoidBackward*>(&node) || dynamic_cast<const TanhBackward*>(&node) ||
         dynamic_cast<const SoftplusBackward*>(&node);
}

}  // namespace

EpsilonGammaBox::EpsilonGammaBox(EpsilonGammaBoxOptions o) : options(std::move(o)) {
  HTP_CHECK(options.epsilon > 0 && options.stabilizer > 0 && options.gamma >= 0,
            "EpsilonGammaBox: needs epsilon > 0, stabilizer > 0 and gamma >= 0, got epsilon ", options.epsilon,
            ", stabilizer ", options.stabilizer, ", gamma ", options.gamma);
  HTP_CHECK(!options.first_conv || (options.low.defined() && options.high.defined()),
            "EpsilonGammaBox: the ZBox convolution '", options.first_conv.value_or(""),
            "' needs both bounds (low and high)");
}

std::optional<tensor_list> EpsilonGammaBox::apply(Node& node, const tensor_list& grad_outputs) {
  const Tensor& r = grad_outputs.at(0);
  if (const auto* conv = dynamic_cast<const Conv2dBackward*>(&node)) {
    if (!node.needs_input_grad(0)) return to_input(node, Tensor());
    const lrp::AffineLayer layer = lrp::affine_layer(*conv);
    if (options.first_conv && node.tag == *options.first_conv)
      return to_input(node, lrp::zbox_rule(layer, r, options.low, options.high, options.stabilizer));
    return to_input(node, lrp::gamma_rule(layer, r, options.gamma, options.stabilizer));
  }
  if (const auto* linear = dynamic_cast<const LinearBackward*>(&node)) {
    if (!node.needs_input_grad(0)) return to_input(node, Tensor());
    return to_input(node, lrp::epsilon_rule(lrp::affine_layer(*linear), r, options.epsilon));
  }
  if (is_activation(node) || dynamic_cast<const BatchNormBackward*>(&node)) return to_input(node, r);
  if (const auto* pool = dynamic_cast<const AvgPool2dBackward*>(&node))
    return to_input(node, lrp::norm_rule(lrp::pooling_map(*pool), r, options.stabilizer));
  if (const auto* pool = dynamic_cast<const AdaptiveAvgPool2dBackward*>(&node))
    return to_input(node, lrp::norm_rule(lrp::pooling_map(*pool), r, options.stabilizer));
  if (const auto* add = dynamic_cast<const AddBackward*>(&node)) {
    const bool residual = options.residual == lrp::ResidualMode::proportional && node.needs_input_grad(0) &&
                          node.needs_input_grad(1) && add->a_meta.shape == add->b_meta.shape;
    if (!residual) return std::nullopt;
    auto [ra, rb] = lrp::residual_rule(add->a.get(node), add->b.get(node), r, options.residual, options.stabilizer);
    return tensor_list{ra, rb};
  }
  return std::nullopt;
}

std::optional<std::string> first_conv_path(nn::Module& model) {
  for (const auto& [name, module] : model.named_modules())
    if (dynamic_cast<const nn::Conv2d*>(module)) return module->path();
  return std::nullopt;
}

}  // namespace htp::xai
