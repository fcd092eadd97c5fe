// Unary elementwise ops, where, and the backward kernels of the differentiable ones (htp::kernels).
//
// Results have the input's shape and dtype. Floating (float32/float64) inputs throughout; neg, abs, sign,
// square, relu and clamp also take integer tensors. Backward kernels take the incoming gradient and the saved
// tensor named in their contract, both of the forward output's shape.
#pragma once
#include <optional>

#include "tensor/tensor.h"

namespace htp::kernels {

Tensor neg(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sign(const Tensor& x);  // -1, 0, 1 (NaN stays NaN)
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor rsqrt(const Tensor& x);  // 1 / sqrt(x)
Tensor square(const Tensor& x);
Tensor relu(const Tensor& x);  // max(x, 0); NaN stays NaN
// Erf form 0.5 x (1 + erf(x / √2)), or the tanh form 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))).
Tensor gelu(const Tensor& x, bool tanh_approx = false);
Tensor sigmoid(const Tensor& x);  // 1 / (1 + exp(-x))
Tensor tanh(const Tensor& x);
// PyTorch's Softplus: log(1 + exp(beta x)) / beta, and x itself where beta x > threshold.
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);
// min(max(x, lo), hi) with either bound optional (at least one given).
Tensor clamp(const Tensor& x, std::optional<double> lo, std::optional<double> hi);
// cond ? a : b elementwise; cond must be bool; all three broadcast; a and b promote.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);

// ---- backward kernels: the gradient with respect to x --------------------------------------------------------------
Tensor abs_backward(const Tensor& grad, const Tensor& x);             // grad · sign(x), 0 at 0
Tensor sqrt_backward(const Tensor& grad, const Tensor& y);           // y = sqrt(x): grad / (2 y)
Tensor rsqrt_backward(const Tensor& grad, const Tensor& y);          // y = rsqrt(x): -grad · y³ / 2
Tensor relu_backward(const Tensor& grad, const Tensor& x_or_y);      // grad where x > 0 (relu'(0) = 0)
Tensor gelu_backward(const Tensor& grad, const Tensor& x, bool tanh_approx = false);
Tensor sigmoid_backward(const Tensor& grad, const Tensor& y);        // y = sigmoid(x): grad · y (1 - y)
Tensor tanh_backward(const Tensor& grad, const Tensor& y);           // y = tanh(x): grad · (1 - y²)
Tensor softplus_backward(const Tensor& grad, const Tensor& x, double beta = 1.0, double threshold = 20.0);
// grad where lo <= x <= hi (the boundary passes), 0 elsewhere.
Tensor clamp_backward(const Tensor& grad, const Tensor& x, std::optional<double> lo, std::optional<double> hi);

}  // namespace htp::kernels
