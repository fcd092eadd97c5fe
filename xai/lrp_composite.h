// The EpsilonGammaBox composite (xai-methods.md B.2) as backward rules: the same forward graph, run backward with
// these rules from R_out = y ⊙ e_t, yields the LRP relevance of the input instead of its gradient.
//
//   node                                                   rule (lrp_rules.h)
//   Conv2dBackward tagged with first_conv (the stem)       ZBox(low, high)
//   any other Conv2dBackward (1×1 probe heads included)    Gamma(γ)
//   LinearBackward                                         Epsilon(ε)
//   ReLU, GELU, Sigmoid, Tanh, Softplus                    Pass (the ReLU mask is ignored)
//   BatchNormBackward                                      Pass (an identity once canonized, canonize.h)
//   AvgPool2dBackward, AdaptiveAvgPool2dBackward           Norm
//   AddBackward of two same-shaped branches (residual)     copy (the plain gradient) or proportional
//   anything else (max pooling, views, logit layer)        the node's own gradient
// Nodes are told apart by type; the stem by its tag, the module path that made it (first_conv_path finds it:
// zennit gives ZBox to the first convolution in module order). Rules act per call site (per node), so a ReLU module
// called three times per block is three independent nodes.
#pragma once
#include <optional>
#include <string>

#include "autograd/engine.h"
#include "nn/module.h"
#include "xai/lrp_rules.h"

namespace htp::xai {

struct EpsilonGammaBoxOptions {
  double epsilon = 1e-6;     // Epsilon's ε
  double gamma = 0.25;       // Gamma's γ
  double stabilizer = 1e-6;  // the ε of stab() in Gamma, ZBox, Norm and the proportional residual split
  std::optional<std::string> first_conv;  // tag of the ZBox convolution; none: every convolution gets Gamma
  Tensor low, high;                       // ZBox bounds, broadcasting to the stem's input (required with first_conv)
  lrp::ResidualMode residual = lrp::ResidualMode::copy;
};

class EpsilonGammaBox : public BackwardRules {
 public:
  explicit EpsilonGammaBox(EpsilonGammaBoxOptions options);
  std::optional<tensor_list> apply(Node& node, const tensor_list& grad_outputs) override;

  const EpsilonGammaBoxOptions options;
};

// The path of the first nn::Conv2d in module order (named_modules), or none when the model has no convolution.
std::optional<std::string> first_conv_path(nn::Module& model);

}  // namespace htp::xai
