// The one elementwise loop under every unary, binary and ternary CPU kernel (internal to kernels/cpu).
//
//   map_elementwise<float, float, float>(out, {a, b}, [](float x, float y) { return x + y; });
//
// computes out[i] = f(in_0[i], …, in_k[i]) for every index i of out's shape. The inputs must already have out's
// shape (broadcast inputs are expanded views with stride 0) and their element types must be In… exactly; out may
// alias an input element for element (in-place ops). Dimensions contiguous in every operand are merged
// (tensor/strided_loop.h), so the common cases reach a loop the compiler vectorises: all inner strides 1, or — for
// two inputs — one input constant along the row (a scalar or a broadcast row). An operand transposed relative to
// the output is walked in square tiles so that its cache lines are reused. Work is split over rows, tiles or
// chunks of one long row with parallel_for; each output element is written by exactly one thread, so results
// never depend on the thread count.
#pragma once
#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstdint>
#include <tuple>
#include <utility>

#include "kernels/cpu/parallel.h"
#include "tensor/strided_loop.h"
#include "tensor/tensor.h"

namespace htp::kernels::cpu {

// Elements per parallel chunk: cheap arithmetic amortises the hand-off only beyond a few tens of thousands.
inline constexpr int64_t kElementwiseGrain = 32768;
// Side of the square tiles used when an operand is transposed relative to the output.
inline constexpr int64_t kTile = 32;

namespace loop_detail {

// An input constant along a row: its value is loaded once, before the loop.
template <class T>
struct Broadcast {
  T value;
  T operator[](int64_t) const { return value; }
};

template <int Const, size_t I, class T>
inline auto row_accessor(const T* p) {
  if constexpr (static_cast<int>(I) == Const)
    return Broadcast<T>{p[0]};
  else
    return p;
}

// One row of n elements with unit output stride. `Const` is the index of an input with inner stride 0, or -1.
template <int Const, class Out, class... In, class F, size_t... I>
inline void row_contiguous(Out* out, const std::tuple<const In*...>& in, int64_t n, F& f, std::index_sequence<I...>) {
  const auto acc = std::make_tuple(row_accessor<Const, I>(std::get<I>(in))...);
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<Out>(f(std::get<I>(acc)[i]...));
}

template <class Out, class... In, class F, size_t... I>
inline void row_strided(Out* out, int64_t out_inc, const std::tuple<const In*...>& in, const int64_t* in_inc,
                        int64_t n, F& f, std::index_sequence<I...>) {
  for (int64_t i = 0; i < n; ++i) out[i * out_inc] = static_cast<Out>(f(std::get<I>(in)[i * in_inc[I]]...));
}

// Dispatches one row to the fastest applicable loop. off/inc hold the output first, then the inputs.
template <class Out, class... In, class F>
inline void run_row(Out* out_base, const std::tuple<const In*...>& in_base, const int64_t* off, int64_t n,
                    const int64_t* inc, F& f) {
  constexpr size_t K = sizeof...(In);
  using Seq = std::index_sequence_for<In...>;
  Out* out = out_base + off[0];
  std::tuple<const In*...> in = [&]<size_t... I>(std::index_sequence<I...>) {
    return std::tuple<const In*...>{std::get<I>(in_base) + off[I + 1]...};
  }(Seq{});
  if (inc[0] == 1) {
    bool all_unit = true;
    for (size_t k = 0; k < K; ++k) all_unit = all_unit && inc[k + 1] == 1;
    if (all_unit) return row_contiguous<-1, Out, In...>(out, in, n, f, Seq{});
    if constexpr (K == 2) {
      if (inc[1] == 0 && inc[2] == 1) return row_contiguous<0, Out, In...>(out, in, n, f, Seq{});
      if (inc[1] == 1 && inc[2] == 0) return row_contiguous<1, Out, In...>(out, in, n, f, Seq{});
    }
  }
  row_strided<Out, In...>(out, inc[0], in, inc + 1, n, f, Seq{});
}

// Walks the two innermost merged dims [M, C] in kTile × kTile tiles (parallel over outer index × row tiles), so
// that an operand whose inner stride is large (a transposed input) uses each cache line fully before eviction.
template <class Out, class... In, class F, size_t N>
void run_tiled(const StridedLayout<N>& L, Out* o, const std::tuple<const In*...>& in, F& f, int64_t grain) {
  const size_t r = L.shape.size();
  const int64_t M = L.shape[r - 2], C = L.shape[r - 1];
  const int64_t row_tiles = (M + kTile - 1) / kTile, outer = L.rows() / M;
  parallel_for(0, outer * row_tiles, std::max<int64_t>(1, grain / (kTile * C)), [&](int64_t b, int64_t e) {
    std::array<int64_t, N> base, off, inc;
    for (size_t k = 0; k < N; ++k) inc[k] = L.strides[k][r - 1];
    for (int64_t item = b; item < e; ++item) {
      const int64_t i0 = (item % row_tiles) * kTile, i1 = std::min(M, i0 + kTile);
      base.fill(0);
      for (int64_t rest = item / row_tiles, d = static_cast<int64_t>(r) - 3; d >= 0; --d) {
        const int64_t idx = rest % L.shape[d];
        rest /= L.shape[d];
        for (size_t k = 0; k < N; ++k) base[k] += idx * L.strides[k][d];
      }
      for (int64_t j0 = 0; j0 < C; j0 += kTile) {
        for (int64_t i = i0; i < i1; ++i) {
          for (size_t k = 0; k < N; ++k) off[k] = base[k] + i * L.strides[k][r - 2] + j0 * inc[k];
          run_row<Out, In...>(o, in, off.data(), std::min(kTile, C - j0), inc.data(), f);
        }
      }
    }
  });
}

// True when some operand steps further along the innermost dim than along the one before (transposed-like).
template <size_t N>
bool needs_tiling(const StridedLayout<N>& L) {
  const size_t r = L.shape.size();
  if (r < 2) return false;
  for (size_t k = 0; k < N; ++k) {
    const int64_t inner = std::abs(L.strides[k][r - 1]), outer = std::abs(L.strides[k][r - 2]);
    if (inner > 1 && outer != 0 && outer < inner) return true;
  }
  return false;
}

}  // namespace loop_detail

template <class Out, class... In, class F>
void map_elementwise(const Tensor& out, const std::array<Tensor, sizeof...(In)>& ins, F f,
                     int64_t grain = kElementwiseGrain) {
  constexpr size_t N = 1 + sizeof...(In);
  if (out.numel() == 0) return;
  using Seq = std::index_sequence_for<In...>;
  const auto strides = [&]<size_t... I>(std::index_sequence<I...>) {
    return std::array<const Strides*, N>{&out.strides(), &ins[I].strides()...};
  }(Seq{});
  const StridedLayout<N> L = merge_dims<N>(out.shape(), strides);
  Out* o = static_cast<Out*>(out.raw_data());
  const auto in = [&]<size_t... I>(std::index_sequence<I...>) {
    return std::tuple<const In*...>{static_cast<const In*>(ins[I].raw_data())...};
  }(Seq{});
  const int64_t rows = L.rows(), len = L.row_length();
  if (rows == 1) {  // one long row: split it into chunks
    std::array<int64_t, N> inc;
    for (size_t k = 0; k < N; ++k) inc[k] = L.strides[k].back();
    parallel_for(0, len, grain, [&](int64_t b, int64_t e) {
      std::array<int64_t, N> off;
      for (size_t k = 0; k < N; ++k) off[k] = b * inc[k];
      loop_detail::run_row<Out, In...>(o, in, off.data(), e - b, inc.data(), f);
    });
  } else if (loop_detail::needs_tiling(L)) {
    loop_detail::run_tiled<Out, In...>(L, o, in, f, grain);
  } else {
    parallel_for(0, rows, std::max<int64_t>(1, grain / len), [&](int64_t rb, int64_t re) {
      strided_rows<N>(L, rb, re, [&](const int64_t* off, int64_t n, const int64_t* inc) {
        loop_detail::run_row<Out, In...>(o, in, off, n, inc, f);
      });
    });
  }
}

}  // namespace htp::kernels::cpu
