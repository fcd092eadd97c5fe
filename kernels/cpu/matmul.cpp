#include "kernels/cpu/matmul.h"

#include <algorithm>
#include <optional>

#include "kernels/cpu/parallel.h"

namespace htp::kernels::cpu {
namespace {

// Below this many multiply-adds GEMM runs on one thread (gemm.cpp: ~2M per thread), so units this small gain nothing
// from a multithreaded GEMM and are better spread over the pool.
constexpr int64_t kGemmTwoThreadWork = int64_t{1} << 22;
// Work (multiply-adds) below which a chunk is not worth handing to another thread.
constexpr int64_t kMinChunkWork = int64_t{1} << 16;

// How GEMM reads a rows x cols matrix with the given strides: element (r, c) at r * ld + c (row-major) or, with
// trans, at c * ld + r (column-major). nullopt when neither unit-stride layout fits (copy first).
struct GemmLayout {
  bool trans;
  int64_t ld;
};
std::optional<GemmLayout> gemm_layout(int64_t rows, int64_t cols, int64_t row_stride, int64_t col_stride) {
  if (rows == 0 || cols == 0) return GemmLayout{false, std::max<int64_t>(cols, 1)};
  if ((cols == 1 || col_stride == 1) && (rows == 1 || row_stride >= cols))
    return GemmLayout{false, rows == 1 ? std::max<int64_t>(cols, 1) : row_stride};
  if ((rows == 1 || row_stride == 1) && (cols == 1 || col_stride >= rows))
    return GemmLayout{true, cols == 1 ? std::max<int64_t>(rows, 1) : col_stride};
  return std::nullopt;
}

// One [B, R, C] operand as GEMM sees it: base pointer, batch stride (0 when broadcast) and matrix layout.
template <class T>
struct Operand {
  Tensor storage;  // keeps a copy alive when one was needed
  const T* data;
  int64_t batch_stride;
  GemmLayout layout;
};

template <class T>
Operand<T> gemm_operand(const Tensor& t) {
  std::optional<GemmLayout> layout = gemm_layout(t.size(1), t.size(2), t.stride(1), t.stride(2));
  Tensor src = t;
  if (!layout) {
    src = t.contiguous();
    layout = gemm_layout(src.size(1), src.size(2), src.stride(1), src.stride(2));
  }
  return {src, src.data<T>(), src.size(0) == 1 ? 0 : src.stride(0), *layout};
}

template <class T>
void batched_matmul_impl(const Tensor& a, const Tensor& b, const Tensor& out, bool accumulate) {
  int64_t B = out.size(0), M = out.size(1);
  const int64_t N = out.size(2), K = a.size(2);
  if (B == 0 || M == 0 || N == 0) return;
  const Operand<T> A = gemm_operand<T>(a), Bm = gemm_operand<T>(b);
  T* C = out.data<T>();
  const T beta = accumulate ? T(1) : T(0);
  // A row-major stack of A matrices times one shared B is a single taller product.
  if (B > 1 && Bm.batch_stride == 0 && !A.layout.trans && A.batch_stride == M * A.layout.ld) {
    M *= B;
    B = 1;
  }
  parallel_over_units(B, M * N * K, [&](int64_t b0, int64_t b1) {
    for (int64_t i = b0; i < b1; ++i)
      gemm(A.layout.trans, Bm.layout.trans, M, N, K, T(1), A.data + i * A.batch_stride, A.layout.ld,
           Bm.data + i * Bm.batch_stride, Bm.layout.ld, beta, C + i * M * N, N);
  });
}

}  // namespace

void parallel_over_units(int64_t units, int64_t work_per_unit, const std::function<void(int64_t, int64_t)>& fn) {
  const int64_t threads = num_threads();
  const bool split = units >= 2 && threads >= 2 && !in_parallel_region() &&
                     (work_per_unit < kGemmTwoThreadWork || units % threads == 0 || units >= 4 * threads);
  if (split)
    parallel_for(0, units, std::max<int64_t>(1, kMinChunkWork / std::max<int64_t>(work_per_unit, 1)), fn);
  else
    fn(0, units);
}

void batched_matmul(const Tensor& a, const Tensor& b, const Tensor& out, bool accumulate) {
  dispatch_floating(out.dtype(), "matmul",
                    [&](auto tag) { batched_matmul_impl<decltype(tag)>(a, b, out, accumulate); });
}

}  // namespace htp::kernels::cpu
