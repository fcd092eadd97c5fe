// The one elementwise launcher under every unary, binary and ternary CUDA kernel, and under copies and fills.
//
//   launch_elementwise<float, float, float>("add", out, {a, b}, Add{});
//
// computes out[i] = f(in_0[i], …, in_k[i]) for every index i of out's shape, on out's device and stream. Inputs
// already have out's shape (broadcast inputs are expanded views with stride 0) and element types In… exactly (the
// device types of kernels/cuda/device_types.cuh); out may alias an input element for element (each element is read
// and written by one thread). f is a functor with a __device__ operator().
//
// Dimensions contiguous in every operand are merged first (tensor/strided_loop.h). Two kernels:
//   contiguous: one merged dimension, out stride 1, every input stride 1 or 0 (a broadcast scalar, loaded once).
//     Each thread handles V elements per step with 128-bit loads and stores (V = 16 bytes / the largest element
//     size) when every pointer is aligned to its V-element vector, else V = 1; the n % V tail elements are done by
//     the first threads of the grid, one each.
//   strided: anything else, up to kMaxDims merged dimensions. The flat output index is split into coordinates
//     (div/mod, innermost first, int64) and every operand's element offset accumulated from its strides.
// Both use grid-stride loops over kThreads-thread blocks, the grid capped at the device's resident capacity.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <tuple>
#include <utility>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/runtime.h"
#include "tensor/strided_loop.h"
#include "tensor/tensor.h"

namespace htp::kernels::cuda {

inline constexpr int kMaxDims = 8;

// Element offsets of N operands sharing one (merged) shape, from a flat row-major index.
template <int N>
struct Indexer {
  int ndim = 0;
  int64_t size[kMaxDims];
  int64_t stride[kMaxDims][N];

  __device__ __forceinline__ void offsets(int64_t i, int64_t (&off)[N]) const {
#pragma unroll
    for (int k = 0; k < N; ++k) off[k] = 0;
    for (int d = ndim - 1; d > 0; --d) {
      const int64_t q = i / size[d];
      const int64_t idx = i - q * size[d];
      i = q;
#pragma unroll
      for (int k = 0; k < N; ++k) off[k] += idx * stride[d][k];
    }
#pragma unroll
    for (int k = 0; k < N; ++k) off[k] += i * stride[0][k];  // the outermost coordinate needs no modulo
  }
};

// An Indexer for a merged layout; `op` names the caller in the error for layouts beyond kMaxDims dimensions.
template <size_t N>
Indexer<static_cast<int>(N)> make_indexer(const StridedLayout<N>& L, const char* op) {
  HTP_CHECK(L.shape.size() <= static_cast<size_t>(kMaxDims), op, ": the CUDA kernels handle up to ", kMaxDims,
            " non-mergeable dimensions, got ", L.shape.size(), " (shape ", shape_str(L.shape), ")");
  Indexer<static_cast<int>(N)> ix;
  ix.ndim = static_cast<int>(L.shape.size());
  for (int d = 0; d < ix.ndim; ++d) {
    ix.size[d] = L.shape[d];
    for (size_t k = 0; k < N; ++k) ix.stride[d][k] = L.strides[k][d];
  }
  return ix;
}

template <class T, int V>
struct alignas(sizeof(T) * V) Vec {
  T v[V];
};

template <class T>
struct Operand {
  const T* p;
  bool scalar;  // stride 0: every element is p[0]
};

namespace elementwise_detail {

template <int V, class T>
__device__ __forceinline__ Vec<T, V> load(const Operand<T>& a, int64_t vi) {
  if (a.scalar) {
    Vec<T, V> r;
    const T x = a.p[0];
#pragma unroll
    for (int j = 0; j < V; ++j) r.v[j] = x;
    return r;
  }
  return reinterpret_cast<const Vec<T, V>*>(a.p)[vi];
}

template <class Out, int V, class F, class... In>
__device__ __forceinline__ Vec<Out, V> apply(const F& f, const Vec<In, V>&... x) {
  Vec<Out, V> r;
#pragma unroll
  for (int j = 0; j < V; ++j) r.v[j] = static_cast<Out>(f(x.v[j]...));
  return r;
}

template <class Out, class F, class... In, size_t... I>
__device__ __forceinline__ void apply_at(Out* out, const int64_t* off, const F& f, std::index_sequence<I...>,
                                         const In*... in) {
  out[off[0]] = static_cast<Out>(f(in[off[I + 1]]...));
}

template <int V, class Out, class F, class... In>
__global__ void __launch_bounds__(kThreads) contiguous_kernel(int64_t n, F f, Out* out, Operand<In>... in) {
  const int64_t tid = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  const int64_t nvec = n / V;
  for (int64_t vi = tid; vi < nvec; vi += step)
    reinterpret_cast<Vec<Out, V>*>(out)[vi] = apply<Out, V>(f, load<V>(in, vi)...);
  const int64_t tail = nvec * V + tid;  // V > 1 only: the n % V leftover elements
  if (tail < n) out[tail] = static_cast<Out>(f((in.scalar ? in.p[0] : in.p[tail])...));
}

template <class Out, class F, class... In>
__global__ void __launch_bounds__(kThreads) strided_kernel(int64_t n, Indexer<1 + sizeof...(In)> ix, F f, Out* out,
                                                            const In*... in) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t off[1 + sizeof...(In)];
    ix.offsets(i, off);
    apply_at(out, off, f, std::index_sequence_for<In...>{}, in...);
  }
}

template <class T>
bool aligned(const T* p, int v) {
  return reinterpret_cast<uintptr_t>(p) % (sizeof(T) * static_cast<size_t>(v)) == 0;
}

}  // namespace elementwise_detail

template <class Out, class... In, class F>
void launch_elementwise(const char* op, const Tensor& out, const std::array<Tensor, sizeof...(In)>& ins, F f) {
  using namespace elementwise_detail;
  constexpr size_t N = 1 + sizeof...(In);
  const int64_t n = out.numel();
  if (n == 0) return;
  const int device = out.device().index;
  DeviceGuard guard(device);
  const cudaStream_t s = stream(device);
  using Seq = std::index_sequence_for<In...>;
  const auto strides = [&]<size_t... I>(std::index_sequence<I...>) {
    return std::array<const Strides*, N>{&out.strides(), &ins[I].strides()...};
  }(Seq{});
  const StridedLayout<N> L = merge_dims<N>(out.shape(), strides);
  Out* o = static_cast<Out*>(out.raw_data());

  bool contiguous = L.shape.size() == 1 && L.strides[0][0] == 1;
  for (size_t k = 1; k < N; ++k) contiguous = contiguous && (L.strides[k][0] == 0 || L.strides[k][0] == 1);
  if (contiguous) {
    const auto operands = [&]<size_t... I>(std::index_sequence<I...>) {
      return std::make_tuple(Operand<In>{static_cast<const In*>(ins[I].raw_data()), L.strides[I + 1][0] == 0}...);
    }(Seq{});
    constexpr int V = static_cast<int>(16 / std::max({sizeof(Out), sizeof(In)...}));
    const bool vectorise = aligned(o, V) && std::apply([](const auto&... a) { return (... && (a.scalar || aligned(a.p, V))); },
                                                      operands);
    std::apply(
        [&](const auto&... a) {
          if (vectorise)
            contiguous_kernel<V, Out><<<grid_size(device, (n + V - 1) / V), kThreads, 0, s>>>(n, f, o, a...);
          else
            contiguous_kernel<1, Out><<<grid_size(device, n), kThreads, 0, s>>>(n, f, o, a...);
        },
        operands);
  } else {
    const Indexer<static_cast<int>(N)> ix = make_indexer(L, op);
    [&]<size_t... I>(std::index_sequence<I...>) {
      strided_kernel<Out><<<grid_size(device, n), kThreads, 0, s>>>(n, ix, f, o,
                                                                     static_cast<const In*>(ins[I].raw_data())...);
    }(Seq{});
  }
  check_launch(op);
}

}  // namespace htp::kernels::cuda
