// CPU reductions: the sum family over reduce_sum, max/min/arg* over reduce_extreme (kernels/cpu/reduce_loops.h).
#include "kernels/cpu/reduce.h"

#include <cmath>
#include <limits>
#include <type_traits>

#include "kernels/cpu/reduce_loops.h"
#include "tensor/strided_loop.h"

namespace htp::kernels::cpu {
namespace {

// out[o] = finish(total[o]) over the contiguous output.
template <class Out, class Acc, class F>
void write_outputs(const Tensor& out, const std::vector<Acc>& total, F finish) {
  Out* o = static_cast<Out*>(out.raw_data());
  parallel_for(0, static_cast<int64_t>(total.size()), kReduceGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) o[i] = static_cast<Out>(finish(total[i]));
  });
}

auto identity_map = [](auto v, auto) { return v; };

// Per-output means in double (the centers of var's second pass).
template <class T>
std::vector<double> means(const Tensor& x, const ReduceLayout& L) {
  std::vector<double> m = reduce_sum<double, T>(x, L, identity_map);
  for (double& v : m) v /= static_cast<double>(L.R);
  return m;
}

}  // namespace

void sum(const Tensor& x, const Dims& dims, const Tensor& out) {
  const ReduceLayout L = make_reduce_layout(x, dims);
  dispatch_numeric(x.dtype(), "sum", [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      write_outputs<T>(out, reduce_sum<double, T>(x, L, identity_map), [](double v) { return v; });
    } else {
      write_outputs<int64_t>(out, reduce_sum<int64_t, T>(x, L, identity_map), [](int64_t v) { return v; });
    }
  });
}

void mean(const Tensor& x, const Dims& dims, const Tensor& out) {
  const ReduceLayout L = make_reduce_layout(x, dims);
  dispatch_floating(x.dtype(), "mean", [&](auto tag) {
    using T = decltype(tag);
    const double r = static_cast<double>(L.R);
    write_outputs<T>(out, reduce_sum<double, T>(x, L, identity_map), [r](double v) { return v / r; });
  });
}

void var(const Tensor& x, const Dims& dims, int64_t correction, const Tensor& out) {
  const ReduceLayout L = make_reduce_layout(x, dims);
  dispatch_floating(x.dtype(), "var", [&](auto tag) {
    using T = decltype(tag);
    const std::vector<double> m = means<T>(x, L);
    auto sq_dev = [](double v, double c) { return (v - c) * (v - c); };
    const double denom = static_cast<double>(L.R - correction);
    write_outputs<T>(out, reduce_sum<double, T>(x, L, sq_dev, m.data()), [denom](double v) {
      return denom > 0 ? v / denom : std::numeric_limits<double>::quiet_NaN();
    });
  });
}

void norm(const Tensor& x, double p, const Dims& dims, const Tensor& out) {
  const ReduceLayout L = make_reduce_layout(x, dims);
  dispatch_floating(x.dtype(), "norm", [&](auto tag) {
    using T = decltype(tag);
    auto run = [&](auto map, auto finish) { write_outputs<T>(out, reduce_sum<double, T>(x, L, map), finish); };
    if (p == 2.0)
      run([](double v, double) { return v * v; }, [](double s) { return std::sqrt(s); });
    else if (p == 1.0)
      run([](double v, double) { return std::abs(v); }, [](double s) { return s; });
    else if (p == 0.0)
      run([](double v, double) { return v != 0.0 ? 1.0 : 0.0; }, [](double s) { return s; });
    else
      run([p](double v, double) { return std::pow(std::abs(v), p); }, [p](double s) { return std::pow(s, 1.0 / p); });
  });
}

void logsumexp(const Tensor& x, const Dims& dims, const Tensor& out) {
  const ReduceLayout L = make_reduce_layout(x, dims);
  dispatch_floating(x.dtype(), "logsumexp", [&](auto tag) {
    using T = decltype(tag);
    std::vector<T> mx(static_cast<size_t>(L.K));
    if (L.R > 0) reduce_extreme<true, T>(x, L, mx.data(), nullptr);
    std::vector<double> c(mx.size(), 0.0);  // no positions: Σ = 0 and the result is -inf
    for (size_t o = 0; o < c.size(); ++o) c[o] = (L.R > 0 && std::isfinite(mx[o])) ? static_cast<double>(mx[o]) : 0.0;
    std::vector<double> s = reduce_sum<double, T>(x, L, [](double v, double m) { return std::exp(v - m); }, c.data());
    for (size_t o = 0; o < s.size(); ++o) s[o] = std::log(s[o]) + c[o];
    write_outputs<T>(out, s, [](double v) { return v; });
  });
}

void extreme(const Tensor& x, const Dims& dims, bool is_max, const Tensor& values, const Tensor& indices) {
  const ReduceLayout L = make_reduce_layout(x, dims);
  dispatch_numeric(x.dtype(), is_max ? "max" : "min", [&](auto tag) {
    using T = decltype(tag);
    T* v = values.defined() ? static_cast<T*>(values.raw_data()) : nullptr;
    int64_t* i = indices.defined() ? indices.data<int64_t>() : nullptr;
    if (is_max)
      reduce_extreme<true, T>(x, L, v, i);
    else
      reduce_extreme<false, T>(x, L, v, i);
  });
}

void scatter_along_dim(const Tensor& grad, const Tensor& indices, int64_t dim, const Tensor& out) {
  dispatch_numeric(out.dtype(), "scatter_along_dim", [&](auto tag) {
    using T = decltype(tag);
    // out viewed with grad's shape: each element of the view is the [.., 0, ..] slot of its line along dim.
    const Tensor line_start = out.as_strided(grad.shape(), out.strides(), out.offset());
    T* o = static_cast<T*>(line_start.raw_data());
    const T* g = static_cast<const T*>(grad.raw_data());
    const int64_t* idx = indices.data<int64_t>();
    const int64_t step = out.strides()[dim];
    strided_loop<3>(grad.shape(), {&line_start.strides(), &grad.strides(), &indices.strides()},
                    [&](const int64_t* off, int64_t n, const int64_t* inc) {
                      for (int64_t i = 0; i < n; ++i)
                        o[off[0] + i * inc[0] + idx[off[2] + i * inc[2]] * step] = g[off[1] + i * inc[1]];
                    });
  });
}

}  // namespace htp::kernels::cpu
