// Iteration over N strided operands of one shape, a row (innermost run) at a time — the loop under copies and
// elementwise kernels. Dimensions that are contiguous with each other in every operand are merged first, so
// contiguous tensors become a single long row that the callback can vectorise.
//
//   strided_loop<2>(shape, {&dst.strides(), &src.strides()}, [&](const int64_t* off, int64_t n, const int64_t* inc) {
//     for (int64_t i = 0; i < n; ++i) d[off[0] + i * inc[0]] = s[off[1] + i * inc[1]];
//   });
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "tensor/shape.h"

namespace htp {

template <size_t N>
struct StridedLayout {
  Shape shape;                      // merged shape; never empty (a scalar becomes [1])
  std::array<Strides, N> strides;   // merged strides per operand
  int64_t rows() const {
    int64_t r = 1;
    for (size_t d = 0; d + 1 < shape.size(); ++d) r *= shape[d];
    return r;
  }
  int64_t row_length() const { return shape.back(); }
};

template <size_t N>
StridedLayout<N> merge_dims(const Shape& shape, const std::array<const Strides*, N>& strides) {
  StridedLayout<N> out;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;  // size-1 dims carry no iteration
    bool mergeable = !out.shape.empty();
    for (size_t k = 0; k < N && mergeable; ++k)
      mergeable = out.strides[k].back() == (*strides[k])[d] * shape[d];
    if (mergeable) {
      out.shape.back() *= shape[d];
      for (size_t k = 0; k < N; ++k) out.strides[k].back() = (*strides[k])[d];
    } else {
      out.shape.push_back(shape[d]);
      for (size_t k = 0; k < N; ++k) out.strides[k].push_back((*strides[k])[d]);
    }
  }
  if (out.shape.empty()) {
    out.shape.push_back(1);
    for (size_t k = 0; k < N; ++k) out.strides[k].push_back(0);
  }
  return out;
}

// Calls fn(offsets, n, inner_strides) for rows [row_begin, row_end) of a merged layout. Offsets are element offsets
// relative to each operand's first element.
template <size_t N, class F>
void strided_rows(const StridedLayout<N>& L, int64_t row_begin, int64_t row_end, F&& fn) {
  const size_t outer = L.shape.size() - 1;
  std::vector<int64_t> idx(outer, 0);
  std::array<int64_t, N> off{};
  // Position at row_begin.
  int64_t r = row_begin;
  for (size_t d = outer; d-- > 0;) {
    idx[d] = r % L.shape[d];
    r /= L.shape[d];
  }
  for (size_t k = 0; k < N; ++k)
    for (size_t d = 0; d < outer; ++d) off[k] += idx[d] * L.strides[k][d];
  std::array<int64_t, N> inc;
  for (size_t k = 0; k < N; ++k) inc[k] = L.strides[k].back();
  for (int64_t row = row_begin; row < row_end; ++row) {
    fn(off.data(), L.shape.back(), inc.data());
    for (size_t d = outer; d-- > 0;) {  // odometer increment
      for (size_t k = 0; k < N; ++k) off[k] += L.strides[k][d];
      if (++idx[d] < L.shape[d]) break;
      for (size_t k = 0; k < N; ++k) off[k] -= L.strides[k][d] * L.shape[d];
      idx[d] = 0;
    }
  }
}

template <size_t N, class F>
void strided_loop(const Shape& shape, const std::array<const Strides*, N>& strides, F&& fn) {
  if (shape_numel(shape) == 0) return;
  auto L = merge_dims<N>(shape, strides);
  strided_rows<N>(L, 0, L.rows(), fn);
}

}  // namespace htp
