// AVX2 + FMA GEMM micro-kernels (contract in gemm_microkernel.h).
//
// float: 6 x 16 tile = 12 ymm accumulators + 2 B vectors + 1 broadcast of A = 15 of the 16 ymm registers; per k step
// 12 FMAs for 2 loads and 6 broadcasts, enough independent chains to cover the FMA latency. double: 6 x 8.
// Edge tiles (m < 6 or n < 16) go through a small stack tile so the stores never touch memory outside C; the arithmetic
// is the same as for a full tile.
//
// Everything here lives in an anonymous namespace and calls no library templates: code compiled with AVX2 flags must
// not leak into shared (COMDAT) symbols that a baseline caller could end up linking to.
#include <immintrin.h>

#include "kernels/cpu/gemm_microkernel.h"

namespace htp::kernels::cpu::gemm_detail {
namespace {

struct f32x8 {
  using T = float;
  using V = __m256;
  static constexpr int width = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V set1(T x) { return _mm256_set1_ps(x); }
  static V load(const T* p) { return _mm256_load_ps(p); }
  static V loadu(const T* p) { return _mm256_loadu_ps(p); }
  static void storeu(T* p, V v) { _mm256_storeu_ps(p, v); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
};

struct f64x4 {
  using T = double;
  using V = __m256d;
  static constexpr int width = 4;
  static V zero() { return _mm256_setzero_pd(); }
  static V set1(T x) { return _mm256_set1_pd(x); }
  static V load(const T* p) { return _mm256_load_pd(p); }
  static V loadu(const T* p) { return _mm256_loadu_pd(p); }
  static void storeu(T* p, V v) { _mm256_storeu_pd(p, v); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
};

// MR rows x NV vectors of X::width columns.
template <class X, int MR, int NV>
void kernel(int64_t kc, const typename X::T* a, const typename X::T* b, typename X::T* c, int64_t ldc, int64_t m,
            int64_t n, typename X::T alpha, typename X::T beta) {
  using T = typename X::T;
  using V = typename X::V;
  constexpr int NR = NV * X::width;
  V acc[MR][NV];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = X::zero();

  for (int64_t k = 0; k < kc; ++k) {
    _mm_prefetch(reinterpret_cast<const char*>(a + 8 * MR), _MM_HINT_T0);
    V bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) bv[v] = X::load(b + v * X::width);
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      const V av = X::set1(a[i]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[i][v] = X::fmadd(av, bv[v], acc[i][v]);
    }
    a += MR;
    b += NR;
  }

  // Full tiles are blended straight into C; edge tiles into a copy of C's valid part, written back afterwards.
  const bool full = m == MR && n == NR;
  T tile[MR * NR];
  T* out = c;
  int64_t ld = ldc;
  if (!full) {
    out = tile;
    ld = NR;
    for (int i = 0; i < MR * NR; ++i) tile[i] = T(0);
    if (beta != 0)
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) tile[i * NR + j] = c[i * ldc + j];
  }
  const V va = X::set1(alpha);
  const V vb = X::set1(beta);
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
    if (i >= m) break;
    T* row = out + i * ld;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      V r = X::mul(acc[i][v], va);
      if (beta != 0) r = X::fmadd(X::loadu(row + v * X::width), vb, r);
      X::storeu(row + v * X::width, r);
    }
  }
  if (!full)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = tile[i * NR + j];
}

}  // namespace

micro_kernel<float> sgemm_kernel_avx2() { return {6, 16, 256, 144, kernel<f32x8, 6, 2>, pack_panel_portable}; }
micro_kernel<double> dgemm_kernel_avx2() { return {6, 8, 256, 72, kernel<f64x4, 6, 2>, pack_panel_portable}; }

}  // namespace htp::kernels::cpu::gemm_detail
