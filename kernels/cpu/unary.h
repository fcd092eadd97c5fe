// CPU unary elementwise kernels and their backward kernels (compute only; kernels/unary.cpp validates).
//
// Operands share one shape; out has the input's dtype (where: a's and b's) and may alias it.
#pragma once
#include "tensor/tensor.h"

namespace htp::kernels::cpu {

// gelu: 0.5 x (1 + erf(x / √2)); gelu_tanh: 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))).
enum class UnaryOp { neg, abs, sign, exp, log, sqrt, rsqrt, square, relu, sigmoid, tanh, gelu, gelu_tanh };

// out = op(x). Floating x; neg, abs, sign, square and relu also take integer types.
void unary(UnaryOp op, const Tensor& x, const Tensor& out);
// out = x where beta x > threshold, else log(1 + exp(beta x)) / beta.
void softplus(const Tensor& x, double beta, double threshold, const Tensor& out);
// out = min(max(x, lo), hi) (NaN stays NaN); integer x uses ceil(lo) and floor(hi), saturated to its range.
void clamp(const Tensor& x, double lo, double hi, const Tensor& out);
// out = cond ? a : b with bool cond.
void where(const Tensor& cond, const Tensor& a, const Tensor& b, const Tensor& out);

// out = grad · f'(x), written with the saved tensor s that each rule needs:
//   abs: s = x, grad·sign(x) (0 at 0)     sqrt: s = y, grad / (2y)            rsqrt: s = y, -grad·y³/2
//   relu: s = x or y, grad·[s > 0]        sigmoid: s = y, grad·y(1 - y)       tanh: s = y, grad·(1 - y²)
//   gelu, gelu_tanh: s = x, grad·(the derivative of the forward formula)
enum class UnaryBackwardOp { abs, sqrt, rsqrt, relu, sigmoid, tanh, gelu, gelu_tanh };
void unary_backward(UnaryBackwardOp op, const Tensor& grad, const Tensor& saved, const Tensor& out);
// out = grad where beta x > threshold, else grad · sigmoid(beta x).
void softplus_backward(const Tensor& grad, const Tensor& x, double beta, double threshold, const Tensor& out);
// out = grad where lo <= x <= hi, else 0.
void clamp_backward(const Tensor& grad, const Tensor& x, double lo, double hi, const Tensor& out);

}  // namespace htp::kernels::cpu
