// Dense matrix product on the CPU: the BLAS-like GEMM under matmul and conv2d (im2col). Algorithm: gemm.cpp.
#pragma once
#include <cstdint>

#include "kernels/cpu/cpu_features.h"

namespace htp::kernels::cpu {

// C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C, all row-major with leading dimensions in elements
// (op(A) = A or A^T). beta == 0 means C is write-only (NaNs in C are not propagated), like BLAS.
// Runs on the parallel.h pool; the result is bitwise the same for any thread count.
void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
void dgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, double alpha, const double* A, int64_t lda,
           const double* B, int64_t ldb, double beta, double* C, int64_t ldc);

// Same, forcing one ISA path (tests and benchmarks); throws std::invalid_argument if the CPU lacks it (or HTP_CPU_ISA
// caps it away).
void sgemm_isa(Isa isa, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
               int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
void dgemm_isa(Isa isa, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, double alpha, const double* A,
               int64_t lda, const double* B, int64_t ldb, double beta, double* C, int64_t ldc);

}  // namespace htp::kernels::cpu
