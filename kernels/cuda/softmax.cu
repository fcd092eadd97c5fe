// CUDA softmax, log-softmax and their backward kernels (math in kernels/softmax.h), computed in the tensor's dtype.
//
// A contiguous tensor is viewed as [outer, n, inner] with n the size of the softmax dim. Two kernel shapes:
//   inner == 1 (softmax over the last dim): each row of n contiguous elements is handled by one group of threads —
//     a warp when n <= kWarpRowMax (8 rows per 256-thread block, at most 32 elements per lane), else the whole
//     block. Threads stride over the row (coalesced); the row maximum and the sum are combined by a butterfly of
//     warp shuffles and, for a block, the 8 warp results in warp order through shared memory, so every thread gets
//     the same bits. Passes: max, Σ exp(x - max) (softmax stores the exponentials on the way), normalise.
//   inner > 1: one thread per column (outer index, inner index), neighbouring threads on neighbouring columns
//     (coalesced), walking the n elements of its column in order, exactly like the CPU's column loop.
// Backward: softmax dx = y (g - Σ g y), log_softmax dx = g - exp(y) Σ g, with the same two shapes.
// Float32 sums are float32 sums (as on the CPU), in a tree order on rows, so they may differ from the CPU's in the
// last bits. Launch: kThreads-thread blocks, grid-stride over rows/columns, grid capped at the resident capacity.
#include "kernels/cuda/softmax.h"

#include "kernels/cpu/dim_layout.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/math.cuh"
#include "kernels/cuda/runtime.h"

namespace htp::kernels::cuda {
namespace {

constexpr int64_t kWarpRowMax = 1024;  // longest row handled by a single warp
constexpr unsigned kFullMask = 0xffffffffu;

// std::max(a, b), and addition, as functors for the group reduction.
struct Max {
  template <class T>
  __device__ T operator()(T a, T b) const { return a < b ? b : a; }
};
struct Add {
  template <class T>
  __device__ T operator()(T a, T b) const { return a + b; }
};

// Every thread of a kWarps-warp group gets op over the group's v. A multi-warp group is the whole block; smem holds
// one slot per warp.
template <int kWarps, class T, class Op>
__device__ __forceinline__ T group_allreduce(T v, Op op, T* smem) {
#pragma unroll
  for (int mask = 16; mask > 0; mask /= 2) v = op(v, __shfl_xor_sync(kFullMask, v, mask));
  if constexpr (kWarps == 1) {
    return v;
  } else {
    static_assert(kWarps == kThreads / 32, "a multi-warp group is the whole block");
    if (threadIdx.x % 32 == 0) smem[threadIdx.x / 32] = v;
    __syncthreads();
    T r = smem[0];
#pragma unroll
    for (int w = 1; w < kWarps; ++w) r = op(r, smem[w]);
    __syncthreads();  // the slots are reused by the next reduction
    return r;
  }
}

// ---- rows (inner == 1) ---------------------------------------------------------------------------------------------

template <int kWarps, class T, bool Log>
__global__ void __launch_bounds__(kThreads) forward_rows_kernel(const T* x, T* y, int64_t rows, int64_t n) {
  __shared__ T smem[kThreads / 32];
  constexpr int kGroup = 32 * kWarps, kRowsPerBlock = kThreads / kGroup;
  const int t = threadIdx.x % kGroup;
  // The row is uniform over a group (a block when kWarps > 1), so the whole group runs the same iterations.
  for (int64_t row = static_cast<int64_t>(blockIdx.x) * kRowsPerBlock + threadIdx.x / kGroup; row < rows;
       row += static_cast<int64_t>(gridDim.x) * kRowsPerBlock) {
    const T* xr = x + row * n;
    T* yr = y + row * n;
    T m = T(-INFINITY);
    for (int64_t i = t; i < n; i += kGroup) m = Max{}(m, xr[i]);
    m = group_allreduce<kWarps>(m, Max{}, smem);
    T s = 0;
    if constexpr (Log) {
      for (int64_t i = t; i < n; i += kGroup) s += math::exp(xr[i] - m);
      const T log_s = math::log(group_allreduce<kWarps>(s, Add{}, smem));
      for (int64_t i = t; i < n; i += kGroup) yr[i] = (xr[i] - m) - log_s;
    } else {
      for (int64_t i = t; i < n; i += kGroup) {
        const T e = math::exp(xr[i] - m);
        yr[i] = e;
        s += e;
      }
      const T inv = T(1) / group_allreduce<kWarps>(s, Add{}, smem);
      for (int64_t i = t; i < n; i += kGroup) yr[i] *= inv;  // the elements this thread wrote above
    }
  }
}

template <int kWarps, class T, bool Log>
__global__ void __launch_bounds__(kThreads) backward_rows_kernel(const T* g, const T* y, T* dx, int64_t rows,
                                                                 int64_t n) {
  __shared__ T smem[kThreads / 32];
  constexpr int kGroup = 32 * kWarps, kRowsPerBlock = kThreads / kGroup;
  const int t = threadIdx.x % kGroup;
  for (int64_t row = static_cast<int64_t>(blockIdx.x) * kRowsPerBlock + threadIdx.x / kGroup; row < rows;
       row += static_cast<int64_t>(gridDim.x) * kRowsPerBlock) {
    const T* gr = g + row * n;
    const T* yr = y + row * n;
    T* dr = dx + row * n;
    T s = 0;
    for (int64_t i = t; i < n; i += kGroup) s += Log ? gr[i] : gr[i] * yr[i];
    s = group_allreduce<kWarps>(s, Add{}, smem);
    for (int64_t i = t; i < n; i += kGroup) dr[i] = Log ? gr[i] - math::exp(yr[i]) * s : yr[i] * (gr[i] - s);
  }
}

// ---- columns (inner > 1) -------------------------------------------------------------------------------------------

template <class T, bool Log>
__global__ void __launch_bounds__(kThreads) forward_columns_kernel(const T* x, T* y, int64_t outer, int64_t n,
                                                                   int64_t inner) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < outer * inner; c += step) {
    const int64_t o = c / inner, j = c - o * inner;
    const T* xc = x + o * n * inner + j;
    T* yc = y + o * n * inner + j;
    T m = xc[0];
    for (int64_t i = 1; i < n; ++i) m = Max{}(m, xc[i * inner]);
    T s = 0;
    for (int64_t i = 0; i < n; ++i) {
      const T e = math::exp(xc[i * inner] - m);
      if constexpr (!Log) yc[i * inner] = e;
      s += e;
    }
    if constexpr (Log) {
      const T log_s = math::log(s);
      for (int64_t i = 0; i < n; ++i) yc[i * inner] = (xc[i * inner] - m) - log_s;
    } else {
      const T inv = T(1) / s;
      for (int64_t i = 0; i < n; ++i) yc[i * inner] *= inv;
    }
  }
}

template <class T, bool Log>
__global__ void __launch_bounds__(kThreads) backward_columns_kernel(const T* g, const T* y, T* dx, int64_t outer,
                                                                    int64_t n, int64_t inner) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < outer * inner; c += step) {
    const int64_t o = c / inner, j = c - o * inner, base = o * n * inner + j;
    T s = 0;
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = base + i * inner;
      s += Log ? g[k] : g[k] * y[k];
    }
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = base + i * inner;
      dx[k] = Log ? g[k] - math::exp(y[k]) * s : y[k] * (g[k] - s);
    }
  }
}

// ---- host side -----------------------------------------------------------------------------------------------------

template <bool Log>
void forward(const Tensor& x, int64_t dim, const Tensor& y) {
  if (x.numel() == 0) return;
  const char* op = Log ? "log_softmax" : "softmax";
  const int device = x.device().index;
  DeviceGuard guard(device);
  const cudaStream_t s = stream(device);
  const cpu::DimLayout l = cpu::dim_layout(x.shape(), dim);
  dispatch_floating(x.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    const T* xp = x.data<T>();
    T* yp = y.data<T>();
    if (l.inner > 1)
      forward_columns_kernel<T, Log><<<grid_size(device, l.outer * l.inner), kThreads, 0, s>>>(xp, yp, l.outer, l.n,
                                                                                               l.inner);
    else if (l.n <= kWarpRowMax)
      forward_rows_kernel<1, T, Log><<<grid_size(device, l.outer * 32), kThreads, 0, s>>>(xp, yp, l.outer, l.n);
    else
      forward_rows_kernel<kThreads / 32, T, Log><<<grid_size(device, l.outer * kThreads), kThreads, 0, s>>>(
          xp, yp, l.outer, l.n);
    check_launch(op);
  });
}

template <bool Log>
void backward(const Tensor& grad_y, const Tensor& y, int64_t dim, const Tensor& grad_x) {
  if (y.numel() == 0) return;
  const char* op = Log ? "log_softmax_backward" : "softmax_backward";
  const int device = y.device().index;
  DeviceGuard guard(device);
  const cudaStream_t s = stream(device);
  const cpu::DimLayout l = cpu::dim_layout(y.shape(), dim);
  dispatch_floating(y.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    const T* gp = grad_y.data<T>();
    const T* yp = y.data<T>();
    T* dp = grad_x.data<T>();
    if (l.inner > 1)
      backward_columns_kernel<T, Log><<<grid_size(device, l.outer * l.inner), kThreads, 0, s>>>(gp, yp, dp, l.outer,
                                                                                                l.n, l.inner);
    else if (l.n <= kWarpRowMax)
      backward_rows_kernel<1, T, Log><<<grid_size(device, l.outer * 32), kThreads, 0, s>>>(gp, yp, dp, l.outer, l.n);
    else
      backward_rows_kernel<kThreads / 32, T, Log><<<grid_size(device, l.outer * kThreads), kThreads, 0, s>>>(
          gp, yp, dp, l.outer, l.n);
    check_launch(op);
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

}  // namespace htp::kernels::cuda
