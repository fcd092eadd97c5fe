// CUDA twin of kernels/cpu/matmul.h, and the BF16 GEMM beside it.
//
//   batched_matmul(a, b, out, accumulate)  out (+)= a · b per batch entry, exactly the CPU's contract: a [B, M, K],
//       b [B, K, N] with any strides (a batch stride of 0 is a shared operand, a column-major matrix such as a
//       transpose view is read in place, anything else is copied once), out [B, M, N] contiguous, one float dtype
//       (float32 or float64), everything on one CUDA device.
//   gemm_bf16(a, b, out, accumulate)  the same product with a and b rounded to bfloat16 (round to nearest even) and
//       FP32 accumulation into a float32 out; a and b may be float32 (converted once per call) or already bfloat16.
//
// Which kernel runs (kernels/implementation.h, read at every call):
//   implementation(OpFamily::matmul) == ours   float64: our SIMT DGEMM; float32: our SIMT SGEMM, or our TF32
//                                              tensor-core GEMM when allow_tf32(); bf16: our BF16 tensor-core GEMM
//   … == vendor                                cuBLAS strided-batched GEMMs in the same arithmetic (TF32 only when
//                                              allow_tf32(); otherwise float32 stays true FP32)
// The tensor-core kernels need sm_80 or newer.
#pragma once
#include "tensor/tensor.h"

namespace htp::kernels::cuda {

void batched_matmul(const Tensor& a, const Tensor& b, const Tensor& out, bool accumulate = false);
void gemm_bf16(const Tensor& a, const Tensor& b, const Tensor& out, bool accumulate = false);

}  // namespace htp::kernels::cuda
