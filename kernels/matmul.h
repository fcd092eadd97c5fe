// Matrix products (float32 / float64, operands of one dtype and device). Transposed views reach GEMM as trans flags,
// without a copy.
//
//   matmul(a, b)   PyTorch semantics: 1-D · 1-D is the dot product (rank 0); 2-D · 2-D is [M, K] · [K, N] -> [M, N];
//                  a 1-D a is read as [1, K] and a 1-D b as [K, 1], the added 1 being removed from the result; ranks
//                  above 2 are stacks of matrices whose batch dims broadcast: [2, 1, M, K] · [3, K, N] -> [2, 3, M, N].
//   bmm(a, b)      [B, M, K] · [B, K, N] -> [B, M, N], no broadcasting.
//   linear(x, w, bias)  x [..., in] · w[out, in]^T + bias[out] -> [..., out]  (bias may be undefined).
#pragma once
#include "tensor/tensor.h"

namespace htp::kernels {

Tensor matmul(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

}  // namespace htp::kernels
