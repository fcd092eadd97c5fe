// The operands of conv2d's three GEMMs (kernels/cpu/conv.h), read straight from x, weight and grad_out by the
// implicit GEMM kernel (kernels/cuda/conv_gemm.cuh): no im2col matrix is ever written.
//
// Per group g, with k = (c, a, b) the tap index of the weight layout [O, C/g, kh, kw] (k = (c kh + a) kw + b), Cg =
// C/groups, Og = O/groups, P = OH OW, and a pixel index n = (image, i, j) over the batch:
//   forward          Y_g[o, n]  = sum_k W_g[o, k] X_g[k, n]                      M = Og, N = batch P,   K = Cg kh kw
//                    X_g[(c, a, b), (img, i, j)] = x[img, g Cg + c, i s_h - p_h + a d_h, j s_w - p_w + b d_w]
//   backward input   GX_g[c, m] = sum_(o, a, b) W_g[o, (c, a, b)] GY_g[(o, a, b), m]   M = Cg, N = batch H W,
//                    m = (img, h, w), K = Og kh kw, GY_g[(o, a, b), (img, h, w)] = gy[img, g Og + o, i, j] for the
//                    output pixel (i, j) whose tap (a, b) reads (h, w): i = (h + p_h - a d_h) / s_h when exact and in
//                    [0, OH) (likewise j), else 0. This gathers from gy (the transposed convolution), so every output
//                    element is written by one thread: no atomics.
//   backward weight  GW_g[o, k] = sum_(img, i, j) GY_g[o, (img, i, j)] X_g[k, (img, i, j)]   M = Og, N = Cg kh kw,
//                    K = batch P (split over blocks, see conv.cu)
// x (and gy) entries outside the image read as 0. Every loader below returns 0 past the GEMM's edges too, so partial
// tiles need no special case in the kernel.
//
// A loader is a kernel parameter (read-only, the same for all threads) with
//   kPer                      elements each thread fetches per k step
//   Cursor begin(g, origin, tid)   the thread's fixed part of its elements (its tile lines), decoded once
//   load(cursor, k0, k_end, r)     global -> registers for the step starting at k0 (k >= k_end reads 0)
//   put(cursor, tile, r)           registers -> the shared tile [BK][BMN + kPad] (k-major)
// Two thread maps: KRun (the thread owns a tile line and kPer consecutive k: loads along k, for weights, gy rows and
// the pixels of one tap) and MNSpread (the thread owns a k row and kPer lines 256/BK apart, so a warp reads 32
// consecutive pixels: coalesced gathers).
#pragma once
#include <climits>
#include <cstdint>

namespace htp::kernels::cuda::conv {

inline constexpr int kGemmThreads = 256;  // 16 x 16 threads per block
inline constexpr int kPad = 4;            // shared tile row padding (keeps rows 16-byte aligned, spreads banks)
// A coordinate no image contains: lines outside the GEMM get it, so every bounds test fails without a flag.
inline constexpr int kFar = INT_MIN / 4;

// One convolution's sizes as 32-bit ints: the host checks that GEMM extents and per-image offsets fit.
struct ConvGeometry {
  int N, C, H, W;          // input
  int O, OH, OW;           // output
  int kh, kw, sh, sw, ph, pw, dh, dw;
  int G, Cg, Og;           // groups, input / output channels per group
  int HW, P, khw, K;       // H W, OH OW, kh kw, Cg kh kw
};

template <int BMN, int BK>
struct KRun {
  static constexpr int kPer = BMN * BK / kGemmThreads, kLanes = BK / kPer;
  static_assert(kPer >= 1 && BK % kPer == 0 && BMN * kLanes == kGemmThreads);
  int line, k_off;
  __device__ static KRun of(int tid) { return {tid / kLanes, (tid % kLanes) * kPer}; }
  template <class T>
  __device__ void put(T* tile, const T (&r)[kPer]) const {
#pragma unroll
    for (int j = 0; j < kPer; ++j) tile[(k_off + j) * (BMN + kPad) + line] = r[j];
  }
};

template <int BMN, int BK>
struct MNSpread {
  static constexpr int kSpread = kGemmThreads / BK, kPer = BMN / kSpread;
  static_assert(kGemmThreads % BK == 0 && BMN % kSpread == 0);
  int k_row, line0;  // lines line0 + j kSpread
  __device__ static MNSpread of(int tid) { return {tid / kSpread, tid % kSpread}; }
  template <class T>
  __device__ void put(T* tile, const T (&r)[kPer]) const {
#pragma unroll
    for (int j = 0; j < kPer; ++j) tile[k_row * (BMN + kPad) + line0 + j * kSpread] = r[j];
  }
};

// A[m, k] = base[g group_stride + (k / run) run_stride + m row_stride + k % run]: a row-major matrix whose k index
// is cut into runs of `run` contiguous elements.
//   forward          A[o, k] = W_g[o, k]                 run = K,     row_stride = K,     group_stride = Og K
//   backward input   A[c, (o, r)] = W_g[o, (c, r)]       run = kh kw, row_stride = kh kw, group_stride = Og K,
//                    r = (a, b)                          run_stride = K
//   backward weight  A[o, (img, p)] = GY_g[o, (img, p)]  run = P,     row_stride = P,     group_stride = Og P,
//                                                        run_stride = O P
template <class T, int BM, int BK>
struct RunRows {
  using Map = KRun<BM, BK>;
  static constexpr int kPer = Map::kPer;
  const T* base;
  int rows, run;
  int64_t run_stride, row_stride, group_stride;

  struct Cursor {
    Map map;
    const T* row;
    bool ok;
  };
  __device__ Cursor begin(int g, int m0, int tid) const {
    const Map map = Map::of(tid);
    const int m = m0 + map.line;
    const bool ok = m < rows;
    return {map, ok ? base + g * group_stride + static_cast<int64_t>(m) * row_stride : base, ok};
  }
  __device__ void load(const Cursor& c, int k0, int k_end, T (&r)[kPer]) const {
    const int k = k0 + c.map.k_off;
    int q = k / run, s = k - q * run;
#pragma unroll
    for (int j = 0; j < kPer; ++j) {
      r[j] = c.ok && k + j < k_end ? __ldg(c.row + q * run_stride + s) : T(0);
      if (++s == run) {
        s = 0;
        ++q;
      }
    }
  }
  __device__ void put(const Cursor& c, T* tile, const T (&r)[kPer]) const { c.map.put(tile, r); }
};

// Forward B: X_g[(c, a, b), (img, i, j)], k = tap (one per thread and step), lines = output pixels (fixed).
template <class T, int BN, int BK>
struct PatchRows {
  using Map = MNSpread<BN, BK>;
  static constexpr int kPer = Map::kPer;
  const T* x;
  ConvGeometry s;
  int cols;  // batch P

  // Per line: the image (x[img, g Cg] = group + img C H W) and the top-left corner of its receptive field. An int
  // image index rather than a pointer per line keeps the 128x128 tile's registers within two blocks per SM.
  struct Cursor {
    Map map;
    const T* group;          // x[0, g Cg]
    int img[kPer];
    int y0[kPer], x0[kPer];  // i s_h - p_h, j s_w - p_w
  };
  __device__ Cursor begin(int g, int n0, int tid) const {
    Cursor c;
    c.map = Map::of(tid);
    c.group = x + static_cast<int64_t>(g) * s.Cg * s.HW;
#pragma unroll
    for (int j = 0; j < kPer; ++j) {
      const int n = n0 + c.map.line0 + j * Map::kSpread;
      if (n < cols) {
        const int img = n / s.P, p = n - img * s.P, i = p / s.OW;
        c.img[j] = img;
        c.y0[j] = i * s.sh - s.ph;
        c.x0[j] = (p - i * s.OW) * s.sw - s.pw;
      } else {
        c.img[j] = 0;
        c.y0[j] = c.x0[j] = kFar;
      }
    }
    return c;
  }
  __device__ void load(const Cursor& c, int k0, int k_end, T (&r)[kPer]) const {
    const int k = k0 + c.map.k_row;
    const bool ok = k < k_end;
    const int ch = k / s.khw, t = k - ch * s.khw, a = t / s.kw, b = t - a * s.kw;
    const int off = ch * s.HW, dy = a * s.dh, dx = b * s.dw;
#pragma unroll
    for (int j = 0; j < kPer; ++j) {
      const int yy = c.y0[j] + dy, xx = c.x0[j] + dx;
      const bool in = ok && static_cast<unsigned>(yy) < static_cast<unsigned>(s.H) &&
                      static_cast<unsigned>(xx) < static_cast<unsigned>(s.W);
      r[j] = in ? __ldg(c.group + static_cast<int64_t>(c.img[j]) * s.C * s.HW + off + yy * s.W + xx) : T(0);
    }
  }
  __device__ void put(const Cursor& c, T* tile, const T (&r)[kPer]) const { c.map.put(tile, r); }
};

// Backward-weight B: the same X_g, transposed: k = pixel (img, i, j) over the batch (kPer consecutive per thread and
// step), lines = taps (c, a, b) (fixed).
template <class T, int BN, int BK>
struct PatchCols {
  using Map = KRun<BN, BK>;
  static constexpr int kPer = Map::kPer;
  const T* x;
  ConvGeometry s;
  int cols;  // Cg kh kw

  struct Cursor {
    Map map;
    const T* plane;  // x[0, g Cg + c]
    int dy, dx;      // a d_h - p_h, b d_w - p_w
  };
  __device__ Cursor begin(int g, int n0, int tid) const {
    const Map map = Map::of(tid);
    const int n = n0 + map.line;
    if (n >= cols) return {map, x, kFar, kFar};
    const int ch = n / s.khw, t = n - ch * s.khw, a = t / s.kw;
    return {map, x + static_cast<int64_t>(g * s.Cg + ch) * s.HW, a * s.dh - s.ph, (t - a * s.kw) * s.dw - s.pw};
  }
  __device__ void load(const Cursor& c, int k0, int k_end, T (&r)[kPer]) const {
    const int k = k0 + c.map.k_off;
    int img = k / s.P, p = k - img * s.P, i = p / s.OW, jj = p - i * s.OW;
#pragma unroll
    for (int j = 0; j < kPer; ++j) {
      const int yy = i * s.sh + c.dy, xx = jj * s.sw + c.dx;
      const bool in = k + j < k_end && static_cast<unsigned>(yy) < static_cast<unsigned>(s.H) &&
                      static_cast<unsigned>(xx) < static_cast<unsigned>(s.W);
      r[j] = in ? __ldg(c.plane + static_cast<int64_t>(img) * s.C * s.HW + yy * s.W + xx) : T(0);
      if (++jj == s.OW) {
        jj = 0;
        if (++i == s.OH) {
          i = 0;
          ++img;
        }
      }
    }
  }
  __device__ void put(const Cursor& c, T* tile, const T (&r)[kPer]) const { c.map.put(tile, r); }
};

// Backward-input B: GY_g[(o, a, b), (img, h, w)], k = (o, a, b) (one per thread and step), lines = input pixels.
template <class T, int BN, int BK>
struct GradRows {
  using Map = MNSpread<BN, BK>;
  static constexpr int kPer = Map::kPer;
  const T* gy;
  ConvGeometry s;
  int cols;  // batch H W

  struct Cursor {
    Map map;
    const T* group;          // gy[0, g Og]; line j reads gy[img, g Og] = group + img O P
    int img[kPer];
    int ty[kPer], tx[kPer];  // h + p_h, w + p_w
  };
  __device__ Cursor begin(int g, int n0, int tid) const {
    Cursor c;
    c.map = Map::of(tid);
    c.group = gy + static_cast<int64_t>(g) * s.Og * s.P;
#pragma unroll
    for (int j = 0; j < kPer; ++j) {
      const int n = n0 + c.map.line0 + j * Map::kSpread;
      if (n < cols) {
        const int img = n / s.HW, q = n - img * s.HW, h = q / s.W;
        c.img[j] = img;
        c.ty[j] = h + s.ph;
        c.tx[j] = q - h * s.W + s.pw;
      } else {
        c.img[j] = 0;
        c.ty[j] = c.tx[j] = kFar;
      }
    }
    return c;
  }
  __device__ void load(const Cursor& c, int k0, int k_end, T (&r)[kPer]) const {
    const int k = k0 + c.map.k_row;
    const bool ok = k < k_end;
    const int o = k / s.khw, t = k - o * s.khw, a = t / s.kw, b = t - a * s.kw;
    const int off = o * s.P, dy = a * s.dh, dx = b * s.dw;
#pragma unroll
    for (int j = 0; j < kPer; ++j) {
      const int yy = c.ty[j] - dy, xx = c.tx[j] - dx;
      T v = T(0);
      if (ok && yy >= 0 && xx >= 0) {
        const int i = yy / s.sh, jj = xx / s.sw;
        if (i * s.sh == yy && jj * s.sw == xx && i < s.OH && jj < s.OW)
          v = __ldg(c.group + static_cast<int64_t>(c.img[j]) * s.O * s.P + off + i * s.OW + jj);
      }
      r[j] = v;
    }
  }
  __device__ void put(const Cursor& c, T* tile, const T (&r)[kPer]) const { c.map.put(tile, r); }
};

// The epilogue: C[m, n] -> out[split split_stride + img channels S + (g group_channels + m) S + q] for n = (img, q),
// plus bias[g group_channels + m] when given.
//   forward          y [N, O, P]:  channels O, group_channels Og, S = P
//   backward input   gx [N, C, HW]: channels C, group_channels Cg, S = HW
//   backward weight  gw [O, K] (or split-K partials [splits, O, K]): channels O, group_channels Og, S = K (n < K, so
//                    img is always 0)
template <class T>
struct NchwStore {
  T* out;
  const T* bias;  // may be null
  int64_t split_stride;
  int channels, group_channels, spatial;

  __device__ int64_t column(int n) const {
    const int img = n / spatial;
    return static_cast<int64_t>(img) * channels * spatial + (n - img * spatial);
  }
  __device__ T* row(int g, int split, int m) const {
    return out + split * split_stride + static_cast<int64_t>(g * group_channels + m) * spatial;
  }
  __device__ T row_bias(int g, int m) const { return bias ? bias[g * group_channels + m] : T(0); }
};

}  // namespace htp::kernels::cuda::conv
