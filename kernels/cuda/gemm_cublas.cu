// The vendor side of the matmul family (kernels::implementation(OpFamily::matmul) == vendor): a GemmProblem through
// cuBLAS's strided-batched GEMMs.
//
// cuBLAS is column-major. A row-major M x N block C is the column-major N x M matrix C^T = B^T · A^T, so cuBLAS
// computes with m = N, n = M, B first and A second, ldc = N. A row-major operand read column-major is already its
// transpose (CUBLAS_OP_N); a column-major one (trans) is the operand itself and needs CUBLAS_OP_T. Leading
// dimensions and batch strides pass through unchanged (stride 0 for a shared operand).
//
// Arithmetic: float64 cublasDgemmStridedBatched; float32 cublasGemmStridedBatchedEx with CUBLAS_COMPUTE_32F (true FP32:
// our handle keeps the default math mode, which allows no TF32) or, only when asked, CUBLAS_COMPUTE_32F_FAST_TF32;
// bfloat16 A and B with float32 C and CUBLAS_COMPUTE_32F (cublasGemmEx's BF16 configuration, batched).
#include <limits>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/gemm_launch.h"

namespace htp::kernels::cuda {
namespace {

int ld_of(const GemmMatrix& m) {
  HTP_CHECK(m.ld <= std::numeric_limits<int>::max(), "matmul: cuBLAS takes 32-bit leading dimensions, got ", m.ld);
  return static_cast<int>(m.ld);
}

cublasOperation_t op_of(const GemmMatrix& m) { return m.trans ? CUBLAS_OP_T : CUBLAS_OP_N; }

}  // namespace

void gemm_cublas(const GemmProblem& p, CublasGemm type, cublasHandle_t handle) {
  const int lda = ld_of(p.a), ldb = ld_of(p.b);
  const long long stride_c = static_cast<long long>(p.M) * p.N;
  if (type == CublasGemm::f64) {
    const double one = 1.0, beta = p.accumulate ? 1.0 : 0.0;
    HTP_CUBLAS_CHECK(cublasDgemmStridedBatched(handle, op_of(p.b), op_of(p.a), p.N, p.M, p.K, &one,
                                               static_cast<const double*>(p.b.data), ldb, p.b.batch_stride,
                                               static_cast<const double*>(p.a.data), lda, p.a.batch_stride, &beta,
                                               static_cast<double*>(p.c), p.N, stride_c, p.batch),
                     "matmul (cuBLAS float64)");
    return;
  }
  const float one = 1.0f, beta = p.accumulate ? 1.0f : 0.0f;
  const cudaDataType_t input = type == CublasGemm::bf16 ? CUDA_R_16BF : CUDA_R_32F;
  const cublasComputeType_t compute = type == CublasGemm::f32_tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  HTP_CUBLAS_CHECK(cublasGemmStridedBatchedEx(handle, op_of(p.b), op_of(p.a), p.N, p.M, p.K, &one, p.b.data, input, ldb,
                                              p.b.batch_stride, p.a.data, input, lda, p.a.batch_stride, &beta, p.c,
                                              CUDA_R_32F, p.N, stride_c, p.batch, compute, CUBLAS_GEMM_DEFAULT),
                   type == CublasGemm::bf16 ? "gemm_bf16 (cuBLAS)" : "matmul (cuBLAS float32)");
}

}  // namespace htp::kernels::cuda
