// Our SIMT GEMM (CUDA cores, exact FP32 / FP64 arithmetic): the classic shared-memory tiled kernel with register
// blocking, 16-byte loads and double-buffered shared memory (the 2D block-tiled, vectorised, double-buffered kernels
// of https://siboehm.com/articles/22/CUDA-MMM, and CUTLASS's SIMT SGEMM).
//
// One kernel template for both types, with V = 16 bytes / sizeof(T) elements per pack (4 floats, 2 doubles):
//   block tile  BM x BN x BK = 32V x 32V x 8   (float32 128 x 128 x 8, float64 64 x 64 x 8), 256 threads
//   thread tile 2V x 2V outputs (8 x 8 floats, 4 x 4 doubles) in registers: thread (ty, tx) of the 16 x 16 grid
//               owns rows {ty·V + i, BM/2 + ty·V + i} and columns {tx·V + j, BN/2 + tx·V + j}, i, j < V. Split halves
//               (rather than 2V consecutive rows) make the shared-memory reads of a warp one 16-byte pack per thread
//               over 256 consecutive bytes of B (conflict-free) and two broadcast packs of A.
//   per k       one pack-pair of A's column and B's row from shared memory, then (2V)² fused multiply-adds.
// Shared memory holds two BK-row slices of A^T and B (gemm_tile.cuh), rows padded by one pack so that the scattered
// stores of a row-major A (k-contiguous packs) fall in distinct banks; while the block computes on one slice, each
// thread's global loads of the next are in flight, and they are stored into the other buffer afterwards, so one
// __syncthreads per slice suffices. Outputs are written (or added, when accumulating) in 16-byte packs when C's rows
// allow it. Summation order over k is sequential per output, in FP32 for float32 and FP64 for float64.
// Occupancy: __launch_bounds__(256, 2) holds a thread to 128 registers so that two blocks share a multiprocessor
// (ptxas -v: 128 registers for float32, about 115 for float64, no spills, on sm_80 and sm_90).
#include "kernels/cuda/gemm_launch.h"
#include "kernels/cuda/gemm_tile.cuh"

namespace htp::kernels::cuda {
namespace {

using gemm_detail::Identity;
using gemm_detail::kGemmThreads;
using gemm_detail::Pack;
using gemm_detail::Panel;
using gemm_detail::TileLoader;

template <class T>
struct SimtTile {
  static constexpr int V = Pack<T>::kSize;
  static constexpr int BM = 32 * V, BN = 32 * V, BK = 8;
  static constexpr int LDA = BM + V, LDB = BN + V;  // padded shared rows
};

template <class T, bool KcA, bool KcB>
__global__ void __launch_bounds__(kGemmThreads, 2)
    simt_gemm_kernel(Panel<T> A, Panel<T> B, T* C, int M, int N, int K, int batch0, bool c_packed, bool accumulate) {
  using Tile = SimtTile<T>;
  constexpr int V = Tile::V, BM = Tile::BM, BN = Tile::BN, BK = Tile::BK, LDA = Tile::LDA, LDB = Tile::LDB;
  __shared__ __align__(16) T As[2][BK * LDA];
  __shared__ __align__(16) T Bs[2][BK * LDB];

  const int tile = static_cast<int>(blockIdx.x), tiles_n = (N + BN - 1) / BN;
  const int m0 = tile / tiles_n * BM, n0 = tile % tiles_n * BN;
  const int64_t entry = static_cast<int64_t>(batch0) + blockIdx.z;
  const T* a = A.p + entry * A.batch_stride;
  const T* b = B.p + entry * B.batch_stride;
  T* c = C + entry * M * N;
  const int tx = static_cast<int>(threadIdx.x) % 16, ty = static_cast<int>(threadIdx.x) / 16;

  TileLoader<T, BK, BM, KcA> load_a;
  TileLoader<T, BK, BN, KcB> load_b;
  load_a.load(A, a, K, M, 0, m0);
  load_b.load(B, b, K, N, 0, n0);
  load_a.template store<LDA>(As[0], Identity{});
  load_b.template store<LDB>(Bs[0], Identity{});
  __syncthreads();

  T acc[2 * V][2 * V];
#pragma unroll
  for (int i = 0; i < 2 * V; ++i)
#pragma unroll
    for (int j = 0; j < 2 * V; ++j) acc[i][j] = T(0);

  const int slices = (K + BK - 1) / BK;
  for (int s = 0; s < slices; ++s) {
    const int cur = s & 1;
    const bool more = s + 1 < slices;
    if (more) {  // the next slice's global loads overlap the arithmetic below
      load_a.load(A, a, K, M, (s + 1) * BK, m0);
      load_b.load(B, b, K, N, (s + 1) * BK, n0);
    }
#pragma unroll
    for (int k = 0; k < BK; ++k) {
      const T* as = As[cur] + k * LDA;
      const T* bs = Bs[cur] + k * LDB;
      const Pack<T> a_lo = *reinterpret_cast<const Pack<T>*>(as + ty * V);
      const Pack<T> a_hi = *reinterpret_cast<const Pack<T>*>(as + BM / 2 + ty * V);
      const Pack<T> b_lo = *reinterpret_cast<const Pack<T>*>(bs + tx * V);
      const Pack<T> b_hi = *reinterpret_cast<const Pack<T>*>(bs + BN / 2 + tx * V);
#pragma unroll
      for (int i = 0; i < 2 * V; ++i) {
        const T ai = i < V ? a_lo.v[i] : a_hi.v[i - V];
#pragma unroll
        for (int j = 0; j < 2 * V; ++j) acc[i][j] += ai * (j < V ? b_lo.v[j] : b_hi.v[j - V]);
      }
    }
    if (more) {  // nobody reads the other buffer any more: the previous slice's barrier has passed
      load_a.template store<LDA>(As[cur ^ 1], Identity{});
      load_b.template store<LDB>(Bs[cur ^ 1], Identity{});
    }
    __syncthreads();
  }

#pragma unroll
  for (int i = 0; i < 2 * V; ++i) {
    const int m = m0 + (i < V ? ty * V + i : BM / 2 + ty * V + i - V);
    if (m >= M) continue;
    T* row = c + static_cast<int64_t>(m) * N;
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const int n = n0 + h * (BN / 2) + tx * V;
      Pack<T> out;
#pragma unroll
      for (int j = 0; j < V; ++j) out.v[j] = acc[i][h * V + j];
      if (c_packed && n + V <= N) {
        Pack<T>* dst = reinterpret_cast<Pack<T>*>(row + n);
        if (accumulate) {
          const Pack<T> old = *dst;
#pragma unroll
          for (int j = 0; j < V; ++j) out.v[j] += old.v[j];
        }
        *dst = out;
      } else {
#pragma unroll
        for (int j = 0; j < V; ++j)
          if (n + j < N) row[n + j] = accumulate ? row[n + j] + out.v[j] : out.v[j];
      }
    }
  }
}

template <class T>
void launch_simt(const GemmProblem& p, cudaStream_t s, const char* op) {
  using Tile = SimtTile<T>;
  const Panel<T> A = gemm_detail::panel_a<T>(p.a), B = gemm_detail::panel_b<T>(p.b);
  T* C = static_cast<T*>(p.c);
  const bool c_packed = reinterpret_cast<uintptr_t>(C) % 16 == 0 && p.N % Tile::V == 0;
  gemm_detail::with_layouts(A, B, [&](auto a_kc, auto b_kc) {
    gemm_detail::launch_tiles(p, Tile::BM, Tile::BN, op, [&](dim3 grid, int batch0) {
      simt_gemm_kernel<T, a_kc(), b_kc()>
          <<<grid, kGemmThreads, 0, s>>>(A, B, C, p.M, p.N, p.K, batch0, c_packed, p.accumulate);
    });
  });
}

}  // namespace

void gemm_simt_f32(const GemmProblem& p, cudaStream_t s) { launch_simt<float>(p, s, "matmul (SIMT float32)"); }
void gemm_simt_f64(const GemmProblem& p, cudaStream_t s) { launch_simt<double>(p, s, "matmul (SIMT float64)"); }

}  // namespace htp::kernels::cuda
