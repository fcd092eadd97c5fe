// Internal contract between the GEMM driver (gemm.cpp) and the per-ISA micro-kernels (gemm_avx512.cpp, gemm_avx2.cpp,
// and the portable one inside gemm.cpp). Not part of the public API.
//
// A micro-kernel computes one mr x nr tile of C from two packed panels:
//   a: op(A) rows [i0, i0+mr) x k in [0, kc), k-major: a[k*mr + i]; rows past the matrix edge are zero.
//   b: op(B) k in [0, kc) x columns [j0, j0+nr), k-major: b[k*nr + j]; columns past the edge are zero.
//   C[i][j] = alpha * sum_{k ascending} a[k*mr+i] * b[k*nr+j] + beta * C[i][j]  for i < m <= mr, j < n <= nr,
// where beta == 0 means C is only written. Each C element is one accumulator summed in ascending k, so its value does
// not depend on where the tile sits or which thread runs it. B panels are 64-byte aligned (the buffers are, and every
// SIMD path has nr * sizeof(T) a multiple of 64), so the kernel loads them as aligned whole vectors; A is only
// broadcast, element by element, and needs no alignment.
#pragma once
#include <cstdint>

namespace htp::kernels::cpu::gemm_detail {

template <typename T>
using micro_kernel_fn = void (*)(int64_t kc, const T* a, const T* b, T* c, int64_t ldc, int64_t m, int64_t n, T alpha,
                                 T beta);

// Packs one panel: dst[k*w + x] = src[k*sk + x*sx] for k < kc, x < valid, and 0 for valid <= x < w (w <= 32). One of
// sk, sx is 1: sx == 1 copies rows, sk == 1 transposes.
template <typename T>
using pack_fn = void (*)(T* dst, int w, const T* src, int64_t sk, int64_t sx, int64_t kc, int64_t valid);

// The kernel and the cache blocking that suits it: kc = depth of one k-block (an mr x kc A panel should sit in L1),
// mc = rows of op(A) a thread packs at once (bounds its private A block; gemm.cpp explains the loops).
template <typename T>
struct micro_kernel {
  int mr;
  int nr;
  int kc;
  int mc;
  micro_kernel_fn<T> fn;
  pack_fn<T> pack;
};

// Plain C++ packing (gemm.cpp), for the paths without a vectorised one.
void pack_panel_portable(float* dst, int w, const float* src, int64_t sk, int64_t sx, int64_t kc, int64_t valid);
void pack_panel_portable(double* dst, int w, const double* src, int64_t sk, int64_t sx, int64_t kc, int64_t valid);

// Defined in the ISA files; call only when cpu_features reports the ISA.
micro_kernel<float> sgemm_kernel_avx512();
micro_kernel<double> dgemm_kernel_avx512();
micro_kernel<float> sgemm_kernel_avx2();
micro_kernel<double> dgemm_kernel_avx2();

}  // namespace htp::kernels::cpu::gemm_detail
