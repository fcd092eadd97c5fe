// CUDA twins of kernels/cpu/binary.h: same names, signatures and semantics (see that header), tensors on one CUDA
// device; broadcast inputs are expanded views (stride 0), handled by the elementwise launcher's strided indexing.
#pragma once
#include "kernels/cpu/binary.h"
#include "tensor/tensor.h"

namespace htp::kernels::cuda {

using cpu::BinaryOp;
using cpu::CompareOp;

void binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out);
void add_scaled(const Tensor& a, const Tensor& b, double alpha, const Tensor& out);
void compare(CompareOp op, const Tensor& a, const Tensor& b, const Tensor& out);

}  // namespace htp::kernels::cuda
