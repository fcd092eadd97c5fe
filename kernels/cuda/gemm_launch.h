// The GEMM launchers behind kernels/cuda/matmul.cu: one batched, row-major problem, the kernel chosen by the caller.
//
//   C[i] = op(A[i]) · op(B[i])  (accumulate: C[i] += …)  for i < batch,  C[i] an M x N row-major block of a contiguous
//   [batch, M, N] output, op(A[i]) M x K and op(B[i]) K x N, each operand row-major or (trans) column-major with its
//   own leading dimension and batch stride (0: one matrix shared by every batch entry).
//
// Sizes are int (matmul.cu checks that they fit); leading dimensions and batch strides are element counts. K > 0 and
// M, N, batch > 0: matmul.cu handles empty products itself. Every launcher queues its work on `s` and checks it.
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <cstdint>

namespace htp::kernels::cuda {

// Element (r, c) of batch entry i at data + i * batch_stride + (trans ? c * ld + r : r * ld + c).
struct GemmMatrix {
  const void* data;
  int64_t ld;
  int64_t batch_stride;
  bool trans;
};

struct GemmProblem {
  int batch, M, N, K;
  GemmMatrix a, b;  // M x K and K x N
  void* c;          // contiguous [batch, M, N]
  bool accumulate;
};

// gemm_simt.cu: float32 / float64 SIMT kernels (exact FP32 / FP64 arithmetic).
void gemm_simt_f32(const GemmProblem& p, cudaStream_t s);
void gemm_simt_f64(const GemmProblem& p, cudaStream_t s);

// gemm_tensorcore.cu (sm_80+): float32 operands rounded to TF32, and bfloat16 operands; float32 C, FP32 accumulation.
void gemm_tf32(const GemmProblem& p, cudaStream_t s);
void gemm_bf16_tensor_core(const GemmProblem& p, cudaStream_t s);

// gemm_cublas.cu: the same problem through cuBLAS on `handle` (bound to the caller's stream).
enum class CublasGemm {
  f32,       // float32, CUBLAS_COMPUTE_32F: true FP32
  f32_tf32,  // float32, CUBLAS_COMPUTE_32F_FAST_TF32
  f64,       // float64
  bf16,      // bfloat16 A and B, float32 C, CUBLAS_COMPUTE_32F
};
void gemm_cublas(const GemmProblem& p, CublasGemm type, cublasHandle_t handle);

}  // namespace htp::kernels::cuda
