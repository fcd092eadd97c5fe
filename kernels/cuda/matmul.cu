// CUDA batched matrix products: each operand's layout as GEMM reads it (the rule of kernels/cpu/matmul.cpp), then
// one GemmProblem for our kernels (gemm_simt.cu, gemm_tensorcore.cu) or cuBLAS (gemm_cublas.cu), as chosen by
// kernels/implementation.h at each call. See kernels/cuda/matmul.h for the contract.
//
// An operand [B, R, C] is read in place when its matrices are row-major or column-major with a unit stride (a
// transpose view becomes a trans flag); otherwise it is copied to contiguous once. A shared operand (batch stride 0,
// or B == 1) is one matrix with batch stride 0, and only that one matrix is copied or converted to bfloat16 when
// needed. Like the CPU, a row-major stack of A matrices times one shared B is computed as a single taller product.
// Empty products write nothing, or zeros when K == 0 (out = the empty sum, or out unchanged when accumulating).
#include "kernels/cuda/matmul.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "kernels/cuda/gemm_launch.h"
#include "kernels/cuda/runtime.h"
#include "kernels/implementation.h"

namespace htp::kernels::cuda {
namespace {

// How GEMM reads a rows x cols matrix with the given strides: element (r, c) at r * ld + c (row-major) or, with trans,
// at c * ld + r (column-major); nullopt when neither unit-stride layout fits. Exactly kernels/cpu/matmul.cpp's rule.
struct Layout {
  bool trans;
  int64_t ld;
};
std::optional<Layout> gemm_layout(int64_t rows, int64_t cols, int64_t row_stride, int64_t col_stride) {
  if ((cols == 1 || col_stride == 1) && (rows == 1 || row_stride >= cols))
    return Layout{false, rows == 1 ? std::max<int64_t>(cols, 1) : row_stride};
  if ((rows == 1 || row_stride == 1) && (cols == 1 || col_stride >= rows))
    return Layout{true, cols == 1 ? std::max<int64_t>(rows, 1) : col_stride};
  return std::nullopt;
}

// One [B, R, C] operand as GEMM reads it, in element type `dtype`; `storage` keeps a copy alive until the call returns
// (its memory is freed in stream order, after the GEMM that reads it).
struct Operand {
  Tensor storage;
  GemmMatrix matrix;
};
Operand gemm_operand(const Tensor& t, DType dtype) {
  const bool shared = t.size(0) == 1 || t.stride(0) == 0;
  Tensor src = (shared ? t.narrow(0, 0, 1) : t).to(dtype);  // a converted copy is contiguous
  std::optional<Layout> layout = gemm_layout(src.size(1), src.size(2), src.stride(1), src.stride(2));
  if (!layout) {
    src = src.contiguous();
    layout = gemm_layout(src.size(1), src.size(2), src.stride(1), src.stride(2));
  }
  return {src, {src.raw_data(), layout->ld, shared ? 0 : src.stride(0), layout->trans}};
}

// The arithmetic of a product; our kernel or cuBLAS computes it in exactly this arithmetic.
enum class Arithmetic { f32, tf32, f64, bf16 };

int checked_int(int64_t v, const char* what, const char* op) {
  HTP_CHECK(v <= std::numeric_limits<int>::max() / 2, op, ": ", what, " = ", v,
            " is beyond what the CUDA GEMM kernels take (2^30)");
  return static_cast<int>(v);
}

void gemm(const char* op, const Tensor& a, const Tensor& b, const Tensor& out, bool accumulate, Arithmetic arithmetic) {
  const int64_t batch = out.size(0), M = out.size(1), N = out.size(2), K = a.size(2);
  if (batch == 0 || M == 0 || N == 0) return;
  const int device = out.device().index;
  DeviceGuard guard(device);
  if (K == 0) {
    if (!accumulate) Tensor(out).zero_();  // a handle on the same storage
    return;
  }
  const DType operand_dtype = arithmetic == Arithmetic::bf16 ? DType::bf16 : out.dtype();
  const Operand A = gemm_operand(a, operand_dtype), B = gemm_operand(b, operand_dtype);
  int64_t rows = M, entries = batch;
  if (batch > 1 && B.matrix.batch_stride == 0 && !A.matrix.trans && A.matrix.batch_stride == M * A.matrix.ld) {
    rows = M * batch;
    entries = 1;
  }
  const GemmProblem p{checked_int(entries, "batch", op), checked_int(rows, "M", op), checked_int(N, "N", op),
                      checked_int(K, "K", op), A.matrix, B.matrix, out.raw_data(), accumulate};
  if (implementation(OpFamily::matmul) == Implementation::vendor) {
    const CublasGemm type = arithmetic == Arithmetic::f32    ? CublasGemm::f32
                            : arithmetic == Arithmetic::tf32 ? CublasGemm::f32_tf32
                            : arithmetic == Arithmetic::f64  ? CublasGemm::f64
                                                             : CublasGemm::bf16;
    gemm_cublas(p, type, cublas_handle(device));
    return;
  }
  const cudaStream_t s = stream(device);
  switch (arithmetic) {
    case Arithmetic::f32: gemm_simt_f32(p, s); break;
    case Arithmetic::tf32: gemm_tf32(p, s); break;
    case Arithmetic::f64: gemm_simt_f64(p, s); break;
    case Arithmetic::bf16: gemm_bf16_tensor_core(p, s); break;
  }
}

}  // namespace

void batched_matmul(const Tensor& a, const Tensor& b, const Tensor& out, bool accumulate) {
  switch (out.dtype()) {
    case DType::f32:
      gemm("matmul", a, b, out, accumulate, allow_tf32() ? Arithmetic::tf32 : Arithmetic::f32);
      return;
    case DType::f64:
      gemm("matmul", a, b, out, accumulate, Arithmetic::f64);
      return;
    default:
      throw Error(htp::detail::concat("matmul: expected float32 or float64 tensors, got ", out.describe()));
  }
}

void gemm_bf16(const Tensor& a, const Tensor& b, const Tensor& out, bool accumulate) {
  HTP_CHECK(a.defined() && b.defined() && out.defined(), "gemm_bf16: undefined tensor");
  HTP_CHECK(a.dim() == 3 && b.dim() == 3 && out.dim() == 3 && a.size(0) == b.size(0) && a.size(2) == b.size(1) &&
                out.size(0) == a.size(0) && out.size(1) == a.size(1) && out.size(2) == b.size(2),
            "gemm_bf16: expected a [B, M, K], b [B, K, N] and out [B, M, N], got a ", a.describe(), ", b ",
            b.describe(), " and out ", out.describe());
  for (const Tensor* t : {&a, &b})
    HTP_CHECK(t->dtype() == DType::f32 || t->dtype() == DType::bf16,
              "gemm_bf16: operands must be float32 or bfloat16, got ", t->describe());
  HTP_CHECK(out.dtype() == DType::f32 && out.is_contiguous(),
            "gemm_bf16: out must be a contiguous float32 tensor, got ", out.describe());
  HTP_CHECK(out.device().is_cuda() && a.device() == out.device() && b.device() == out.device(), "gemm_bf16: a ",
            a.describe(), ", b ", b.describe(), " and out ", out.describe(), " must be on one CUDA device");
  gemm("gemm_bf16", a, b, out, accumulate, Arithmetic::bf16);
}

}  // namespace htp::kernels::cuda
