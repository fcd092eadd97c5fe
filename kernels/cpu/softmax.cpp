// CPU softmax, log-softmax and their backward kernels.
//
// A contiguous tensor is viewed as [outer, n, inner] with n the size of the softmax dim. Two loop shapes:
//   inner == 1 (softmax over the last dim): each row of n elements is contiguous and handled by one task with
//     passes over the row (max, sum of exponentials, normalise).
//   inner > 1: the n rows of a column block [j0, j1) of width <= kBlock are walked together, keeping one running
//     max and sum per column in a small scratch array; the innermost loop runs over the contiguous columns and
//     vectorises. Tasks are (outer index, column block) pairs, so softmax over dim 0 still uses every core.
// Every element's result depends only on its own column, so the output is the same for any thread count.
#include "kernels/cpu/softmax.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/cpu/dim_layout.h"
#include "kernels/cpu/parallel.h"

namespace htp::kernels::cpu {
namespace {

constexpr int64_t kBlock = 256;  // columns per task when inner > 1

// Runs body(row pointer offset, column begin, column end) over all (outer, column block) tasks in parallel.
template <class F>
void for_each_block(const DimLayout& l, F&& body) {
  const int64_t width = std::min(l.inner, kBlock);
  const int64_t blocks = (l.inner + width - 1) / width;
  parallel_for(0, l.outer * blocks, grain_for(l.n * width), [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t o = t / blocks, j0 = (t % blocks) * width;
      body(o * l.n * l.inner, j0, std::min(j0 + width, l.inner));
    }
  });
}

// ---- forward -------------------------------------------------------------------------------------------------------

template <class T, bool Log>
void forward_row(const T* x, T* y, int64_t n) {
  T m = x[0];
  for (int64_t i = 1; i < n; ++i) m = std::max(m, x[i]);
  T s = 0;
  if constexpr (Log) {
    for (int64_t i = 0; i < n; ++i) s += std::exp(x[i] - m);
    const T log_s = std::log(s);
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - m) - log_s;
  } else {
    for (int64_t i = 0; i < n; ++i) {
      y[i] = std::exp(x[i] - m);
      s += y[i];
    }
    const T inv = T(1) / s;
    for (int64_t i = 0; i < n; ++i) y[i] *= inv;
  }
}

// Columns [j0, j1) of one [n, inner] slab; m and s are scratch of width j1 - j0.
template <class T, bool Log>
void forward_columns(const T* x, T* y, int64_t n, int64_t inner, int64_t j0, int64_t j1, T* m, T* s) {
  const int64_t w = j1 - j0;
  x += j0;
  y += j0;
  for (int64_t j = 0; j < w; ++j) m[j] = x[j];
  for (int64_t i = 1; i < n; ++i)
    for (int64_t j = 0; j < w; ++j) m[j] = std::max(m[j], x[i * inner + j]);
  for (int64_t j = 0; j < w; ++j) s[j] = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < w; ++j) {
      const T e = std::exp(x[i * inner + j] - m[j]);
      if constexpr (!Log) y[i * inner + j] = e;
      s[j] += e;
    }
  if constexpr (Log) {
    for (int64_t j = 0; j < w; ++j) s[j] = std::log(s[j]);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < w; ++j) y[i * inner + j] = (x[i * inner + j] - m[j]) - s[j];
  } else {
    for (int64_t j = 0; j < w; ++j) s[j] = T(1) / s[j];
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < w; ++j) y[i * inner + j] *= s[j];
  }
}

template <bool Log>
void forward(const Tensor& x, int64_t dim, const Tensor& y) {
  if (x.numel() == 0) return;
  const DimLayout l = dim_layout(x.shape(), dim);
  dispatch_floating(x.dtype(), Log ? "log_softmax" : "softmax", [&](auto tag) {
    using T = decltype(tag);
    const T* xp = x.data<T>();
    T* yp = y.data<T>();
    if (l.inner == 1) {
      parallel_for(0, l.outer, grain_for(l.n), [&](int64_t begin, int64_t end) {
        for (int64_t o = begin; o < end; ++o) forward_row<T, Log>(xp + o * l.n, yp + o * l.n, l.n);
      });
      return;
    }
    for_each_block(l, [&](int64_t base, int64_t j0, int64_t j1) {
      T scratch[2 * kBlock];
      forward_columns<T, Log>(xp + base, yp + base, l.n, l.inner, j0, j1, scratch, scratch + kBlock);
    });
  });
}

// ---- backward ------------------------------------------------------------------------------------------------------
// softmax:     dx = y * (g - sum(g * y))
// log_softmax: dx = g - exp(y) * sum(g)

template <class T, bool Log>
void backward_row(const T* g, const T* y, T* dx, int64_t n) {
  T s = 0;
  if constexpr (Log) {
    for (int64_t i = 0; i < n; ++i) s += g[i];
    for (int64_t i = 0; i < n; ++i) dx[i] = g[i] - std::exp(y[i]) * s;
  } else {
    for (int64_t i = 0; i < n; ++i) s += g[i] * y[i];
    for (int64_t i = 0; i < n; ++i) dx[i] = y[i] * (g[i] - s);
  }
}

template <class T, bool Log>
void backward_columns(const T* g, const T* y, T* dx, int64_t n, int64_t inner, int64_t j0, int64_t j1, T* s) {
  const int64_t w = j1 - j0;
  g += j0;
  y += j0;
  dx += j0;
  for (int64_t j = 0; j < w; ++j) s[j] = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < w; ++j) {
      if constexpr (Log)
        s[j] += g[i * inner + j];
      else
        s[j] += g[i * inner + j] * y[i * inner + j];
    }
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < w; ++j) {
      const int64_t k = i * inner + j;
      if constexpr (Log)
        dx[k] = g[k] - std::exp(y[k]) * s[j];
      else
        dx[k] = y[k] * (g[k] - s[j]);
    }
}

template <bool Log>
void backward(const Tensor& grad_y, const Tensor& y, int64_t dim, const Tensor& grad_x) {
  if (y.numel() == 0) return;
  const DimLayout l = dim_layout(y.shape(), dim);
  dispatch_floating(y.dtype(), Log ? "log_softmax_backward" : "softmax_backward", [&](auto tag) {
    using T = decltype(tag);
    const T* gp = grad_y.data<T>();
    const T* yp = y.data<T>();
    T* dxp = grad_x.data<T>();
    if (l.inner == 1) {
      parallel_for(0, l.outer, grain_for(l.n), [&](int64_t begin, int64_t end) {
        for (int64_t o = begin; o < end; ++o) backward_row<T, Log>(gp + o * l.n, yp + o * l.n, dxp + o * l.n, l.n);
      });
      return;
    }
    for_each_block(l, [&](int64_t base, int64_t j0, int64_t j1) {
      T scratch[kBlock];
      backward_columns<T, Log>(gp + base, yp + base, dxp + base, l.n, l.inner, j0, j1, scratch);
    });
  });
}

}  // namespace

void softmax(const Tensor& x, int64_t dim, const Tensor& y) { forward<false>(x, dim, y); }
void log_softmax(const Tensor& x, int64_t dim, const Tensor& y) { forward<true>(x, dim, y); }
void softmax_backward(const Tensor& grad_y, const Tensor& y, int64_t dim, const Tensor& grad_x) {
  backward<false>(grad_y, y, dim, grad_x);
}
void log_softmax_backward(const Tensor& grad_y, const Tensor& y, int64_t dim, const Tensor& grad_x) {
  backward<true>(grad_y, y, dim, grad_x);
}

}  // namespace htp::kernels::cpu
