// GEMM driver, BLIS/GotoBLAS style: C = alpha * op(A) * op(B) + beta * C, row-major.
//
// Work is cut into mr x nr tiles of C computed by a register-blocked micro-kernel (gemm_microkernel.h) from packed
// panels: op(A) as mr-row panels, op(B) as nr-column panels, both k-major and zero-padded at the edges, so the kernel
// always runs a full tile and masks only its C store. K is cut into equal k-blocks of depth kc <= micro_kernel::kc;
// the first k-block blends with the caller's beta, the later ones accumulate (beta = 1).
//
// Two parallel schemes on the parallel.h pool, one fork/join each, both giving each thread whole tiles of C:
//   row split (the general case) - thread t takes rows [M t / T, M (t+1) / T) in mr panels and all columns. For each
//     k-block (pc) and each block of <= mc of its rows (ic) it packs that A block privately, then walks B in
//     sub-blocks of l2_panels panels (jr blocks): for each A panel (ir), for each B panel of the sub-block, one
//     micro-kernel call. The A panel stays in L1 across the sub-block and the sub-block stays in L2 across the A
//     panels. B is packed once into a shared buffer, panel by panel on first use, by whichever thread gets there first
//     (an atomic flag per panel; threads start on different sub-blocks, so they mostly pack disjoint halves). The
//     buffer holds a "round" of B (<= kRoundBytes): all columns if one k-block of them fits, then as many k-blocks as
//     fit, so most products take one round; big ones pack B once per (k-block group, column range) as in GotoBLAS.
//   column split - when op(A) fits one A block (M <= mc) and splitting the columns balances at least as well: each
//     thread packs all of op(A) per k-block and streams its own B panels through a one-panel L1 buffer. This is the
//     im2col-convolution shape (few output channels, many pixels) and needs no shared buffer.
//
// Block sizes for Zen 5 (48 KiB L1d and 1 MiB L2 per core, 32 MiB shared L3), float AVX-512 14 x 32 tile:
//   kc = 384: the 14 x kc A panel (21 KiB) fits L1 next to the B panel's stream (128 B per k-step); a deep kc makes
//             the C tile's load/store (once per k-block) negligible;
//   kL2Bytes = 768 KiB: 16 B panels of kc x 32 floats (48 KiB each) stay in the 1 MiB L2 while the A panels pass;
//   mc = 336 (24 panels of 14): bounds the private A block to 504 KiB;
//   kRoundBytes = 8 MiB: the packed B round lives in the shared L3 and both threads read it.
// Measured on 2 threads: kc 256..512 and mc 168..1344 land within a few percent of each other; the ir-outer / jr-inner
// order with L2 sub-blocks beat the classic jr-outer order by 4-7 % at n = 2048, and packing B on first use instead
// of in a separate parallel phase gained 10-15 % on the mid-sized ResNet shapes (one fork/join instead of two).
//
// Determinism: the k-blocks and rounds depend only on M, N, K; each C element is one accumulator summed in ascending k
// inside a micro-kernel, then blended with C once per k-block in ascending order. So the result is bitwise the same
// for any thread count and either split (it does depend on the ISA path).
#include "kernels/cpu/gemm.h"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "kernels/cpu/gemm_microkernel.h"
#include "kernels/cpu/parallel.h"

namespace htp::kernels::cpu {
namespace {

using gemm_detail::micro_kernel;

constexpr int64_t kRoundBytes = int64_t{8} << 20;  // shared packed B per round
constexpr int64_t kL2Bytes = int64_t{768} << 10;    // B sub-block kept in L2 by the row split
// Multiply-adds per thread below which another thread costs more (a fork/join) than it saves.
constexpr int64_t kMinWorkPerThread = int64_t{1} << 21;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Portable micro-kernel: plain loops over a small tile that the compiler unrolls and vectorises for the baseline ISA.
template <typename T, int MR, int NR>
void portable_kernel(int64_t kc, const T* a, const T* b, T* c, int64_t ldc, int64_t m, int64_t n, T alpha, T beta) {
  T acc[MR][NR] = {};
  for (int64_t k = 0; k < kc; ++k, a += MR, b += NR)
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NR; ++j) acc[i][j] += a[i] * b[j];
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      T& out = c[i * ldc + j];
      out = beta == 0 ? alpha * acc[i][j] : alpha * acc[i][j] + beta * out;
    }
}

template <typename T>
micro_kernel<T> portable_micro_kernel() {
  return {4, 8, 256, 128, portable_kernel<T, 4, 8>, gemm_detail::pack_panel_portable};
}

template <typename T>
micro_kernel<T> micro_kernel_for(Isa isa);
template <>
micro_kernel<float> micro_kernel_for<float>(Isa isa) {
  switch (isa) {
    case Isa::avx512: return gemm_detail::sgemm_kernel_avx512();
    case Isa::avx2: return gemm_detail::sgemm_kernel_avx2();
    default: return portable_micro_kernel<float>();
  }
}
template <>
micro_kernel<double> micro_kernel_for<double>(Isa isa) {
  switch (isa) {
    case Isa::avx512: return gemm_detail::dgemm_kernel_avx512();
    case Isa::avx2: return gemm_detail::dgemm_kernel_avx2();
    default: return portable_micro_kernel<double>();
  }
}

// Grow-only, 64-byte aligned scratch; one per thread and element type, kept across calls.
template <typename T>
class scratch {
 public:
  scratch() = default;
  scratch(const scratch&) = delete;
  scratch& operator=(const scratch&) = delete;
  ~scratch() { release(); }
  T* reserve(int64_t n) {
    if (n > size_) {
      release();
      data_ = static_cast<T*>(::operator new(static_cast<size_t>(n) * sizeof(T), std::align_val_t{64}));
      size_ = n;
    }
    return data_;
  }

 private:
  void release() {
    if (data_) ::operator delete(data_, std::align_val_t{64});
    data_ = nullptr;
    size_ = 0;
  }
  T* data_ = nullptr;
  int64_t size_ = 0;
};

template <typename T>
T* a_scratch(int64_t n) {
  thread_local scratch<T> s;
  return s.reserve(n);
}
template <typename T>
T* b_scratch(int64_t n) {
  thread_local scratch<T> s;
  return s.reserve(n);
}
template <typename T>
T* panel_scratch(int64_t n) {
  thread_local scratch<T> s;
  return s.reserve(n);
}

template <typename T>
void pack_panel(T* dst, int w, const T* src, int64_t sk, int64_t sx, int64_t kc, int64_t valid) {
  if (sx == 1) {
    for (int64_t k = 0; k < kc; ++k) {
      const T* s = src + k * sk;
      T* d = dst + k * w;
      for (int64_t x = 0; x < valid; ++x) d[x] = s[x];
      for (int64_t x = valid; x < w; ++x) d[x] = T(0);
    }
    return;
  }
  // Transposing copy, 16 k at a time so each source line is read once and the destination block stays in L1.
  constexpr int64_t kStep = 16;
  for (int64_t k0 = 0; k0 < kc; k0 += kStep) {
    const int64_t kb = std::min(kStep, kc - k0);
    T* d = dst + k0 * w;
    for (int64_t x = 0; x < valid; ++x) {
      const T* s = src + x * sx + k0 * sk;
      for (int64_t k = 0; k < kb; ++k) d[k * w + x] = s[k * sk];
    }
    for (int64_t k = 0; k < kb; ++k)
      for (int64_t x = valid; x < w; ++x) d[k * w + x] = T(0);
  }
}

template <typename T>
void scale_c(int64_t M, int64_t N, T beta, T* C, int64_t ldc) {
  for (int64_t i = 0; i < M; ++i) {
    T* row = C + i * ldc;
    if (beta == 0)
      std::fill(row, row + N, T(0));
    else if (beta != 1)
      for (int64_t j = 0; j < N; ++j) row[j] *= beta;
  }
}

void check_args(const char* name, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const void* A,
                int64_t lda, const void* B, int64_t ldb, const void* C, int64_t ldc) {
  const std::string fn = name;
  if (M < 0 || N < 0 || K < 0)
    throw std::invalid_argument(fn + ": sizes must be >= 0, got M=" + std::to_string(M) + " N=" + std::to_string(N) +
                                " K=" + std::to_string(K));
  auto check_ld = [&](const char* ld_name, int64_t ld, int64_t width, const char* what) {
    if (ld < width)
      throw std::invalid_argument(fn + ": " + ld_name + " (" + std::to_string(ld) + ") must be >= " +
                                  std::to_string(width) + " (" + what + ")");
  };
  check_ld("lda", lda, trans_a ? M : K, trans_a ? "M, the row length of A when trans_a" : "K, the row length of A");
  check_ld("ldb", ldb, trans_b ? K : N, trans_b ? "K, the row length of B when trans_b" : "N, the row length of B");
  check_ld("ldc", ldc, N, "N, the row length of C");
  auto check_ptr = [&](const char* p_name, const void* p, bool needed) {
    if (!p && needed) throw std::invalid_argument(fn + ": " + p_name + " is null but the matrix is not empty");
  };
  check_ptr("A", A, M > 0 && K > 0);
  check_ptr("B", B, K > 0 && N > 0);
  check_ptr("C", C, M > 0 && N > 0);
}

// Threads for a product of this size: all of the pool's, fewer when there is too little work, one when nested.
int64_t threads_for(int64_t M, int64_t N, int64_t K) {
  if (in_parallel_region()) return 1;
  const double work = double(M) * double(N) * double(K);
  return std::clamp<int64_t>(static_cast<int64_t>(work / kMinWorkPerThread), 1, num_threads());
}

// The operands of one call, with op() folded into strides: op(A)[i][k] = a[i*a_si + k*a_sk], op(B)[k][j] likewise.
template <typename T>
struct operands {
  int64_t M, N, K;
  T alpha;
  const T* a;
  int64_t a_si, a_sk;
  const T* b;
  int64_t b_sk, b_sj;
  T beta;
  T* c;
  int64_t ldc;
};

// k-blocks: K in equal blocks of at most uk.kc (depends on K only, which keeps the result thread-count independent).
struct k_blocking {
  int64_t blocks, kc;
  k_blocking(int64_t K, int64_t max_kc) : blocks(ceil_div(K, max_kc)), kc(ceil_div(K, blocks)) {}
};

// The mr-row panels [ip0, ip1) of op(A), k in [k0, k0+kcp), packed back to back (panel p at ap + p*mr*kcp).
template <typename T>
void pack_a_rows(const micro_kernel<T>& uk, const operands<T>& op, int64_t ip0, int64_t ip1, int64_t k0, int64_t kcp,
                 T* ap) {
  for (int64_t ip = ip0; ip < ip1; ++ip) {
    const int64_t r0 = ip * uk.mr;
    uk.pack(ap + (ip - ip0) * uk.mr * kcp, uk.mr, op.a + r0 * op.a_si + k0 * op.a_sk, op.a_sk, op.a_si, kcp,
            std::min<int64_t>(uk.mr, op.M - r0));
  }
}

// The nr-column panel jq of op(B), k in [k0, k0+kcp).
template <typename T>
void pack_b_panel(const micro_kernel<T>& uk, const operands<T>& op, int64_t jq, int64_t k0, int64_t kcp, T* bp) {
  const int64_t c0 = jq * uk.nr;
  uk.pack(bp, uk.nr, op.b + k0 * op.b_sk + c0 * op.b_sj, op.b_sk, op.b_sj, kcp, std::min<int64_t>(uk.nr, op.N - c0));
}

// One mr x nr tile of C over one k-block: row panel ip (packed at a) times column panel jq (packed at b).
template <typename T>
void tile(const micro_kernel<T>& uk, const operands<T>& op, int64_t ip, const T* a, int64_t jq, const T* b, int64_t kcp,
          T beta) {
  const int64_t r0 = ip * uk.mr, c0 = jq * uk.nr;
  uk.fn(kcp, a, b, op.c + r0 * op.ldc + c0, op.ldc, std::min<int64_t>(uk.mr, op.M - r0),
        std::min<int64_t>(uk.nr, op.N - c0), op.alpha, beta);
}

// Row split with a shared packed B, one fork/join per round: the round's B panels are packed on first use by
// whichever thread needs them first (claimed with an atomic flag; a thread that finds a panel being packed waits
// for it), then read by all. Threads start on different B sub-blocks, so each mostly packs its own share.
template <typename T>
void gemm_row_split(const micro_kernel<T>& uk, const operands<T>& op, int64_t threads) {
  const k_blocking kb(op.K, uk.kc);
  const int64_t kc = kb.kc, nr = uk.nr;
  const int64_t mp = ceil_div(op.M, uk.mr), np_all = ceil_div(op.N, nr);

  // Round shape: the widest column range that holds one k-block, then as many k-blocks as fit.
  const int64_t round_elems = kRoundBytes / static_cast<int64_t>(sizeof(T));
  const int64_t n_rounds = ceil_div(np_all, std::clamp<int64_t>(round_elems / (kc * nr), 1, np_all));
  const int64_t round_panels = ceil_div(np_all, n_rounds);
  const int64_t round_blocks = std::clamp<int64_t>(round_elems / (kc * nr * round_panels), 1, kb.blocks);
  T* bp = b_scratch<T>(std::min(op.K, round_blocks * kc) * round_panels * nr);
  const int64_t l2_panels = std::max<int64_t>(1, kL2Bytes / (kc * nr * static_cast<int64_t>(sizeof(T))));

  for (int64_t jq0 = 0; jq0 < np_all; jq0 += round_panels) {
    const int64_t nps = std::min(round_panels, np_all - jq0);
    const int64_t n_sub = ceil_div(nps, l2_panels);
    for (int64_t p0 = 0; p0 < kb.blocks; p0 += round_blocks) {
      const int64_t p1 = std::min(kb.blocks, p0 + round_blocks);
      // k-block p (depth kcp) starts at row (p - p0) * kc of the round's buffer and holds nps panels of kcp x nr.
      enum : uint8_t { empty, packing, ready };
      std::vector<std::atomic<uint8_t>> state(static_cast<size_t>((p1 - p0) * nps));
      auto b_panel = [&](int64_t p, int64_t jq) {
        const int64_t kcp = std::min(kc, op.K - p * kc);
        T* panel = bp + (p - p0) * kc * nps * nr + (jq - jq0) * kcp * nr;
        std::atomic<uint8_t>& s = state[static_cast<size_t>((p - p0) * nps + (jq - jq0))];
        uint8_t seen = s.load(std::memory_order_acquire);
        if (seen == empty && s.compare_exchange_strong(seen, packing, std::memory_order_acquire)) {
          pack_b_panel(uk, op, jq, p * kc, kcp, panel);
          s.store(ready, std::memory_order_release);
        }
        while (s.load(std::memory_order_acquire) != ready) std::this_thread::yield();
        return panel;
      };

      parallel_for(0, threads, 1, [&](int64_t t0, int64_t t1) {
        for (int64_t t = t0; t < t1; ++t) {
          const int64_t ip0 = mp * t / threads, ip1 = mp * (t + 1) / threads;
          if (ip0 == ip1) continue;
          const int64_t ic_panels = ceil_div(ip1 - ip0, ceil_div((ip1 - ip0) * uk.mr, uk.mc));
          T* ap = a_scratch<T>(ic_panels * uk.mr * kc);
          for (int64_t p = p0; p < p1; ++p) {
            const int64_t k0 = p * kc, kcp = std::min(kc, op.K - k0);
            const T beta = p == 0 ? op.beta : T(1);
            for (int64_t ib = ip0; ib < ip1; ib += ic_panels) {
              const int64_t ie = std::min(ip1, ib + ic_panels);
              pack_a_rows(uk, op, ib, ie, k0, kcp, ap);
              // B in sub-blocks that stay in L2 (thread t starts at sub-block t n_sub / T), each A panel staying in
              // L1 across a sub-block.
              for (int64_t s = 0; s < n_sub; ++s) {
                const int64_t jb = jq0 + (s + n_sub * t / threads) % n_sub * l2_panels;
                const int64_t je = std::min(jq0 + nps, jb + l2_panels);
                for (int64_t ip = ib; ip < ie; ++ip)
                  for (int64_t jq = jb; jq < je; ++jq)
                    tile(uk, op, ip, ap + (ip - ib) * uk.mr * kcp, jq, b_panel(p, jq), kcp, beta);
              }
            }
          }
        }
      });
    }
  }
}

// Column split, everything private (op(A) fits one A block): each thread packs all of op(A) per k-block and its own
// columns of B one panel at a time into L1, with no synchronisation beyond the one parallel_for.
template <typename T>
void gemm_column_split(const micro_kernel<T>& uk, const operands<T>& op, int64_t threads) {
  const k_blocking kb(op.K, uk.kc);
  const int64_t mp = ceil_div(op.M, uk.mr), np_all = ceil_div(op.N, uk.nr);
  parallel_for(0, threads, 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t jq0 = np_all * t / threads, jq1 = np_all * (t + 1) / threads;
      if (jq0 == jq1) continue;
      T* ap = a_scratch<T>(mp * uk.mr * kb.kc);
      T* bp = panel_scratch<T>(kb.kc * uk.nr);
      for (int64_t p = 0; p < kb.blocks; ++p) {
        const int64_t k0 = p * kb.kc, kcp = std::min(kb.kc, op.K - k0);
        const T beta = p == 0 ? op.beta : T(1);
        pack_a_rows(uk, op, 0, mp, k0, kcp, ap);
        for (int64_t jq = jq0; jq < jq1; ++jq) {
          pack_b_panel(uk, op, jq, k0, kcp, bp);
          for (int64_t ip = 0; ip < mp; ++ip) tile(uk, op, ip, ap + ip * uk.mr * kcp, jq, bp, kcp, beta);
        }
      }
    }
  });
}

template <typename T>
void gemm(const micro_kernel<T>& uk, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A,
          int64_t lda, const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0 || alpha == 0) {
    scale_c(M, N, beta, C, ldc);
    return;
  }
  const operands<T> op{M,     N, K, alpha, A, trans_a ? 1 : lda, trans_a ? lda : 1, B, trans_b ? 1 : ldb,
                       trans_b ? ldb : 1, beta, C, ldc};
  const int64_t threads = threads_for(M, N, K);
  // Column split when op(A) is one A block and splitting the columns leaves the busiest thread no more tiles.
  const int64_t mp = ceil_div(M, uk.mr), np = ceil_div(N, uk.nr);
  if (M <= uk.mc && ceil_div(np, threads) * mp <= ceil_div(mp, threads) * np)
    gemm_column_split(uk, op, threads);
  else
    gemm_row_split(uk, op, threads);
}

void require_isa(const char* name, Isa isa) {
  if (static_cast<int>(isa) > static_cast<int>(best_isa()))
    throw std::invalid_argument(std::string(name) + ": ISA " + isa_name(isa) +
                                " is not available (CPU support or HTP_CPU_ISA cap); best is " + isa_name(best_isa()));
}

}  // namespace

namespace gemm_detail {
void pack_panel_portable(float* dst, int w, const float* src, int64_t sk, int64_t sx, int64_t kc, int64_t valid) {
  pack_panel(dst, w, src, sk, sx, kc, valid);
}
void pack_panel_portable(double* dst, int w, const double* src, int64_t sk, int64_t sx, int64_t kc, int64_t valid) {
  pack_panel(dst, w, src, sk, sx, kc, valid);
}
}  // namespace gemm_detail

void sgemm_isa(Isa isa, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
               int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  require_isa("sgemm_isa", isa);
  check_args("sgemm", trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc);
  gemm(micro_kernel_for<float>(isa), trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void dgemm_isa(Isa isa, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, double alpha, const double* A,
               int64_t lda, const double* B, int64_t ldb, double beta, double* C, int64_t ldc) {
  require_isa("dgemm_isa", isa);
  check_args("dgemm", trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc);
  gemm(micro_kernel_for<double>(isa), trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  sgemm_isa(best_isa(), trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void dgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, double alpha, const double* A, int64_t lda,
           const double* B, int64_t ldb, double beta, double* C, int64_t ldc) {
  dgemm_isa(best_isa(), trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace htp::kernels::cpu
