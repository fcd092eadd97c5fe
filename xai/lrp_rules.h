// LRP rule formulas (xai-methods.md B.3, zennit 0.5.1 semantics), as functions of tensors: each maps the relevance R
// arriving at a layer's output to the relevance of its input. The composite (lrp_composite.h) picks a rule per
// backward node; these functions do the arithmetic.
//
//   stab(z)   = z + ε·s(z), s(z) = +1 for z >= 0 and −1 below (s(0) = +1), added to denominators only
//   Epsilon   R_in = a ⊙ Wᵀ(R / stab(Wa + b))
//   Gamma     W↑ = W + γW⁺, W↓ = W + γW⁻ (likewise b↑, b↓), a⁺ = max(a, 0), a⁻ = min(a, 0), z = Wa + b:
//             P = W↑a⁺ + b↑ + W↓a⁻,  Q = W↓a⁺ + b↓ + W↑a⁻,
//             S_P = 1[z > 0] R / stab(P),  S_Q = 1[z < 0] R / stab(Q),
//             R_in = a⁺ ⊙ (W↑ᵀS_P + W↓ᵀS_Q) + a⁻ ⊙ (W↓ᵀS_P + W↑ᵀS_Q)      (outputs with z = 0 pass nothing)
//   ZBox      D = Wa − W⁺l − W⁻h (the bias cancels), S = R / stab(D),
//             R_in = a ⊙ WᵀS − l ⊙ (W⁺)ᵀS − h ⊙ (W⁻)ᵀS                      (l, h: the input's bounds)
//   Norm      R_in = a ⊙ Pᵀ(R / stab(Pa)) for a linear parameter-free map P (average pooling)
//   Residual  u + v: copy (zennit on mmpretrain's ResNet, B.4 [REF-QUIRK]) sends R to both; proportional (zennit's
//             Sum canonizer, textbook LRP) sends u ⊙ R / stab(u + v) and v ⊙ R / stab(u + v)
// Pass (R_in = R, ReLU and BatchNorm) and the plain gradient (max pooling, views) need no formula here.
#pragma once
#include <array>
#include <functional>

#include "autograd/functions/conv.h"
#include "autograd/functions/linear_algebra.h"
#include "autograd/functions/pool.h"

namespace htp::xai::lrp {

Tensor stabilize(const Tensor& z, double eps);

// An affine layer z = W a + b as the rules see it: the saved input and parameters, and the layer's map with any
// substituted weight (forward: W′a + b′, b′ may be undefined; transpose: W′ᵀs in the input's shape).
struct AffineLayer {
  Tensor input, weight, bias;  // bias undefined for a layer without one
  std::function<Tensor(const Tensor& a, const Tensor& w, const Tensor& b)> forward;
  std::function<Tensor(const Tensor& s, const Tensor& w)> transpose;
};
AffineLayer affine_layer(const Conv2dBackward& node);
AffineLayer affine_layer(const LinearBackward& node);

Tensor epsilon_rule(const AffineLayer& layer, const Tensor& relevance, double epsilon);
Tensor gamma_rule(const AffineLayer& layer, const Tensor& relevance, double gamma, double stabilizer);
// low and high broadcast to the layer's input (per channel [1, C, 1, 1] or per pixel).
Tensor zbox_rule(const AffineLayer& layer, const Tensor& relevance, const Tensor& low, const Tensor& high,
                 double stabilizer);

// A linear parameter-free map P and its input a, for the Norm rule.
struct PoolingMap {
  Tensor input;
  std::function<Tensor(const Tensor& a)> forward;    // P a
  std::function<Tensor(const Tensor& s)> transpose;  // Pᵀ s, in the input's shape
};
// The pooling nodes do not keep their input: it is recomputed from the node that produced it (a leaf, a
// convolution, a linear map, a ReLU, a batch norm or an add; anything else is an error naming it).
PoolingMap pooling_map(const AvgPool2dBackward& node);
PoolingMap pooling_map(const AdaptiveAvgPool2dBackward& node);

Tensor norm_rule(const PoolingMap& pool, const Tensor& relevance, double stabilizer);

enum class ResidualMode { copy, proportional };
// The relevance of u and of v for the sum u + v (same shapes).
std::array<Tensor, 2> residual_rule(const Tensor& u, const Tensor& v, const Tensor& relevance, ResidualMode mode,
                                    double stabilizer);

}  // namespace htp::xai::lrp
