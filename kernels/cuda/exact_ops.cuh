// Multiplication, addition and subtraction that nvcc may not contract into a fused multiply-add.
//
// nvcc contracts a * b + c into one fma by default; the CPU build does not. Where a CUDA twin promises the CPU's bits
// for a short formula (batch norm's x * scale + shift, bilinear weights, x * std + mean of a random fill), it spells
// the formula with these, which round after every operation exactly like the CPU's float / double arithmetic.
#pragma once

namespace htp::kernels::cuda::exact {

__device__ __forceinline__ float mul(float a, float b) { return __fmul_rn(a, b); }
__device__ __forceinline__ double mul(double a, double b) { return __dmul_rn(a, b); }
__device__ __forceinline__ float add(float a, float b) { return __fadd_rn(a, b); }
__device__ __forceinline__ double add(double a, double b) { return __dadd_rn(a, b); }
__device__ __forceinline__ float sub(float a, float b) { return __fsub_rn(a, b); }
__device__ __forceinline__ double sub(double a, double b) { return __dsub_rn(a, b); }

}  // namespace htp::kernels::cuda::exact
