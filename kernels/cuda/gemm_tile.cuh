// What every GEMM kernel of gemm_simt.cu and gemm_tensorcore.cu shares: how an operand is read (Panel), how a
// block stages one K-slice of it through shared memory (TileLoader), and how blocks cover the output (launch_tiles).
//
// Both operands are read as K x X panels G(k, x): A as its transpose (X = M, G(k, m) = A(m, k)) and B as itself
// (X = N). Every kernel stores a slice of BK rows of G in shared memory as s[k][x], so that one k-row of A and of B
// is what the inner loop reads: for the SIMT kernel the outer product of a column of A and a row of B, for WMMA a
// column-major A fragment and a row-major B fragment.
//
// A slice is loaded in 16-byte packs (4 floats, 2 doubles, 8 bfloat16s) along G's contiguous dimension: along k for
// a row-major A or a column-major B, along x otherwise. A pack is one vector load when the panel allows it (16-byte
// aligned base, leading dimension and batch stride multiples of the pack) and it lies inside the matrix; otherwise
// its elements are loaded one by one and those outside the matrix are zeros, so partial tiles need no other care.
// The loader holds a slice in registers between load() and store(): kernels issue the next slice's global loads
// before computing on the current one (double buffering; see the kernels).
#pragma once
#include <cstdint>
#include <limits>
#include <type_traits>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/device_types.cuh"
#include "kernels/cuda/gemm_launch.h"
#include "tensor/error.h"

namespace htp::kernels::cuda::gemm_detail {

inline constexpr int kGemmThreads = 256;  // 8 warps per block in every GEMM kernel
inline constexpr int kMaxGridZ = 65535;   // gridDim.z limit: batches are launched in chunks of this many entries

// 16 bytes of T.
template <class T>
struct alignas(16) Pack {
  static constexpr int kSize = static_cast<int>(16 / sizeof(T));
  T v[kSize];
};

// G(k, x) of batch entry i at p[i * batch_stride + (k_contiguous ? x * ld + k : k * ld + x)]. Kernels take
// k_contiguous as a template argument (KC below), one instantiation per layout pair, so that the loads' addressing is
// straight-line code.
template <class T>
struct Panel {
  const T* p;
  int64_t ld;
  int64_t batch_stride;
  bool k_contiguous;
  bool packed;  // 16-byte pack loads allowed

  template <bool KC>
  __device__ __forceinline__ int64_t offset(int k, int x) const {
    return KC ? static_cast<int64_t>(x) * ld + k : static_cast<int64_t>(k) * ld + x;
  }
};

template <class T>
Panel<T> make_panel(const GemmMatrix& m, bool k_contiguous) {
  constexpr int V = Pack<T>::kSize;
  const bool aligned = reinterpret_cast<uintptr_t>(m.data) % 16 == 0;
  return {static_cast<const T*>(m.data), m.ld, m.batch_stride, k_contiguous,
          aligned && m.ld % V == 0 && m.batch_stride % V == 0};
}
// A read as G(k, m) = A(m, k): k runs along a row-major A's rows.
template <class T>
Panel<T> panel_a(const GemmMatrix& a) { return make_panel<T>(a, !a.trans); }
// B read as G(k, n) = B(k, n): k runs along a column-major B's columns.
template <class T>
Panel<T> panel_b(const GemmMatrix& b) { return make_panel<T>(b, b.trans); }

// A BK x BX slice of a panel with k_contiguous == KC (rows k0…, columns x0… of G), staged in registers by load()
// and written to shared memory by store() as s[k * LDS + x], each element passed through cvt (TF32 rounding, or
// the identity).
template <class T, int BK, int BX, bool KC>
struct TileLoader {
  static constexpr int V = Pack<T>::kSize;
  static constexpr int kPacks = BK * BX / (V * kGemmThreads);  // packs per thread
  static_assert(kPacks >= 1 && kPacks * V * kGemmThreads == BK * BX && BK % V == 0 && BX % V == 0,
                "a slice must split into whole packs, the same number per thread");
  static constexpr int DK = KC ? 1 : 0, DX = 1 - DK;  // the step from one element of a pack to the next

  Pack<T> r[kPacks];

  // Slice coordinates of the first element of this thread's pack i; neighbouring threads take neighbouring packs
  // along the contiguous dimension (coalesced).
  __device__ __forceinline__ static void coords(int i, int& k, int& x) {
    const int q = static_cast<int>(threadIdx.x) + i * kGemmThreads;
    if constexpr (KC) {
      x = q / (BK / V);
      k = q % (BK / V) * V;
    } else {
      k = q / (BX / V);
      x = q % (BX / V) * V;
    }
  }

  // base: the panel of this block's batch entry; K, X: the extents of G.
  __device__ __forceinline__ void load(const Panel<T>& g, const T* base, int K, int X, int k0, int x0) {
#pragma unroll
    for (int i = 0; i < kPacks; ++i) {
      int k, x;
      coords(i, k, x);
      k += k0;
      x += x0;
      if (g.packed && k + DK * (V - 1) < K && x + DX * (V - 1) < X) {
        r[i] = *reinterpret_cast<const Pack<T>*>(base + g.template offset<KC>(k, x));
      } else {
#pragma unroll
        for (int j = 0; j < V; ++j) {
          const int kj = k + DK * j, xj = x + DX * j;
          r[i].v[j] = kj < K && xj < X ? base[g.template offset<KC>(kj, xj)] : convert<T>(0.0f);
        }
      }
    }
  }

  template <int LDS, class Cvt>
  __device__ __forceinline__ void store(T* s, Cvt cvt) const {
    static_assert(LDS % V == 0, "shared rows must keep packs 16-byte aligned");
#pragma unroll
    for (int i = 0; i < kPacks; ++i) {
      int k, x;
      coords(i, k, x);
      if constexpr (KC) {
#pragma unroll
        for (int j = 0; j < V; ++j) s[(k + j) * LDS + x] = cvt(r[i].v[j]);
      } else {
        Pack<T> p;
#pragma unroll
        for (int j = 0; j < V; ++j) p.v[j] = cvt(r[i].v[j]);
        *reinterpret_cast<Pack<T>*>(s + k * LDS + x) = p;
      }
    }
  }
};

struct Identity {
  template <class T>
  __device__ __forceinline__ T operator()(T v) const { return v; }
};

// Calls f(std::bool_constant<A.k_contiguous>{}, std::bool_constant<B.k_contiguous>{}): the kernel instantiation for
// the operands' layouts.
template <class T, class F>
void with_layouts(const Panel<T>& A, const Panel<T>& B, F&& f) {
  if (A.k_contiguous && B.k_contiguous)
    f(std::true_type{}, std::true_type{});
  else if (A.k_contiguous)
    f(std::true_type{}, std::false_type{});
  else if (B.k_contiguous)
    f(std::false_type{}, std::true_type{});
  else
    f(std::false_type{}, std::false_type{});
}

// Calls launch(grid, batch0) for BM x BN output tiles: blockIdx.x numbers the tiles row by row (tile row
// blockIdx.x / tiles_n, tile column blockIdx.x % tiles_n), blockIdx.z the batch entries batch0 + z.
template <class Launch>
void launch_tiles(const GemmProblem& p, int BM, int BN, const char* op, Launch&& launch) {
  const int64_t tiles = static_cast<int64_t>((p.M + BM - 1) / BM) * ((p.N + BN - 1) / BN);
  HTP_CHECK(tiles <= std::numeric_limits<int>::max(), op, ": ", p.M, " x ", p.N, " is too large an output");
  for (int64_t batch0 = 0; batch0 < p.batch; batch0 += kMaxGridZ) {
    const int64_t entries = p.batch - batch0 < kMaxGridZ ? p.batch - batch0 : kMaxGridZ;
    launch(dim3(static_cast<unsigned>(tiles), 1, static_cast<unsigned>(entries)), static_cast<int>(batch0));
    check_launch(op);
  }
}

}  // namespace htp::kernels::cuda::gemm_detail
