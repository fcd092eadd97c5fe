// The implicit GEMM kernel behind conv2d's forward and backward passes (kernels/cuda/conv.cu):
//   C_g[M, N] = sum over k in this block's split of A_g[M, k] B_g[k, N], for every group g,
// with A and B fetched on the fly by loaders (kernels/cuda/conv_operands.cuh) and C written by an epilogue.
//
// Block tile BM x BN, k step BK, 256 threads as 16 x 16, each thread accumulating a TM x TN = BM/16 x BN/16 register
// block: rows ty 4 + {0..3} + 64 c and columns tx 4 + {0..3} + 64 c (so the 16 threads of a half-warp read 64
// consecutive floats of a shared row as 16-byte vectors, and a thread's values are 4-wide vectors too).
// Double buffering: the loaders fetch step t+1 into registers while the block multiplies step t out of one shared
// buffer, then store into the other; one __syncthreads per step.
// Grid: x over N tiles, y over M tiles, z over groups x splits; split s covers k in [s k_chunk, (s+1) k_chunk).
// __launch_bounds__(256, 2) caps registers at 128 so that two blocks share a multiprocessor (ptxas then spills a few
// dozen bytes of the 128x128 tile's per-thread state on sm_90, none on sm_80).
// Accumulation is in T (float32 stays float32, like the CPU's GEMM), in a fixed order: results are deterministic.
#pragma once
#include "kernels/cuda/conv_operands.cuh"

namespace htp::kernels::cuda::conv {

// A block tile. 128x128x8 (8x8 per thread) for large GEMMs, 64x128x8 (4x8) when M (channels per group) is at most
// 64, 64x64x16 (4x4) for GEMMs too small to fill the device with larger tiles, and for float64.
template <int BM_, int BN_, int BK_>
struct Tile {
  static constexpr int BM = BM_, BN = BN_, BK = BK_, TM = BM / 16, TN = BN / 16;
  static_assert(TM % 4 == 0 && TN % 4 == 0, "register blocks are made of 4-wide vectors");
};
using Tile128 = Tile<128, 128, 8>;
using Tile64x128 = Tile<64, 128, 8>;
using Tile64 = Tile<64, 64, 16>;

struct GemmExtent {
  int M, N, K;
  int splits, k_chunk;  // split-K: blockIdx.z = g splits + s
};

// Four consecutive shared-memory elements (16-byte aligned) as vector loads.
__device__ __forceinline__ void load4(const float* p, float* out) {
  const float4 v = *reinterpret_cast<const float4*>(p);
  out[0] = v.x;
  out[1] = v.y;
  out[2] = v.z;
  out[3] = v.w;
}
__device__ __forceinline__ void load4(const double* p, double* out) {
  const double2 lo = reinterpret_cast<const double2*>(p)[0], hi = reinterpret_cast<const double2*>(p)[1];
  out[0] = lo.x;
  out[1] = lo.y;
  out[2] = hi.x;
  out[3] = hi.y;
}

template <class T, class TileT, class A, class B, class Epi>
__global__ void __launch_bounds__(kGemmThreads, 2) implicit_gemm_kernel(const A a, const B b, const Epi epi,
                                                                     const GemmExtent e) {
  constexpr int BM = TileT::BM, BN = TileT::BN, BK = TileT::BK, TM = TileT::TM, TN = TileT::TN;
  __shared__ __align__(16) T As[2][BK][BM + kPad];
  __shared__ __align__(16) T Bs[2][BK][BN + kPad];

  const int tid = threadIdx.x, ty = tid / 16, tx = tid % 16;
  const int g = blockIdx.z / e.splits, split = blockIdx.z % e.splits;
  const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
  const int k_begin = split * e.k_chunk, k_end = min(e.K, k_begin + e.k_chunk);
  const int steps = k_end > k_begin ? (k_end - k_begin + BK - 1) / BK : 0;

  const typename A::Cursor ca = a.begin(g, m0, tid);
  const typename B::Cursor cb = b.begin(g, n0, tid);
  T ra[A::kPer], rb[B::kPer];
  T acc[TM][TN];
#pragma unroll
  for (int i = 0; i < TM; ++i)
#pragma unroll
    for (int j = 0; j < TN; ++j) acc[i][j] = T(0);

  if (steps > 0) {
    a.load(ca, k_begin, k_end, ra);
    b.load(cb, k_begin, k_end, rb);
    a.put(ca, &As[0][0][0], ra);
    b.put(cb, &Bs[0][0][0], rb);
  }
  __syncthreads();
  for (int t = 0; t < steps; ++t) {
    const int buf = t & 1;
    const bool more = t + 1 < steps;
    if (more) {  // in flight while this step multiplies
      a.load(ca, k_begin + (t + 1) * BK, k_end, ra);
      b.load(cb, k_begin + (t + 1) * BK, k_end, rb);
    }
#pragma unroll
    for (int kk = 0; kk < BK; ++kk) {
      T fa[TM], fb[TN];
#pragma unroll
      for (int c = 0; c < TM / 4; ++c) load4(&As[buf][kk][c * 64 + ty * 4], fa + c * 4);
#pragma unroll
      for (int c = 0; c < TN / 4; ++c) load4(&Bs[buf][kk][c * 64 + tx * 4], fb + c * 4);
#pragma unroll
      for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; ++j) acc[i][j] += fa[i] * fb[j];
    }
    if (more) {  // the other buffer was last read in step t-1, before that step's barrier
      a.put(ca, &As[buf ^ 1][0][0], ra);
      b.put(cb, &Bs[buf ^ 1][0][0], rb);
    }
    __syncthreads();
  }

  int64_t col[TN];
  bool col_ok[TN];
#pragma unroll
  for (int j = 0; j < TN; ++j) {
    const int n = n0 + (j / 4) * 64 + tx * 4 + j % 4;
    col_ok[j] = n < e.N;
    col[j] = col_ok[j] ? epi.column(n) : 0;
  }
#pragma unroll
  for (int i = 0; i < TM; ++i) {
    const int m = m0 + (i / 4) * 64 + ty * 4 + i % 4;
    if (m >= e.M) continue;
    T* row = epi.row(g, split, m);
    const T bias = epi.row_bias(g, m);
#pragma unroll
    for (int j = 0; j < TN; ++j)
      if (col_ok[j]) row[col[j]] = acc[i][j] + bias;
  }
}

}  // namespace htp::kernels::cuda::conv
