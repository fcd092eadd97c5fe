// The two loops under every CPU reduction (internal to kernels/cpu).
//
// Geometry: the dims of x split into kept dims (outer) and reduced dims (inner), each merged like
// tensor/strided_loop.h does, giving K outputs (row-major over the kept dims: the flat index of a contiguous
// output) and R reduced positions per output (row-major over the reduced dims, so that the flat position along a
// single reduced dim is the index max/argmax return).
//
// reduce_sum: total[o] = Σ_r map(x[o, r], center[o]) accumulated in Acc (double for floating x: float32 sums are
//   accurate to double precision; int64 for integers). The reduced range is cut into fixed units of kReduceUnit
//   positions whose partial sums are computed independently — in parallel, even for a full reduction — and then
//   added in order, so the result is bitwise independent of the thread count. Within a unit, contiguous runs go
//   through kLanes independent accumulators (vectorised); when the kept dims are the contiguous ones (sum over
//   dim 0 of [N, C], the bias gradient) a block of neighbouring outputs is accumulated together instead, four
//   reduced positions per pass over the accumulators.
// reduce_extreme: the first position of the largest/smallest value per output (NaN counts as extreme, as in
//   PyTorch), parallel over outputs.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "kernels/cpu/numeric.h"
#include "kernels/cpu/parallel.h"
#include "tensor/strided_loop.h"
#include "tensor/tensor.h"

namespace htp::kernels::cpu {

inline constexpr int64_t kReduceUnit = 16384;  // reduced positions per independently summed unit
inline constexpr int64_t kReduceGrain = 32768;  // elements per parallel chunk
inline constexpr int kLanes = 8;                 // independent accumulators per contiguous run
inline constexpr int64_t kKeptBlock = 1024;      // neighbouring outputs accumulated together (kept-contiguous case)

struct ReduceLayout {
  StridedLayout<1> kept;     // merged kept dims of x
  StridedLayout<1> reduced;  // merged reduced dims of x
  int64_t K = 1;             // number of outputs
  int64_t R = 1;             // reduced positions per output
};

// `dims`: the reduced dims, normalised (0 <= d < rank) and unique.
inline ReduceLayout make_reduce_layout(const Tensor& x, const std::vector<int64_t>& dims) {
  Shape ks, rs;
  Strides kst, rst;
  for (int64_t d = 0; d < x.dim(); ++d) {
    const bool reduced = std::find(dims.begin(), dims.end(), d) != dims.end();
    (reduced ? rs : ks).push_back(x.shape()[d]);
    (reduced ? rst : kst).push_back(x.strides()[d]);
  }
  ReduceLayout L;
  L.kept = merge_dims<1>(ks, {&kst});
  L.reduced = merge_dims<1>(rs, {&rst});
  L.K = shape_numel(ks);
  L.R = shape_numel(rs);
  return L;
}

// Element offset of flat position `pos` (row-major) of a merged layout.
inline int64_t layout_offset(const StridedLayout<1>& L, int64_t pos) {
  int64_t off = 0;
  for (size_t d = L.shape.size(); d-- > 0;) {
    off += (pos % L.shape[d]) * L.strides[0][d];
    pos /= L.shape[d];
  }
  return off;
}

// Calls fn(offset, n, inc) for the runs (pieces of rows) covering flat positions [r0, r1) of a merged layout.
template <class F>
inline void for_each_run(const StridedLayout<1>& L, int64_t r0, int64_t r1, F&& fn) {
  const int64_t len = L.row_length(), inc = L.strides[0].back();
  for (int64_t r = r0; r < r1;) {
    const int64_t col = r % len, n = std::min(len - col, r1 - r);
    fn(layout_offset(L, r), n, inc);
    r += n;
  }
}

namespace loop_detail {

template <class Acc, class T, class Map>
inline void accumulate_run(std::array<Acc, kLanes>& lanes, const T* p, int64_t n, int64_t inc, Acc c, Map& map) {
  int64_t i = 0;
  if (inc == 1) {
    for (; i + kLanes <= n; i += kLanes)
      for (int l = 0; l < kLanes; ++l) lanes[l] += map(static_cast<Acc>(p[i + l]), c);
  }
  for (; i < n; ++i) lanes[i % kLanes] += map(static_cast<Acc>(p[i * inc]), c);
}

template <class Acc>
inline Acc combine_lanes(const std::array<Acc, kLanes>& v) {
  return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
}

}  // namespace loop_detail

// total[o] = Σ_r map(Acc(x[o, r]), centers ? centers[o] : 0) for o in [0, K); see the top of the file.
template <class Acc, class T, class Map>
std::vector<Acc> reduce_sum(const Tensor& x, const ReduceLayout& L, Map map, const Acc* centers = nullptr) {
  const int64_t K = L.K, R = L.R;
  if (K == 0) return {};
  const int64_t U = std::max<int64_t>(1, (R + kReduceUnit - 1) / kReduceUnit);
  const int64_t unit_len = std::min(R, kReduceUnit);
  std::vector<Acc> partial(static_cast<size_t>(K * U), Acc(0));
  const T* base = static_cast<const T*>(x.raw_data());
  auto center = [&](int64_t o) { return centers ? centers[o] : Acc(0); };
  const int64_t klen = L.kept.row_length();
  const bool kept_contiguous = L.kept.strides[0].back() == 1 && L.reduced.strides[0].back() != 1 && klen >= kLanes;

  if (R > 0 && kept_contiguous) {
    // Blocks of neighbouring outputs along the contiguous kept row, all reduced positions of one unit each.
    const int64_t krows = K / klen, nblocks = (klen + kKeptBlock - 1) / kKeptBlock;
    const int64_t items = krows * nblocks * U;
    parallel_for(0, items, std::max<int64_t>(1, kReduceGrain / (unit_len * std::min(klen, kKeptBlock))),
                 [&](int64_t b, int64_t e) {
      std::array<Acc, kKeptBlock> acc, c;
      for (int64_t item = b; item < e; ++item) {
        const int64_t u = item % U, blk = (item / U) % nblocks, krow = item / (U * nblocks);
        const int64_t o0 = krow * klen + blk * kKeptBlock, jn = std::min(kKeptBlock, klen - blk * kKeptBlock);
        const T* kp = base + layout_offset(L.kept, o0);
        for (int64_t j = 0; j < jn; ++j) {
          acc[j] = Acc(0);
          c[j] = center(o0 + j);
        }
        for_each_run(L.reduced, u * kReduceUnit, std::min(R, (u + 1) * kReduceUnit),
                     [&](int64_t off, int64_t n, int64_t inc) {
                       int64_t t = 0;
                       for (; t + 4 <= n; t += 4) {  // four positions per pass over acc
                         const T* p = kp + off + t * inc;
                         for (int64_t j = 0; j < jn; ++j) {
                           const Acc s01 = map(static_cast<Acc>(p[j]), c[j]) + map(static_cast<Acc>(p[j + inc]), c[j]);
                           const Acc s23 = map(static_cast<Acc>(p[j + 2 * inc]), c[j]) +
                                           map(static_cast<Acc>(p[j + 3 * inc]), c[j]);
                           acc[j] += s01 + s23;
                         }
                       }
                       for (; t < n; ++t) {
                         const T* p = kp + off + t * inc;
                         for (int64_t j = 0; j < jn; ++j) acc[j] += map(static_cast<Acc>(p[j]), c[j]);
                       }
                     });
        for (int64_t j = 0; j < jn; ++j) partial[(o0 + j) * U + u] = acc[j];
      }
    });
  } else if (R > 0) {
    // One output and one unit per item, contiguous runs through independent lanes.
    parallel_for(0, K * U, std::max<int64_t>(1, kReduceGrain / unit_len), [&](int64_t b, int64_t e) {
      for (int64_t item = b; item < e; ++item) {
        const int64_t o = item / U, u = item % U;
        const T* kp = base + layout_offset(L.kept, o);
        const Acc c = center(o);
        std::array<Acc, kLanes> lanes{};
        for_each_run(L.reduced, u * kReduceUnit, std::min(R, (u + 1) * kReduceUnit),
                     [&](int64_t off, int64_t n, int64_t inc) {
                       loop_detail::accumulate_run(lanes, kp + off, n, inc, c, map);
                     });
        partial[item] = loop_detail::combine_lanes(lanes);
      }
    });
  }
  if (U == 1) return partial;
  std::vector<Acc> total(static_cast<size_t>(K), Acc(0));
  for (int64_t o = 0; o < K; ++o)
    for (int64_t u = 0; u < U; ++u) total[o] += partial[o * U + u];
  return total;
}

// For each output o: values[o] (if non-null) and indices[o] (if non-null) of the first largest (IsMax) or smallest
// value over its R > 0 reduced positions.
template <bool IsMax, class T>
void reduce_extreme(const Tensor& x, const ReduceLayout& L, T* values, int64_t* indices) {
  const T* base = static_cast<const T*>(x.raw_data());
  const int64_t R = L.R;
  parallel_for(0, L.K, std::max<int64_t>(1, kReduceGrain / std::max<int64_t>(R, 1)), [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; ++o) {
      const T* kp = base + layout_offset(L.kept, o);
      T best = kp[layout_offset(L.reduced, 0)];
      int64_t best_r = 0, r = 0;
      for_each_run(L.reduced, 0, R, [&](int64_t off, int64_t n, int64_t inc) {
        const T* p = kp + off;
        for (int64_t i = 0; i < n; ++i, ++r) {
          const T v = p[i * inc];
          const bool better = IsMax ? v > best : v < best;
          if (better || (is_nan(v) && !is_nan(best))) {
            best = v;
            best_r = r;
          }
        }
      });
      if (values) values[o] = best;
      if (indices) indices[o] = best_r;
    }
  });
}

}  // namespace htp::kernels::cpu
