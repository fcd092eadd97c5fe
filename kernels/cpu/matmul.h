// Batched matrix products on the CPU, on top of sgemm/dgemm (kernels/cpu/gemm.h).
//
// out[b] (+)= a[b] · b[b] for b < B, with a [B, M, K], b [B, K, N] and out [B, M, N] (contiguous). a and b may have any
// strides: a batch stride of 0 (a broadcast operand) is used as is, a matrix whose rows or columns are unit-stride is
// passed to GEMM directly (a column-major one, e.g. a transpose view, as a trans flag), anything else is copied once.
//
// Threads: either GEMM parallelises each product, or (many small products) the batch is split over the pool and every
// GEMM runs single-threaded inside its chunk — see parallel_over_units, which conv2d uses for its (image, group) units.
#pragma once
#include <cstdint>
#include <functional>

#include "kernels/cpu/gemm.h"
#include "tensor/tensor.h"

namespace htp::kernels::cpu {

// out = a · b (accumulate: out += a · b). Shapes as above; dtypes float32 or float64, all equal.
void batched_matmul(const Tensor& a, const Tensor& b, const Tensor& out, bool accumulate = false);

// Runs fn over [0, units) of independent GEMM-based work items of ~work_per_unit multiply-adds each: in chunks over the
// pool (each chunk's GEMMs single-threaded) when that beats running them in turn with a multithreaded GEMM, else as
// one inline call fn(0, units).
void parallel_over_units(int64_t units, int64_t work_per_unit, const std::function<void(int64_t, int64_t)>& fn);

// sgemm/dgemm chosen by the element type, for code templated on float/double.
inline void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
                 const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
inline void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, double alpha, const double* A, int64_t lda,
                 const double* B, int64_t ldb, double beta, double* C, int64_t ldc) {
  dgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace htp::kernels::cpu
