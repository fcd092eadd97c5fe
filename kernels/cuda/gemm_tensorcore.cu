// Our tensor-core GEMMs (sm_80 and sm_90), through the WMMA API: float32 operands rounded to TF32, and bfloat16
// operands; FP32 accumulation, C float32.
//
//   TF32  wmma m16n16k8,  A and B rounded to nearest (cvt.rna.tf32.f32, 10-bit mantissa) as they enter shared memory
//   BF16  wmma m16n16k16, A and B already bfloat16 (matmul.cu converts float32 operands once, round to nearest even)
//
// Tiling (one kernel template for both; T = float for TF32, __nv_bfloat16 for BF16; V = 16 bytes / sizeof(T)):
//   block tile  128 x 128 x BK with BK = 4V (16 floats / 32 bfloat16s: 64 bytes per shared row), 256 threads
//   warp tile   the 8 warps as 2 (m) x 4 (n), each 64 x 32 = 4 x 2 accumulator fragments of 16 x 16
//   per slice   BK / WK fragment steps: 4 A fragments (column-major, read from the A^T slice) and 2 B fragments,
//               8 mma_sync per warp per step
// Shared memory, two slices of A^T and B (gemm_tile.cuh), rows padded by one 16-byte pack (ldm a multiple of 16 bytes
// as WMMA requires, fragment pointers 32-byte aligned: checked by static_assert); the next slice's global loads are
// in flight during the current slice's mma_sync, as in gemm_simt.cu. The epilogue goes through a 16 x 16 staging
// area per warp (the accumulator's register layout is opaque) and writes C with bounds checks, adding the old value
// when accumulating.
// Occupancy: one block per multiprocessor (ptxas -v: 165-200 registers a thread; capping at 128 for two blocks
// spills). Not tuned further: no cp.async / ldmatrix pipeline, so expect it well below cuBLAS (bench_cuda_gemm).
#include <mma.h>

#include "kernels/cuda/gemm_launch.h"
#include "kernels/cuda/gemm_tile.cuh"

namespace htp::kernels::cuda {
namespace {

namespace wmma = nvcuda::wmma;
using gemm_detail::kGemmThreads;
using gemm_detail::Pack;
using gemm_detail::Panel;
using gemm_detail::TileLoader;

template <class T>
struct TensorCoreMath;

template <>
struct TensorCoreMath<float> {
  using Precision = wmma::precision::tf32;
  static constexpr int WK = 8;
  struct Round {
    __device__ __forceinline__ float operator()(float v) const { return wmma::__float_to_tf32(v); }
  };
};

template <>
struct TensorCoreMath<__nv_bfloat16> {
  using Precision = __nv_bfloat16;
  static constexpr int WK = 16;
  using Round = gemm_detail::Identity;
};

template <class T>
struct TensorCoreTile {
  static constexpr int V = Pack<T>::kSize;
  static constexpr int BM = 128, BN = 128, BK = 4 * V, WK = TensorCoreMath<T>::WK;
  static constexpr int LDA = BM + V, LDB = BN + V;
  static constexpr int kWarpsN = 4, WM = 64, WN = 32;  // warp grid 2 x 4, warp tile WM x WN
  static constexpr int FM = WM / 16, FN = WN / 16;     // fragments per warp tile
  static_assert(BK % WK == 0 && (WK * LDA * sizeof(T)) % 32 == 0 && (WK * LDB * sizeof(T)) % 32 == 0,
                "WMMA fragment pointers must stay 32-byte aligned from one k-step to the next");
  static_assert((LDA * sizeof(T)) % 16 == 0 && (LDB * sizeof(T)) % 16 == 0, "WMMA ldm must be a multiple of 16 bytes");
};

template <class T, bool KcA, bool KcB>
__global__ void __launch_bounds__(kGemmThreads)
    tensor_core_gemm_kernel(Panel<T> A, Panel<T> B, float* C, int M, int N, int K, int batch0, bool accumulate) {
#if defined(__CUDA_ARCH__)
#if __CUDA_ARCH__ >= 800
  using Tile = TensorCoreTile<T>;
  using Precision = typename TensorCoreMath<T>::Precision;
  using Round = typename TensorCoreMath<T>::Round;
  constexpr int BM = Tile::BM, BN = Tile::BN, BK = Tile::BK, WK = Tile::WK, LDA = Tile::LDA, LDB = Tile::LDB;
  constexpr int WM = Tile::WM, WN = Tile::WN, FM = Tile::FM, FN = Tile::FN;
  __shared__ __align__(128) T As[2][BK * LDA];
  __shared__ __align__(128) T Bs[2][BK * LDB];
  __shared__ __align__(128) float staging[kGemmThreads / 32][16 * 16];

  const int tile = static_cast<int>(blockIdx.x), tiles_n = (N + BN - 1) / BN;
  const int m0 = tile / tiles_n * BM, n0 = tile % tiles_n * BN;
  const int64_t entry = static_cast<int64_t>(batch0) + blockIdx.z;
  const T* a = A.p + entry * A.batch_stride;
  const T* b = B.p + entry * B.batch_stride;
  float* c = C + entry * M * N;
  const int warp = static_cast<int>(threadIdx.x) / 32, lane = static_cast<int>(threadIdx.x) % 32;
  const int wm = warp / Tile::kWarpsN * WM, wn = warp % Tile::kWarpsN * WN;

  TileLoader<T, BK, BM, KcA> load_a;
  TileLoader<T, BK, BN, KcB> load_b;
  load_a.load(A, a, K, M, 0, m0);
  load_b.load(B, b, K, N, 0, n0);
  load_a.template store<LDA>(As[0], Round{});
  load_b.template store<LDB>(Bs[0], Round{});
  __syncthreads();

  wmma::fragment<wmma::accumulator, 16, 16, WK, float> acc[FM][FN];
#pragma unroll
  for (int i = 0; i < FM; ++i)
#pragma unroll
    for (int j = 0; j < FN; ++j) wmma::fill_fragment(acc[i][j], 0.0f);

  const int slices = (K + BK - 1) / BK;
  for (int s = 0; s < slices; ++s) {
    const int cur = s & 1;
    const bool more = s + 1 < slices;
    if (more) {
      load_a.load(A, a, K, M, (s + 1) * BK, m0);
      load_b.load(B, b, K, N, (s + 1) * BK, n0);
    }
#pragma unroll
    for (int kk = 0; kk < BK; kk += WK) {
      wmma::fragment<wmma::matrix_a, 16, 16, WK, Precision, wmma::col_major> fa[FM];
      wmma::fragment<wmma::matrix_b, 16, 16, WK, Precision, wmma::row_major> fb[FN];
#pragma unroll
      for (int i = 0; i < FM; ++i) wmma::load_matrix_sync(fa[i], As[cur] + kk * LDA + wm + i * 16, LDA);
#pragma unroll
      for (int j = 0; j < FN; ++j) wmma::load_matrix_sync(fb[j], Bs[cur] + kk * LDB + wn + j * 16, LDB);
#pragma unroll
      for (int i = 0; i < FM; ++i)
#pragma unroll
        for (int j = 0; j < FN; ++j) wmma::mma_sync(acc[i][j], fa[i], fb[j], acc[i][j]);
    }
    if (more) {
      load_a.template store<LDA>(As[cur ^ 1], Round{});
      load_b.template store<LDB>(Bs[cur ^ 1], Round{});
    }
    __syncthreads();
  }

  float* stage = staging[warp];
#pragma unroll
  for (int i = 0; i < FM; ++i) {
#pragma unroll
    for (int j = 0; j < FN; ++j) {
      wmma::store_matrix_sync(stage, acc[i][j], 16, wmma::mem_row_major);
      __syncwarp();
      for (int e = lane; e < 16 * 16; e += 32) {
        const int m = m0 + wm + i * 16 + e / 16, n = n0 + wn + j * 16 + e % 16;
        if (m < M && n < N) {
          float* dst = c + static_cast<int64_t>(m) * N + n;
          *dst = accumulate ? *dst + stage[e] : stage[e];
        }
      }
      __syncwarp();  // the next fragment overwrites the staging area
    }
  }
#else
  __trap();  // built for an architecture without TF32 / BF16 tensor cores
#endif
#endif
}

template <class T>
void launch_tensor_core(const GemmProblem& p, cudaStream_t s, const char* op) {
  using Tile = TensorCoreTile<T>;
  const Panel<T> A = gemm_detail::panel_a<T>(p.a), B = gemm_detail::panel_b<T>(p.b);
  float* C = static_cast<float*>(p.c);
  gemm_detail::with_layouts(A, B, [&](auto a_kc, auto b_kc) {
    gemm_detail::launch_tiles(p, Tile::BM, Tile::BN, op, [&](dim3 grid, int batch0) {
      tensor_core_gemm_kernel<T, a_kc(), b_kc()>
          <<<grid, kGemmThreads, 0, s>>>(A, B, C, p.M, p.N, p.K, batch0, p.accumulate);
    });
  });
}

}  // namespace

void gemm_tf32(const GemmProblem& p, cudaStream_t s) { launch_tensor_core<float>(p, s, "matmul (TF32)"); }
void gemm_bf16_tensor_core(const GemmProblem& p, cudaStream_t s) {
  launch_tensor_core<__nv_bfloat16>(p, s, "gemm_bf16");
}

}  // namespace htp::kernels::cuda
