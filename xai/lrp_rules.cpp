// LRP rule formulas (xai-methods.md B.3); see lrp_rules.h.
#include "xai/lrp_rules.h"

#include "autograd/functions/elementwise.h"
#include "autograd/functions/norm.h"
#include "kernels/binary.h"
#include "kernels/matmul.h"
#include "kernels/reduce.h"
#include "kernels/unary.h"
#include "tensor/error.h"

namespace htp::xai::lrp {

namespace k = kernels;

namespace {

Tensor positive(const Tensor& t) { return t.defined() ? k::clamp(t, 0.0, std::nullopt) : Tensor(); }
Tensor negative(const Tensor& t) { return t.defined() ? k::clamp(t, std::nullopt, 0.0) : Tensor(); }

// t + γ·part (part = t⁺ or t⁻); undefined stays undefined (a layer without bias).
Tensor lift(const Tensor& t, const Tensor& part, double gamma) {
  return t.defined() ? k::add(t, k::mul(part, gamma)) : Tensor();
}

Tensor indicator(const Tensor& condition, DType dtype) { return condition.to(dtype); }

bool has_negative(const Tensor& t) { return k::amin(t).to(Device::cpu()).item<double>() < 0.0; }

// A bound for ZBox, converted to the input's dtype and device and expanded to its shape.
Tensor bound_like(const Tensor& bound, const Tensor& input, const char* which) {
  HTP_CHECK(bound.defined(), "LRP ZBox: the ", which, " bound is undefined");
  const Shape& in = input.shape();
  bool fits = bound.dim() <= input.dim();
  for (int64_t d = 1; fits && d <= bound.dim(); ++d) {
    const int64_t b = bound.size(-d), x = in[static_cast<size_t>(input.dim() - d)];
    fits = b == 1 || b == x;
  }
  HTP_CHECK(fits, "LRP ZBox: the ", which, " bound ", bound.describe(), " does not broadcast to the layer input ",
            input.describe());
  return bound.to(input.dtype()).to(input.device()).expand(in).contiguous();
}

}  // namespace

Tensor stabilize(const Tensor& z, double eps) {
  // z + ε·(2·[z >= 0] − 1)
  return k::add(z, k::mul(k::sub(k::mul(indicator(k::ge(z, 0.0), z.dtype()), 2.0), 1.0), eps));
}

AffineLayer affine_layer(const Conv2dBackward& node) {
  const Tensor& input = node.input.get(node);
  const kernels::Conv2dParams params = node.params;
  const Shape shape = input.shape();
  return {input, node.weight.get(node), node.bias.get(node),
          [params](const Tensor& a, const Tensor& w, const Tensor& b) { return k::conv2d_forward(a, w, b, params); },
          [params, shape](const Tensor& s, const Tensor& w) { return k::conv2d_backward_input(s, w, shape, params); }};
}

AffineLayer affine_layer(const LinearBackward& node) {
  return {node.input.get(node), node.weight.get(node), node.bias.get(node),
          [](const Tensor& a, const Tensor& w, const Tensor& b) { return k::linear(a, w, b); },
          [](const Tensor& s, const Tensor& w) { return k::matmul(s, w); }};
}

Tensor epsilon_rule(const AffineLayer& layer, const Tensor& relevance, double epsilon) {
  const Tensor z = layer.forward(layer.input, layer.weight, layer.bias);
  const Tensor s = k::div(relevance, stabilize(z, epsilon));
  return k::mul(layer.input, layer.transpose(s, layer.weight));
}

Tensor gamma_rule(const AffineLayer& layer, const Tensor& relevance, double gamma, double stabilizer) {
  const Tensor &a = layer.input, &w = layer.weight, &b = layer.bias;
  const Tensor w_up = lift(w, positive(w), gamma), w_down = lift(w, negative(w), gamma);
  const Tensor b_up = lift(b, positive(b), gamma), b_down = lift(b, negative(b), gamma);
  const Tensor a_pos = positive(a), a_neg = negative(a);
  const bool mixed = has_negative(a);  // a >= 0 (after a ReLU) drops the a⁻ terms, which are zero

  Tensor p = layer.forward(a_pos, w_up, b_up), q = layer.forward(a_pos, w_down, b_down);
  if (mixed) {
    p = k::add(p, layer.forward(a_neg, w_down, Tensor()));
    q = k::add(q, layer.forward(a_neg, w_up, Tensor()));
  }
  const Tensor z = layer.forward(a, w, b);
  const Tensor s_p = k::mul(k::div(relevance, stabilize(p, stabilizer)), indicator(k::gt(z, 0.0), z.dtype()));
  const Tensor s_q = k::mul(k::div(relevance, stabilize(q, stabilizer)), indicator(k::lt(z, 0.0), z.dtype()));

  Tensor r = k::mul(a_pos, k::add(layer.transpose(s_p, w_up), layer.transpose(s_q, w_down)));
  if (mixed) r = k::add(r, k::mul(a_neg, k::add(layer.transpose(s_p, w_down), layer.transpose(s_q, w_up))));
  return r;
}

Tensor zbox_rule(const AffineLayer& layer, const Tensor& relevance, const Tensor& low, const Tensor& high,
                 double stabilizer) {
  const Tensor& a = layer.input;
  const Tensor l = bound_like(low, a, "low"), h = bound_like(high, a, "high");
  const Tensor w_pos = positive(layer.weight), w_neg = negative(layer.weight);
  const Tensor d = k::sub(k::sub(layer.forward(a, layer.weight, Tensor()), layer.forward(l, w_pos, Tensor())),
                          layer.forward(h, w_neg, Tensor()));
  const Tensor s = k::div(relevance, stabilize(d, stabilizer));
  return k::sub(k::sub(k::mul(a, layer.transpose(s, layer.weight)), k::mul(l, layer.transpose(s, w_pos))),
                k::mul(h, layer.transpose(s, w_neg)));
}

PoolingMap pooling_map(const AvgPool2dBackward& node) {
  const kernels::AvgPool2dParams params = node.params;
  const Shape shape = node.input_shape;
  return {node.input.get(node), [params](const Tensor& a) { return k::avg_pool2d_forward(a, params); },
          [params, shape](const Tensor& s) { return k::avg_pool2d_backward(s, shape, params); }};
}

PoolingMap pooling_map(const AdaptiveAvgPool2dBackward& node) {
  const std::array<int64_t, 2> size = node.output_size;
  const Shape shape = node.input_shape;
  return {node.input.get(node), [size](const Tensor& a) { return k::adaptive_avg_pool2d_forward(a, size); },
          [shape](const Tensor& s) { return k::adaptive_avg_pool2d_backward(s, shape); }};
}

Tensor norm_rule(const PoolingMap& pool, const Tensor& relevance, double stabilizer) {
  const Tensor s = k::div(relevance, stabilize(pool.forward(pool.input), stabilizer));
  return k::mul(pool.input, pool.transpose(s));
}

std::array<Tensor, 2> residual_rule(const Tensor& u, const Tensor& v, const Tensor& relevance, ResidualMode mode,
                                    double stabilizer) {
  HTP_CHECK(u.shape() == v.shape() && u.shape() == relevance.shape(), "LRP residual rule: the summands ", u.describe(),
            " and ", v.describe(), " and the relevance ", relevance.describe(), " must have one shape");
  if (mode == ResidualMode::copy) return {relevance, relevance};
  const Tensor s = k::div(relevance, stabilize(k::add(u, v), stabilizer));
  return {k::mul(u, s), k::mul(v, s)};
}

}  // namespace htp::xai::lrp
