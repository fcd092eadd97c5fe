// Binary elementwise ops on Tensors with NumPy broadcasting and PyTorch type promotion (htp::kernels).
//
// Tensor ⊕ Tensor: the result has broadcast_shapes(a, b) and promote_types(a, b) (integer ⊕ float → float);
// bool operands are refused by the arithmetic ops. Tensor ⊕ double: the scalar takes a's dtype when a is floating,
// else the result is float32 (like a Python float in PyTorch). Comparisons return DType::boolean.
// All functions return new tensors except the in-place add_ / add_scaled_.
#pragma once
#include "tensor/tensor.h"

namespace htp::kernels {

Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);  // true division: integer operands give float32
Tensor pow(const Tensor& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);  // NaN propagates
Tensor minimum(const Tensor& a, const Tensor& b);  // NaN propagates

Tensor add(const Tensor& a, double s);
Tensor sub(const Tensor& a, double s);
Tensor mul(const Tensor& a, double s);
Tensor div(const Tensor& a, double s);
Tensor pow(const Tensor& a, double s);
Tensor maximum(const Tensor& a, double s);
Tensor minimum(const Tensor& a, double s);

// Comparisons (bool results).
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, double s);
Tensor ne(const Tensor& a, double s);
Tensor lt(const Tensor& a, double s);
Tensor le(const Tensor& a, double s);
Tensor gt(const Tensor& a, double s);
Tensor ge(const Tensor& a, double s);

// In place: acc += g (g broadcast to acc's shape and converted to acc's dtype; acc keeps its shape and dtype).
// Used by the autograd engine to sum gradients. Returns acc.
Tensor& add_(Tensor& acc, const Tensor& g);
// In place: acc += alpha * g, same rules; acc must be floating.
Tensor& add_scaled_(Tensor& acc, const Tensor& g, double alpha);

}  // namespace htp::kernels
