// AVX-512 GEMM micro-kernels (contract in gemm_microkernel.h).
//
// float: 14 x 32 tile = 28 zmm accumulators; per k step two aligned zmm loads of the B panel and 14 broadcasts of A
// (folded by the compiler into the FMAs as {1to16} memory operands), i.e. 28 FMAs for 16 loads. Two 512-bit FMA pipes
// with 4-cycle latency need >= 8 independent chains; 28 hide it with room to spare, and 28 + 2 = 30 of the 32 zmm
// registers are in use. double: the same shape, 14 x 16.
//
// Packing (float) is vectorised too, since for thin products (N or M of a few dozen) it costs as much as the FMAs:
// row copies use masked loads/stores, transposing copies load 16 rows x 16 k and transpose the 16 x 16 block in
// registers (unpack, shuffle, 128-bit lane shuffle: 64 shuffles per 256 elements).
//
// Everything here lives in an anonymous namespace and calls no library templates: code compiled with AVX-512 flags must
// not leak into shared (COMDAT) symbols that a non-AVX-512 caller could end up linking to.
#include <immintrin.h>

#include "kernels/cpu/gemm_microkernel.h"

namespace htp::kernels::cpu::gemm_detail {
namespace {

struct f32x16 {
  using T = float;
  using V = __m512;
  using M = __mmask16;
  static constexpr int width = 16;
  static V zero() { return _mm512_setzero_ps(); }
  static V set1(T x) { return _mm512_set1_ps(x); }
  static V load(const T* p) { return _mm512_load_ps(p); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V load_masked(M m, const T* p) { return _mm512_maskz_loadu_ps(m, p); }
  static void store_masked(T* p, M m, V v) { _mm512_mask_storeu_ps(p, m, v); }
  static M lanes(int64_t n) { return n >= width ? M(0xFFFF) : n <= 0 ? M(0) : M((1u << n) - 1); }
};

struct f64x8 {
  using T = double;
  using V = __m512d;
  using M = __mmask8;
  static constexpr int width = 8;
  static V zero() { return _mm512_setzero_pd(); }
  static V set1(T x) { return _mm512_set1_pd(x); }
  static V load(const T* p) { return _mm512_load_pd(p); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static V load_masked(M m, const T* p) { return _mm512_maskz_loadu_pd(m, p); }
  static void store_masked(T* p, M m, V v) { _mm512_mask_storeu_pd(p, m, v); }
  static M lanes(int64_t n) { return n >= width ? M(0xFF) : n <= 0 ? M(0) : M((1u << n) - 1); }
};

// MR rows x NV vectors of X::width columns.
template <class X, int MR, int NV>
void kernel(int64_t kc, const typename X::T* a, const typename X::T* b, typename X::T* c, int64_t ldc, int64_t m,
            int64_t n, typename X::T alpha, typename X::T beta) {
  using V = typename X::V;
  constexpr int NR = NV * X::width;
  V acc[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = X::zero();

  // Bring the C tile towards L1 while the k loop runs.
  for (int64_t i = 0; i < m; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + NR - 1), _MM_HINT_T0);
  }

  for (int64_t k = 0; k < kc; ++k) {
    _mm_prefetch(reinterpret_cast<const char*>(a + 8 * MR), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(b + 8 * NR), _MM_HINT_T0);
    V bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) bv[v] = X::load(b + v * X::width);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const V av = X::set1(a[i]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[i][v] = X::fmadd(av, bv[v], acc[i][v]);
    }
    a += MR;
    b += NR;
  }

  const V va = X::set1(alpha);
  const V vb = X::set1(beta);
  typename X::M mask[NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) mask[v] = X::lanes(n - v * X::width);
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    if (i >= m) break;
    typename X::T* row = c + i * ldc;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      V r = X::mul(acc[i][v], va);
      if (beta != 0) r = X::fmadd(X::load_masked(mask[v], row + v * X::width), vb, r);
      X::store_masked(row + v * X::width, mask[v], r);
    }
  }
}

// In place: r[j] becomes column j of the 16 x 16 block whose rows were r[0..15]. (The maskz forms with a full mask
// compile to the plain shuffles; the plain intrinsics trip GCC 12's -Wmaybe-uninitialized on _mm512_undefined_ps.)
inline void transpose16(__m512 r[16]) {
  constexpr __mmask16 all = 0xFFFF;
  __m512 t[16];
#pragma GCC unroll 8
  for (int p = 0; p < 8; ++p) {
    t[2 * p] = _mm512_maskz_unpacklo_ps(all, r[2 * p], r[2 * p + 1]);
    t[2 * p + 1] = _mm512_maskz_unpackhi_ps(all, r[2 * p], r[2 * p + 1]);
  }
  // u[4q + c], 128-bit lane L: column 4L + c of rows 4q .. 4q+3.
  __m512 u[16];
#pragma GCC unroll 4
  for (int q = 0; q < 4; ++q) {
    u[4 * q + 0] = _mm512_maskz_shuffle_ps(all, t[4 * q], t[4 * q + 2], 0x44);
    u[4 * q + 1] = _mm512_maskz_shuffle_ps(all, t[4 * q], t[4 * q + 2], 0xEE);
    u[4 * q + 2] = _mm512_maskz_shuffle_ps(all, t[4 * q + 1], t[4 * q + 3], 0x44);
    u[4 * q + 3] = _mm512_maskz_shuffle_ps(all, t[4 * q + 1], t[4 * q + 3], 0xEE);
  }
  // Transpose the 4 x 4 grid of 128-bit lanes.
#pragma GCC unroll 4
  for (int c = 0; c < 4; ++c) {
    const __m512 v0 = _mm512_maskz_shuffle_f32x4(all, u[c], u[4 + c], 0x44);
    const __m512 v1 = _mm512_maskz_shuffle_f32x4(all, u[c], u[4 + c], 0xEE);
    const __m512 v2 = _mm512_maskz_shuffle_f32x4(all, u[8 + c], u[12 + c], 0x44);
    const __m512 v3 = _mm512_maskz_shuffle_f32x4(all, u[8 + c], u[12 + c], 0xEE);
    r[c] = _mm512_maskz_shuffle_f32x4(all, v0, v2, 0x88);
    r[4 + c] = _mm512_maskz_shuffle_f32x4(all, v0, v2, 0xDD);
    r[8 + c] = _mm512_maskz_shuffle_f32x4(all, v1, v3, 0x88);
    r[12 + c] = _mm512_maskz_shuffle_f32x4(all, v1, v3, 0xDD);
  }
}

void pack_f32(float* dst, int w, const float* src, int64_t sk, int64_t sx, int64_t kc, int64_t valid) {
  if (sx == 1) {
    for (int64_t k = 0; k < kc; ++k)
      for (int x0 = 0; x0 < w; x0 += 16)
        _mm512_mask_storeu_ps(dst + k * w + x0, f32x16::lanes(w - x0),
                              _mm512_maskz_loadu_ps(f32x16::lanes(valid - x0), src + k * sk + x0));
    return;
  }
  // sk == 1: source row x holds the panel's column x.
  for (int x0 = 0; x0 < w; x0 += 16) {
    const __mmask16 store_mask = f32x16::lanes(w - x0);
    for (int64_t k0 = 0; k0 < kc; k0 += 16) {
      const int64_t kb = kc - k0 < 16 ? kc - k0 : 16;
      const __mmask16 load_mask = f32x16::lanes(kb);
      __m512 r[16];
#pragma GCC unroll 16
      for (int x = 0; x < 16; ++x)
        r[x] = x0 + x < valid ? _mm512_maskz_loadu_ps(load_mask, src + (x0 + x) * sx + k0) : _mm512_setzero_ps();
      transpose16(r);
      float* d = dst + k0 * w + x0;
      if (kb == 16) {
#pragma GCC unroll 16
        for (int k = 0; k < 16; ++k) _mm512_mask_storeu_ps(d + k * w, store_mask, r[k]);
      } else {
        for (int64_t k = 0; k < kb; ++k) _mm512_mask_storeu_ps(d + k * w, store_mask, r[k]);
      }
    }
  }
}

}  // namespace

micro_kernel<float> sgemm_kernel_avx512() { return {14, 32, 384, 336, kernel<f32x16, 14, 2>, pack_f32}; }
micro_kernel<double> dgemm_kernel_avx512() {
  return {14, 16, 256, 168, kernel<f64x8, 14, 2>, pack_panel_portable};
}

}  // namespace htp::kernels::cpu::gemm_detail
