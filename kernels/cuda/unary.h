// CUDA twins of kernels/cpu/unary.h: same names, signatures and semantics (see that header), tensors on one CUDA
// device. Float32 math runs in float32 (CUDA's precise single-precision functions), float64 in float64.
#pragma once
#include "kernels/cpu/unary.h"
#include "tensor/tensor.h"

namespace htp::kernels::cuda {

using cpu::UnaryBackwardOp;
using cpu::UnaryOp;

void unary(UnaryOp op, const Tensor& x, const Tensor& out);
void softplus(const Tensor& x, double beta, double threshold, const Tensor& out);
void clamp(const Tensor& x, double lo, double hi, const Tensor& out);
void where(const Tensor& cond, const Tensor& a, const Tensor& b, const Tensor& out);
void unary_backward(UnaryBackwardOp op, const Tensor& grad, const Tensor& saved, const Tensor& out);
void softplus_backward(const Tensor& grad, const Tensor& x, double beta, double threshold, const Tensor& out);
void clamp_backward(const Tensor& grad, const Tensor& x, double lo, double hi, const Tensor& out);

}  // namespace htp::kernels::cuda
