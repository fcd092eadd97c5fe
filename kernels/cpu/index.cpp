// CPU indexing kernels.
//
// index_select / index_add_: contiguous tensors viewed as [outer, n, inner]; each selected (outer, i) pair moves a
//   contiguous run of `inner` elements. index_add_ runs tasks over (outer, column block) pairs and walks the index
//   in order inside a task, so duplicate indices accumulate in a fixed order and never race.
// gather / scatter_add_: one pass over the index's shape with strided_loop, three operands (the contiguous side,
//   the index, the strided side). The strided side's stride at `dim` is set to 0 and the index value times the real
//   stride is added per element. Work is split into slabs along the largest dim; scatter never splits along `dim`,
//   so two slabs never write the same element.
// cat: per outer index, one memcpy of each input's contiguous run of size(dim) * inner elements.
#include "kernels/cpu/index.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "kernels/cpu/dim_layout.h"
#include "kernels/cpu/parallel.h"
#include "tensor/strided_loop.h"

namespace htp::kernels::cpu {
namespace {

constexpr int64_t kBlock = 1024;  // columns per index_add_ task

void check_indices(const Tensor& index, int64_t size, int64_t dim, const char* op) {
  const int64_t* p = index.data<int64_t>();
  for (int64_t i = 0; i < index.numel(); ++i)
    HTP_CHECK(p[i] >= 0 && p[i] < size, op, ": index ", p[i], " is out of bounds for dimension ", dim, " with size ",
              size);
}

// strided_loop over `shape`, in parallel slabs along its largest dim other than `avoid` (-1: any dim may split).
template <size_t N, class F>
void parallel_strided(const Shape& shape, const std::array<const Strides*, N>& strides, int64_t avoid, F&& fn) {
  if (shape_numel(shape) == 0) return;
  int64_t split = -1;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
    if (d != avoid && (split < 0 || shape[d] > shape[split])) split = d;
  if (split < 0) {
    strided_loop<N>(shape, strides, fn);
    return;
  }
  parallel_for(0, shape[split], grain_for(shape_numel(shape) / shape[split]), [&](int64_t begin, int64_t end) {
    Shape slab = shape;
    slab[split] = end - begin;
    std::array<int64_t, N> base;
    for (size_t k = 0; k < N; ++k) base[k] = begin * (*strides[k])[split];
    strided_loop<N>(slab, strides, [&](const int64_t* off, int64_t n, const int64_t* inc) {
      std::array<int64_t, N> o;
      for (size_t k = 0; k < N; ++k) o[k] = off[k] + base[k];
      fn(o.data(), n, inc);
    });
  });
}

}  // namespace

void index_select(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& out) {
  const DimLayout l = dim_layout(x.shape(), dim);
  check_indices(index, l.n, dim, "index_select");
  if (out.numel() == 0) return;
  const int64_t k = index.numel();
  const int64_t* idx = index.data<int64_t>();
  dispatch_all(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* xp = static_cast<const T*>(x.raw_data());
    T* op = static_cast<T*>(out.raw_data());
    parallel_for(0, l.outer * k, grain_for(l.inner), [&](int64_t begin, int64_t end) {
      for (int64_t t = begin; t < end; ++t) {
        const T* s = xp + ((t / k) * l.n + idx[t % k]) * l.inner;
        std::copy(s, s + l.inner, op + t * l.inner);
      }
    });
  });
}

void index_add_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  const DimLayout l = dim_layout(self.shape(), dim);
  check_indices(index, l.n, dim, "index_add_");
  if (src.numel() == 0) return;
  const int64_t k = index.numel();
  const int64_t* idx = index.data<int64_t>();
  const int64_t width = std::min(l.inner, kBlock), blocks = (l.inner + width - 1) / width;
  dispatch_numeric(self.dtype(), "index_add_", [&](auto tag) {
    using T = decltype(tag);
    T* dp = self.data<T>();
    const T* sp = src.data<T>();
    parallel_for(0, l.outer * blocks, grain_for(k * width), [&](int64_t begin, int64_t end) {
      for (int64_t t = begin; t < end; ++t) {
        const int64_t o = t / blocks, j0 = (t % blocks) * width, w = std::min(width, l.inner - j0);
        for (int64_t i = 0; i < k; ++i) {
          T* d = dp + (o * l.n + idx[i]) * l.inner + j0;
          const T* s = sp + (o * k + i) * l.inner + j0;
          for (int64_t j = 0; j < w; ++j) d[j] += s[j];
        }
      }
    });
  });
}

void gather(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& out) {
  check_indices(index, x.size(dim), dim, "gather");
  Strides xs = x.strides();
  const int64_t dim_stride = xs[dim];
  xs[dim] = 0;
  const int64_t* ip = index.data<int64_t>();
  dispatch_all(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* xp = static_cast<const T*>(x.raw_data());
    T* op = static_cast<T*>(out.raw_data());
    parallel_strided<3>(index.shape(), {&out.strides(), &index.strides(), &xs}, -1,
                        [&](const int64_t* off, int64_t n, const int64_t* inc) {
                          T* d = op + off[0];
                          const int64_t* i0 = ip + off[1];
                          const T* s = xp + off[2];
                          for (int64_t i = 0; i < n; ++i) d[i * inc[0]] = s[i * inc[2] + i0[i * inc[1]] * dim_stride];
                        });
  });
}

void scatter_add_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  check_indices(index, self.size(dim), dim, "scatter_add");
  Strides ss = self.strides();
  const int64_t dim_stride = ss[dim];
  ss[dim] = 0;
  const int64_t* ip = index.data<int64_t>();
  dispatch_numeric(self.dtype(), "scatter_add", [&](auto tag) {
    using T = decltype(tag);
    T* dp = self.data<T>();
    const T* sp = src.data<T>();
    parallel_strided<3>(index.shape(), {&ss, &index.strides(), &src.strides()}, dim,
                        [&](const int64_t* off, int64_t n, const int64_t* inc) {
                          T* d = dp + off[0];
                          const int64_t* i0 = ip + off[1];
                          const T* s = sp + off[2];
                          for (int64_t i = 0; i < n; ++i) d[i * inc[0] + i0[i * inc[1]] * dim_stride] += s[i * inc[2]];
                        });
  });
}

void masked_fill_(const Tensor& self, const Tensor& mask, double value) {
  const bool* mp = mask.data<bool>();
  dispatch_numeric(self.dtype(), "masked_fill", [&](auto tag) {
    using T = decltype(tag);
    const T v = static_cast<T>(value);
    T* dp = self.data<T>();
    parallel_strided<2>(self.shape(), {&self.strides(), &mask.strides()}, -1,
                        [&](const int64_t* off, int64_t n, const int64_t* inc) {
                          T* d = dp + off[0];
                          const bool* m = mp + off[1];
                          for (int64_t i = 0; i < n; ++i) d[i * inc[0]] = m[i * inc[1]] ? v : d[i * inc[0]];
                        });
  });
}

void cat(const std::vector<Tensor>& inputs, int64_t dim, const Tensor& out) {
  if (out.numel() == 0) return;
  const DimLayout l = dim_layout(out.shape(), dim);
  const int64_t m = static_cast<int64_t>(inputs.size());
  const size_t es = out.element_size();
  std::vector<int64_t> run(m), start(m);  // per input: elements per outer index, and where they go in out's row
  int64_t pos = 0;
  for (int64_t k = 0; k < m; ++k) {
    run[k] = inputs[k].size(dim) * l.inner;
    start[k] = pos;
    pos += run[k];
  }
  char* op = static_cast<char*>(out.raw_data());
  parallel_for(0, l.outer * m, grain_for(pos / std::max<int64_t>(m, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t o = t / m, k = t % m;
      if (run[k] == 0) continue;
      const char* s = static_cast<const char*>(inputs[k].raw_data()) + o * run[k] * es;
      std::memcpy(op + (o * pos + start[k]) * es, s, run[k] * es);
    }
  });
}

void one_hot(const Tensor& labels, const Tensor& out) {
  const int64_t classes = out.size(-1), n = labels.numel();
  const int64_t* lp = labels.data<int64_t>();
  for (int64_t i = 0; i < n; ++i)
    HTP_CHECK(lp[i] >= 0 && lp[i] < classes, "one_hot: label ", lp[i], " is out of range for ", classes, " classes");
  if (out.numel() == 0) return;
  int64_t* op = out.data<int64_t>();
  parallel_for(0, n, grain_for(classes), [&](int64_t begin, int64_t end) {
    std::fill(op + begin * classes, op + end * classes, int64_t{0});
    for (int64_t i = begin; i < end; ++i) op[i * classes + lp[i]] = 1;
  });
}

}  // namespace htp::kernels::cpu
