// CUDA reductions, deterministic: no atomics, every sum is added in an order fixed by the shape alone.
//
// Geometry (as on the CPU, kernels/cpu/reduce_loops.h): x's dims split into kept dims (K outputs, row-major: the flat
// index of the contiguous output) and reduced dims (R positions per output, row-major, so that the flat position
// along one reduced dim is the index max/argmax return), each merged where contiguous. The R positions of an output
// are cut into U = ceil(R / kUnit) units of kUnit positions; each (output, unit) item is reduced on its own into a
// partial state, and a second kernel combines an output's U partials in unit order and writes the result. The
// decomposition depends only on the shape, so results are bitwise reproducible, and equal on any GPU.
//
// One of two kernels reduces the items, chosen by which dim is contiguous:
//   rows     (the reduced positions are contiguous, or nothing is): one warp per item; lane l takes positions
//            l, l + 32, … of the unit (coalesced), then a butterfly of warp shuffles (xor 16, 8, 4, 2, 1) combines
//            the 32 lane states.
//   columns  (the kept dim is contiguous and the reduced one is not: sum over dim 0 of [N, C], the bias gradient):
//            one thread per item, neighbouring threads on neighbouring outputs (coalesced), positions in order.
// Launch: kThreads-thread blocks, grid-stride over items, grid capped at the device's resident capacity.
//
// Accumulation: the sum family accumulates in double for floating x (float32 sums are then accurate to double
// precision and agree with the CPU, which does the same, to the last bit of the float32 result in almost every
// case; H100/A100 run double adds at half the float rate, and a reduction is bound by memory) and in int64 for
// integers. var is two passes (means, then squared deviations from them), logsumexp two (maximum, then Σ exp(x - m)
// with m's infinities replaced by 0). max/min keep (value, position) pairs and combine them by "larger (smaller)
// value, NaN counts as extreme, equal values: smaller position", which is order-independent and yields the CPU's
// first occurrence.
#include "kernels/cuda/reduce.h"

#include <algorithm>
#include <type_traits>

#include "kernels/cuda/elementwise.cuh"
#include "kernels/cuda/math.cuh"
#include "tensor/creation.h"

namespace htp::kernels::cuda {
namespace {

constexpr int64_t kUnit = 4096;  // reduced positions per independently reduced unit (128 per lane in rows mode)
constexpr unsigned kFullMask = 0xffffffffu;

__device__ __forceinline__ int64_t offset_of(const Indexer<1>& ix, int64_t i) {
  int64_t off[1];
  ix.offsets(i, off);
  return off[0];
}

// ---- reduction states and their combination --------------------------------------------------------------------

template <class T>
struct ValueIndex {
  T value;
  int64_t index;  // -1: no position seen yet
};

template <class T>
__device__ __forceinline__ T shfl_xor(T v, int mask) {
  if constexpr (sizeof(T) < 4)
    return static_cast<T>(__shfl_xor_sync(kFullMask, static_cast<int>(v), mask));
  else
    return __shfl_xor_sync(kFullMask, v, mask);
}

template <class T>
__device__ __forceinline__ ValueIndex<T> shfl_xor(ValueIndex<T> v, int mask) {
  return {shfl_xor(v.value, mask), shfl_xor(v.index, mask)};
}

template <class Op, class State>
__device__ __forceinline__ State warp_reduce(State s, const Op& op) {
#pragma unroll
  for (int mask = 16; mask > 0; mask /= 2) s = op.combine(s, shfl_xor(s, mask));
  return s;
}

// Σ map(Acc(x), center) in Acc; `centers` holds one per output (var, logsumexp) or is null (0).
template <class Acc, class Map>
struct SumOp {
  using State = Acc;
  Map map;
  const Acc* centers = nullptr;
  __device__ Acc center(int64_t o) const { return centers ? centers[o] : Acc(0); }
  __device__ State init() const { return Acc(0); }
  template <class T>
  __device__ State step(State s, T v, int64_t, Acc c) const {
    return s + map(static_cast<Acc>(v), c);
  }
  __device__ State combine(State a, State b) const { return a + b; }
};

template <class T, bool IsMax>
struct ExtremeOp {
  using State = ValueIndex<T>;
  __device__ int center(int64_t) const { return 0; }
  __device__ State init() const { return {T(0), -1}; }
  __device__ State step(State s, T v, int64_t r, int) const { return combine(s, {v, r}); }
  __device__ State combine(State a, State b) const {
    if (a.index < 0) return b;
    if (b.index < 0) return a;
    const bool a_nan = math::is_nan(a.value), b_nan = math::is_nan(b.value);
    if (a_nan || b_nan) {
      if (a_nan && b_nan) return a.index < b.index ? a : b;
      return a_nan ? a : b;
    }
    if (a.value == b.value) return a.index < b.index ? a : b;
    return (IsMax ? a.value > b.value : a.value < b.value) ? a : b;
  }
};

// ---- maps (element, center) -> term, and finishes (output, total) -> result ------------------------------------------

struct Keep {
  template <class A>
  __device__ A operator()(A v, A) const { return v; }
};
struct Square {
  __device__ double operator()(double v, double) const { return v * v; }
};
struct AbsValue {
  __device__ double operator()(double v, double) const { return math::fabs(v); }
};
struct NonZero {
  __device__ double operator()(double v, double) const { return v != 0.0 ? 1.0 : 0.0; }
};
struct PowAbs {
  double p;
  __device__ double operator()(double v, double) const { return math::pow(math::fabs(v), p); }
};
struct SquaredDeviation {
  __device__ double operator()(double v, double c) const { return (v - c) * (v - c); }
};
struct ExpShifted {
  __device__ double operator()(double v, double c) const { return math::exp(v - c); }
};

struct Total {
  template <class A>
  __device__ A operator()(int64_t, A s) const { return s; }
};
struct DivideBy {
  double r;
  __device__ double operator()(int64_t, double s) const { return s / r; }
};
struct SqrtOf {
  __device__ double operator()(int64_t, double s) const { return math::sqrt(s); }
};
struct RootOf {
  double p;
  __device__ double operator()(int64_t, double s) const { return math::pow(s, 1.0 / p); }
};
struct VarianceOf {
  double denom;  // R - correction
  __device__ double operator()(int64_t, double s) const { return denom > 0 ? s / denom : ::nan(""); }
};
struct LogPlusCenter {
  const double* centers;
  __device__ double operator()(int64_t o, double s) const { return math::log(s) + centers[o]; }
};

// out[o] = Out(g(o, total)).
template <class Out, class G>
struct Store {
  Out* out;
  G g;
  template <class S>
  __device__ void operator()(int64_t o, S s) const { out[o] = static_cast<Out>(g(o, s)); }
};

template <class T>
struct StoreExtreme {
  T* values;         // may be null
  int64_t* indices;  // may be null
  __device__ void operator()(int64_t o, ValueIndex<T> s) const {
    if (values) values[o] = s.value;
    if (indices) indices[o] = s.index;
  }
};

// logsumexp's shift: the maximum, or 0 where it is infinite (so that an all -inf output gives -inf, not NaN).
template <class T>
struct StoreFiniteMax {
  double* centers;
  __device__ void operator()(int64_t o, ValueIndex<T> s) const {
    centers[o] = math::is_finite(s.value) ? static_cast<double>(s.value) : 0.0;
  }
};

// ---- kernels ----------------------------------------------------------------------------------------------------------

template <class T, class Op>
__global__ void __launch_bounds__(kThreads) reduce_rows_kernel(const T* x, Indexer<1> kept, Indexer<1> reduced,
                                                                int64_t K, int64_t R, int64_t U, Op op,
                                                                typename Op::State* partial) {
  const int lane = threadIdx.x % 32;
  const int64_t warps = static_cast<int64_t>(gridDim.x) * (kThreads / 32);
  for (int64_t item = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32; item < K * U;
       item += warps) {  // warp-uniform: every lane of a warp has the same item
    const int64_t o = item / U, u = item % U;
    const T* base = x + offset_of(kept, o);
    const auto c = op.center(o);
    const int64_t end = (u + 1) * kUnit < R ? (u + 1) * kUnit : R;
    typename Op::State s = op.init();
    for (int64_t r = u * kUnit + lane; r < end; r += 32) s = op.step(s, base[offset_of(reduced, r)], r, c);
    s = warp_reduce(s, op);
    if (lane == 0) partial[item] = s;
  }
}

template <class T, class Op>
__global__ void __launch_bounds__(kThreads) reduce_columns_kernel(const T* x, Indexer<1> kept, Indexer<1> reduced,
                                                                   int64_t K, int64_t R, int64_t U, Op op,
                                                                   typename Op::State* partial) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t item = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; item < K * U; item += step) {
    const int64_t u = item / K, o = item % K;
    const T* base = x + offset_of(kept, o);
    const auto c = op.center(o);
    const int64_t end = (u + 1) * kUnit < R ? (u + 1) * kUnit : R;
    typename Op::State s = op.init();
    for (int64_t r = u * kUnit; r < end; ++r) s = op.step(s, base[offset_of(reduced, r)], r, c);
    partial[o * U + u] = s;
  }
}

// Output o combines its U partials in unit order, then `finish` writes it.
template <class Op, class Finish>
__global__ void __launch_bounds__(kThreads) reduce_finish_kernel(const typename Op::State* partial, int64_t K,
                                                                  int64_t U, Op op, Finish finish) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t o = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; o < K; o += step) {
    typename Op::State s = partial[o * U];
    for (int64_t u = 1; u < U; ++u) s = op.combine(s, partial[o * U + u]);
    finish(o, s);
  }
}

// ---- host side --------------------------------------------------------------------------------------------------------

struct Plan {
  Indexer<1> kept, reduced;
  int64_t K = 1, R = 1, U = 1;
  bool columns = false;
};

Plan make_plan(const Tensor& x, const Dims& dims, const char* op) {
  Shape ks, rs;
  Strides kst, rst;
  for (int64_t d = 0; d < x.dim(); ++d) {
    const bool reduced = std::find(dims.begin(), dims.end(), d) != dims.end();
    (reduced ? rs : ks).push_back(x.shape()[d]);
    (reduced ? rst : kst).push_back(x.strides()[d]);
  }
  const StridedLayout<1> kl = merge_dims<1>(ks, {&kst}), rl = merge_dims<1>(rs, {&rst});
  Plan p;
  p.kept = make_indexer(kl, op);
  p.reduced = make_indexer(rl, op);
  p.K = shape_numel(ks);
  p.R = shape_numel(rs);
  p.U = std::max<int64_t>(1, (p.R + kUnit - 1) / kUnit);
  p.columns = kl.strides[0].back() == 1 && rl.strides[0].back() != 1;
  return p;
}

// Reduces x (device type T) with `op` and hands each output's state to `finish`. The caller holds a DeviceGuard.
template <class T, class Op, class Finish>
void run_reduction(const char* name, const Tensor& x, const Plan& p, const Op& op, const Finish& finish) {
  if (p.K == 0) return;
  using State = typename Op::State;
  const int device = x.device().index;
  const cudaStream_t s = stream(device);
  const Tensor scratch = empty({p.K * p.U * static_cast<int64_t>(sizeof(State))}, DType::u8, x.device());
  State* partial = static_cast<State*>(scratch.raw_data());
  const T* xp = static_cast<const T*>(x.raw_data());
  const int64_t items = p.K * p.U;
  if (p.columns)
    reduce_columns_kernel<<<grid_size(device, items), kThreads, 0, s>>>(xp, p.kept, p.reduced, p.K, p.R, p.U, op,
                                                                         partial);
  else
    reduce_rows_kernel<<<grid_size(device, items * 32), kThreads, 0, s>>>(xp, p.kept, p.reduced, p.K, p.R, p.U, op,
                                                                           partial);
  check_launch(name);
  reduce_finish_kernel<<<grid_size(device, p.K), kThreads, 0, s>>>(partial, p.K, p.U, op, finish);
  check_launch(name);
}

// Σ map(x) written as Out(g(total)) for floating x.
template <class T, class Map, class G>
void floating_sum(const char* name, const Tensor& x, const Plan& p, Map map, G g, const Tensor& out,
                  const double* centers = nullptr) {
  run_reduction<T>(name, x, p, SumOp<double, Map>{map, centers}, Store<T, G>{static_cast<T*>(out.raw_data()), g});
}

// A per-output double buffer on x's device (var's means, logsumexp's shifts).
Tensor centers_for(const Tensor& x, const Plan& p) { return empty({p.K}, DType::f64, x.device()); }

}  // namespace

void sum(const Tensor& x, const Dims& dims, const Tensor& out) {
  DeviceGuard guard(x.device().index);
  const Plan p = make_plan(x, dims, "sum");
  dispatch_numeric(x.dtype(), "sum", [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>)
      floating_sum<T>("sum", x, p, Keep{}, Total{}, out);
    else
      run_reduction<T>("sum", x, p, SumOp<int64_t, Keep>{}, Store<int64_t, Total>{out.data<int64_t>(), {}});
  });
}

void mean(const Tensor& x, const Dims& dims, const Tensor& out) {
  DeviceGuard guard(x.device().index);
  const Plan p = make_plan(x, dims, "mean");
  dispatch_floating(x.dtype(), "mean", [&](auto tag) {
    using T = decltype(tag);
    floating_sum<T>("mean", x, p, Keep{}, DivideBy{static_cast<double>(p.R)}, out);
  });
}

void var(const Tensor& x, const Dims& dims, int64_t correction, const Tensor& out) {
  DeviceGuard guard(x.device().index);
  const Plan p = make_plan(x, dims, "var");
  dispatch_floating(x.dtype(), "var", [&](auto tag) {
    using T = decltype(tag);
    const Tensor means = centers_for(x, p);
    run_reduction<T>("var", x, p, SumOp<double, Keep>{},
                     Store<double, DivideBy>{means.data<double>(), {static_cast<double>(p.R)}});
    floating_sum<T>("var", x, p, SquaredDeviation{}, VarianceOf{static_cast<double>(p.R - correction)}, out,
                    means.data<double>());
  });
}

void norm(const Tensor& x, double p_norm, const Dims& dims, const Tensor& out) {
  DeviceGuard guard(x.device().index);
  const Plan p = make_plan(x, dims, "norm");
  dispatch_floating(x.dtype(), "norm", [&](auto tag) {
    using T = decltype(tag);
    if (p_norm == 2.0)
      floating_sum<T>("norm", x, p, Square{}, SqrtOf{}, out);
    else if (p_norm == 1.0)
      floating_sum<T>("norm", x, p, AbsValue{}, Total{}, out);
    else if (p_norm == 0.0)
      floating_sum<T>("norm", x, p, NonZero{}, Total{}, out);
    else
      floating_sum<T>("norm", x, p, PowAbs{p_norm}, RootOf{p_norm}, out);
  });
}

void logsumexp(const Tensor& x, const Dims& dims, const Tensor& out) {
  DeviceGuard guard(x.device().index);
  const Plan p = make_plan(x, dims, "logsumexp");
  dispatch_floating(x.dtype(), "logsumexp", [&](auto tag) {
    using T = decltype(tag);
    const Tensor shifts = centers_for(x, p);
    if (p.R > 0)
      run_reduction<T>("logsumexp", x, p, ExtremeOp<T, true>{}, StoreFiniteMax<T>{shifts.data<double>()});
    else if (p.K > 0)  // no positions: Σ = 0 and the result is log 0 + 0 = -inf
      HTP_CUDA_CHECK(cudaMemsetAsync(shifts.raw_data(), 0, static_cast<size_t>(p.K) * sizeof(double),
                                     stream(x.device().index)),
                     "logsumexp");
    const double* c = shifts.data<double>();
    floating_sum<T>("logsumexp", x, p, ExpShifted{}, LogPlusCenter{c}, out, c);
  });
}

void extreme(const Tensor& x, const Dims& dims, bool is_max, const Tensor& values, const Tensor& indices) {
  DeviceGuard guard(x.device().index);
  const Plan p = make_plan(x, dims, is_max ? "max" : "min");
  dispatch_numeric(x.dtype(), is_max ? "max" : "min", [&](auto tag) {
    using T = decltype(tag);
    const StoreExtreme<T> store{values.defined() ? static_cast<T*>(values.raw_data()) : nullptr,
                                indices.defined() ? indices.data<int64_t>() : nullptr};
    if (is_max)
      run_reduction<T>("max", x, p, ExtremeOp<T, true>{}, store);
    else
      run_reduction<T>("min", x, p, ExtremeOp<T, false>{}, store);
  });
}

namespace {

// out[line_start + indices[i] * step] = grad[i] over grad's shape (one index per line: no two threads write one
// element).
template <class T>
__global__ void __launch_bounds__(kThreads) scatter_along_dim_kernel(int64_t n, Indexer<3> ix, T* out, const T* grad,
                                                                      const int64_t* indices, int64_t step) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    int64_t off[3];
    ix.offsets(i, off);
    out[off[0] + indices[off[2]] * step] = grad[off[1]];
  }
}

}  // namespace

void scatter_along_dim(const Tensor& grad, const Tensor& indices, int64_t dim, const Tensor& out) {
  const int64_t n = grad.numel();
  if (n == 0) return;
  const int device = out.device().index;
  DeviceGuard guard(device);
  dispatch_numeric(out.dtype(), "scatter_along_dim", [&](auto tag) {
    using T = decltype(tag);
    // out viewed with grad's shape: each element of the view is the [.., 0, ..] slot of its line along dim.
    const Tensor line_start = out.as_strided(grad.shape(), out.strides(), out.offset());
    const StridedLayout<3> L =
        merge_dims<3>(grad.shape(), {&line_start.strides(), &grad.strides(), &indices.strides()});
    scatter_along_dim_kernel<<<grid_size(device, n), kThreads, 0, stream(device)>>>(
        n, make_indexer(L, "scatter_along_dim"), static_cast<T*>(line_start.raw_data()),
        static_cast<const T*>(grad.raw_data()), indices.data<int64_t>(), out.strides()[dim]);
    check_launch("scatter_along_dim");
  });
}

}  // namespace htp::kernels::cuda
