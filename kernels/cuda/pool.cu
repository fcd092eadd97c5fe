// CUDA 2-D pooling (math in kernels/pool.h), deterministic and bitwise equal to the CPU (kernels/cpu/pool.cpp):
// no atomics, every sum in the CPU's order.
//
// Forward: one thread per output element, the window walked in the CPU's order (rows, then columns). Max pooling
// keeps the first maximum (`v > best || isnan(v)`), so values and indices equal the CPU's, ties included.
// Backward, gather form: one thread per input element adds the gradients of the outputs that reach it, in increasing
// output order — the order in which the CPU's scatter loop adds them, so the sums have the same bits.
//   average pooling: the window geometry gives the candidate output rows/columns of an input row/column (a range
//     around (y + padding) / stride), each checked against its span.
//   max pooling: the backward gets no window geometry, only the indices, so the candidates come from the indices
//     themselves: bounds kernel: for every output row i, the smallest and largest input row any plane's indices in
//     that row point to (and likewise for columns), one block per output row (column) reducing over the planes;
//     ranges kernel: for every input row y, the first and last output rows whose bounds contain y; gather kernel:
//     the outputs in those ranges whose index is the input element. Correct for any in-range indices; for the
//     indices of a forward the ranges span about kernel / stride rows and columns.
// Launch: kThreads-thread blocks, grid-stride loops, grid capped at the device's resident capacity.
#include "kernels/cuda/pool.h"

#include <climits>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/runtime.h"
#include "tensor/creation.h"

namespace htp::kernels::cuda {
namespace {

constexpr unsigned kFullMask = 0xffffffffu;

#define HTP_POOL_GRID_STRIDE(i, n)                                                                    \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n);               \
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)

// ---- max pooling -----------------------------------------------------------------------------------------------

// One spatial dim of max pooling (kernels/cpu/pool.cpp's max_taps): output i reads start + a * dilation, a in [lo, hi).
struct MaxDim {
  int64_t in, kernel, stride, padding, dilation;
  __device__ void taps(int64_t i, int64_t& start, int64_t& lo, int64_t& hi) const {
    start = i * stride - padding;
    lo = start < 0 ? (-start + dilation - 1) / dilation : 0;
    hi = min(kernel, (in - start + dilation - 1) / dilation);
    lo = min(lo, hi);
  }
};

template <class T>
__global__ void __launch_bounds__(kThreads) max_forward_kernel(const T* x, T* values, int64_t* indices, int64_t n,
                                                               int64_t OH, int64_t OW, MaxDim rows, MaxDim cols) {
  const int64_t H = rows.in, W = cols.in;
  HTP_POOL_GRID_STRIDE(k, n) {
    const int64_t j = k % OW, i = (k / OW) % OH, plane = k / (OW * OH);
    int64_t rs, rlo, rhi, cs, clo, chi;
    rows.taps(i, rs, rlo, rhi);
    cols.taps(j, cs, clo, chi);
    const T* src = x + plane * H * W;
    T best = -INFINITY;
    int64_t best_index = (rs + rlo * rows.dilation) * W + cs + clo * cols.dilation;
    for (int64_t a = rlo; a < rhi; ++a) {
      const int64_t y = rs + a * rows.dilation;
      for (int64_t b = clo; b < chi; ++b) {
        const int64_t index = y * W + cs + b * cols.dilation;
        const T v = src[index];
        if (v > best || v != v) {
          best = v;
          best_index = index;
        }
      }
    }
    values[k] = best;
    indices[k] = best_index;
  }
}

__device__ __forceinline__ int warp_min(int v) {
#pragma unroll
  for (int mask = 16; mask > 0; mask /= 2) v = min(v, __shfl_xor_sync(kFullMask, v, mask));
  return v;
}
__device__ __forceinline__ int warp_max(int v) {
#pragma unroll
  for (int mask = 16; mask > 0; mask /= 2) v = max(v, __shfl_xor_sync(kFullMask, v, mask));
  return v;
}

// For every output row (by_rows) or column t: the smallest and largest input row (column) the indices of that output
// row (column) point to, over all planes. One block per t; INT_MAX / INT_MIN when nothing points anywhere.
__global__ void __launch_bounds__(kThreads) max_bounds_kernel(const int64_t* indices, int64_t planes, int64_t OH,
                                                              int64_t OW, int64_t W, bool by_rows, int* lo, int* hi) {
  __shared__ int smin[kThreads / 32], smax[kThreads / 32];
  const int64_t count = by_rows ? OH : OW, other = by_rows ? OW : OH;
  for (int64_t t = blockIdx.x; t < count; t += gridDim.x) {  // block-uniform
    int mn = INT_MAX, mx = INT_MIN;
    for (int64_t e = threadIdx.x; e < planes * other; e += kThreads) {
      const int64_t p = e / other, u = e - p * other;
      const int64_t k = by_rows ? (p * OH + t) * OW + u : (p * OH + u) * OW + t;
      const int v = static_cast<int>(by_rows ? indices[k] / W : indices[k] % W);
      mn = min(mn, v);
      mx = max(mx, v);
    }
    mn = warp_min(mn);
    mx = warp_max(mx);
    if (threadIdx.x % 32 == 0) {
      smin[threadIdx.x / 32] = mn;
      smax[threadIdx.x / 32] = mx;
    }
    __syncthreads();
    if (threadIdx.x == 0) {  // mn, mx: warp 0's
      for (int w = 1; w < kThreads / 32; ++w) {
        mn = min(mn, smin[w]);
        mx = max(mx, smax[w]);
      }
      lo[t] = mn;
      hi[t] = mx;
    }
    __syncthreads();
  }
}

// For every input row (column) y: the first and last output row (column) whose bounds contain y; first > last when
// none does. The first H entries are rows, the next W columns.
__global__ void __launch_bounds__(kThreads) max_ranges_kernel(const int* bounds, int64_t H, int64_t W, int64_t OH,
                                                              int64_t OW, int* first, int* last) {
  HTP_POOL_GRID_STRIDE(y, H + W) {
    const bool row = y < H;
    const int v = static_cast<int>(row ? y : y - H);
    const int64_t n = row ? OH : OW;
    const int* lo = bounds + (row ? 0 : 2 * OH);
    const int* hi = lo + n;
    int f = 1, l = 0;
    for (int64_t t = 0; t < n; ++t)
      if (lo[t] <= v && v <= hi[t]) {
        if (f > l) f = static_cast<int>(t);
        l = static_cast<int>(t);
      }
    first[y] = f;
    last[y] = l;
  }
}

template <class T>
__global__ void __launch_bounds__(kThreads) max_backward_kernel(const T* gy, const int64_t* indices, T* gx, int64_t n,
                                                                int64_t H, int64_t W, int64_t OH, int64_t OW,
                                                                const int* first, const int* last) {
  HTP_POOL_GRID_STRIDE(e, n) {
    const int64_t x = e % W, y = (e / W) % H, plane = e / (W * H), target = y * W + x;
    T acc = 0;
    for (int64_t i = first[y]; i <= last[y]; ++i)
      for (int64_t j = first[H + x]; j <= last[H + x]; ++j) {
        const int64_t k = (plane * OH + i) * OW + j;
        if (indices[k] == target) acc += gy[k];
      }
    gx[e] = acc;
  }
}

// ---- average pooling -------------------------------------------------------------------------------------------

struct Span {
  int64_t begin, end, count;
};

// One spatial dim of avg_pool2d or adaptive_avg_pool2d (kernels/cpu/pool.cpp's avg_spans / adaptive_spans).
struct AvgDim {
  int64_t in, out, kernel, stride, padding;
  bool adaptive, count_include_pad;

  __device__ Span span(int64_t i) const {
    if (adaptive) {
      const int64_t begin = i * in / out, end = ((i + 1) * in + out - 1) / out;
      return {begin, end, end - begin};
    }
    const int64_t start = i * stride - padding, stop = min(start + kernel, in + padding);
    const int64_t begin = max(start, int64_t{0}), end = min(stop, in);
    return {begin, end, count_include_pad ? stop - start : end - begin};
  }
  // Outputs first..last may contain input position y (each is checked against its span).
  __device__ void candidates(int64_t y, int64_t& first, int64_t& last) const {
    if (adaptive) {
      first = y * out / in;
      last = ((y + 1) * out - 1) / in;
    } else {
      const int64_t need = y + padding - kernel + 1;  // i * stride >= need
      first = need <= 0 ? 0 : (need + stride - 1) / stride;
      last = (y + padding) / stride;
    }
    last = min(last, out - 1);
  }
};

template <class T>
__global__ void __launch_bounds__(kThreads) avg_forward_kernel(const T* x, T* y, int64_t n, AvgDim rows, AvgDim cols,
                                                               int64_t divisor) {
  const int64_t H = rows.in, W = cols.in, OH = rows.out, OW = cols.out;
  HTP_POOL_GRID_STRIDE(k, n) {
    const int64_t j = k % OW, i = (k / OW) % OH, plane = k / (OW * OH);
    const Span r = rows.span(i), c = cols.span(j);
    const T* src = x + plane * H * W;
    T sum = 0;
    for (int64_t yy = r.begin; yy < r.end; ++yy)
      for (int64_t xx = c.begin; xx < c.end; ++xx) sum += src[yy * W + xx];
    y[k] = sum / static_cast<T>(divisor ? divisor : r.count * c.count);
  }
}

template <class T>
__global__ void __launch_bounds__(kThreads) avg_backward_kernel(const T* gy, T* gx, int64_t n, AvgDim rows,
                                                                AvgDim cols, int64_t divisor) {
  const int64_t H = rows.in, W = cols.in, OH = rows.out, OW = cols.out;
  HTP_POOL_GRID_STRIDE(e, n) {
    const int64_t x = e % W, y = (e / W) % H, plane = e / (W * H);
    int64_t i0, i1, j0, j1;
    rows.candidates(y, i0, i1);
    cols.candidates(x, j0, j1);
    T acc = 0;
    for (int64_t i = i0; i <= i1; ++i) {
      const Span r = rows.span(i);
      if (y < r.begin || y >= r.end) continue;
      for (int64_t j = j0; j <= j1; ++j) {
        const Span c = cols.span(j);
        if (x < c.begin || x >= c.end) continue;
        acc += gy[(plane * OH + i) * OW + j] / static_cast<T>(divisor ? divisor : r.count * c.count);
      }
    }
    gx[e] = acc;
  }
}

#undef HTP_POOL_GRID_STRIDE

// ---- host side -------------------------------------------------------------------------------------------------

AvgDim avg_dim(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding, bool count_include_pad) {
  return {in, out, kernel, stride, padding, false, count_include_pad};
}
AvgDim adaptive_dim(int64_t in, int64_t out) { return {in, out, 1, 1, 0, true, false}; }

template <class T>
void avg_forward(const Tensor& x, const AvgDim& rows, const AvgDim& cols, int64_t divisor, const Tensor& out,
                 const char* op) {
  const int64_t n = out.numel();
  if (n == 0) return;
  const int device = x.device().index;
  DeviceGuard guard(device);
  avg_forward_kernel<<<grid_size(device, n), kThreads, 0, stream(device)>>>(x.data<T>(), out.data<T>(), n, rows, cols,
                                                                            divisor);
  check_launch(op);
}

template <class T>
void avg_backward(const Tensor& grad_out, const AvgDim& rows, const AvgDim& cols, int64_t divisor,
                  const Tensor& grad_in, const char* op) {
  const int64_t n = grad_in.numel();
  if (n == 0) return;
  const int device = grad_in.device().index;
  DeviceGuard guard(device);
  avg_backward_kernel<<<grid_size(device, n), kThreads, 0, stream(device)>>>(grad_out.data<T>(), grad_in.data<T>(), n,
                                                                             rows, cols, divisor);
  check_launch(op);
}

}  // namespace

void max_pool2d_forward(const Tensor& x, const MaxPool2dParams& p, const Tensor& values, const Tensor& indices) {
  const int64_t n = values.numel();
  if (n == 0) return;
  const int device = x.device().index;
  DeviceGuard guard(device);
  const MaxDim rows{x.size(2), p.kernel[0], p.stride[0], p.padding[0], p.dilation[0]};
  const MaxDim cols{x.size(3), p.kernel[1], p.stride[1], p.padding[1], p.dilation[1]};
  dispatch_floating(x.dtype(), "max_pool2d", [&](auto tag) {
    using T = decltype(tag);
    max_forward_kernel<<<grid_size(device, n), kThreads, 0, stream(device)>>>(
        x.data<T>(), values.data<T>(), indices.data<int64_t>(), n, values.size(2), values.size(3), rows, cols);
    check_launch("max_pool2d");
  });
}

void max_pool2d_backward(const Tensor& grad_out, const Tensor& indices, const Tensor& grad_in) {
  const char* op = "max_pool2d_backward";
  const int64_t n = grad_in.numel();
  if (n == 0) return;
  const int device = grad_in.device().index;
  DeviceGuard guard(device);
  const cudaStream_t s = stream(device);
  const int64_t planes = grad_in.size(0) * grad_in.size(1), H = grad_in.size(2), W = grad_in.size(3);
  const int64_t OH = grad_out.size(2), OW = grad_out.size(3);
  if (OH * OW == 0) {
    HTP_CUDA_CHECK(cudaMemsetAsync(grad_in.raw_data(), 0, static_cast<size_t>(n) * grad_in.element_size(), s), op);
    return;
  }
  // bounds: row lo [OH], row hi [OH], column lo [OW], column hi [OW]; first / last: [H + W] each.
  const Tensor work = empty({2 * (OH + OW) + 2 * (H + W)}, DType::i32, grad_in.device());
  int* bounds = work.data<int32_t>();
  int* first = bounds + 2 * (OH + OW);
  int* last = first + H + W;
  const int64_t* ip = indices.data<int64_t>();
  max_bounds_kernel<<<grid_size(device, OH * kThreads), kThreads, 0, s>>>(ip, planes, OH, OW, W, true, bounds,
                                                                          bounds + OH);
  check_launch(op);
  max_bounds_kernel<<<grid_size(device, OW * kThreads), kThreads, 0, s>>>(ip, planes, OH, OW, W, false,
                                                                          bounds + 2 * OH, bounds + 2 * OH + OW);
  check_launch(op);
  max_ranges_kernel<<<grid_size(device, H + W), kThreads, 0, s>>>(bounds, H, W, OH, OW, first, last);
  check_launch(op);
  dispatch_floating(grad_out.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    max_backward_kernel<<<grid_size(device, n), kThreads, 0, s>>>(grad_out.data<T>(), ip, grad_in.data<T>(), n, H, W,
                                                                  OH, OW, first, last);
    check_launch(op);
  });
}

void avg_pool2d_forward(const Tensor& x, const AvgPool2dParams& p, const Tensor& out) {
  const AvgDim rows = avg_dim(x.size(2), out.size(2), p.kernel[0], p.stride[0], p.padding[0], p.count_include_pad);
  const AvgDim cols = avg_dim(x.size(3), out.size(3), p.kernel[1], p.stride[1], p.padding[1], p.count_include_pad);
  const int64_t divisor = p.divisor_override.value_or(0);
  dispatch_floating(x.dtype(), "avg_pool2d",
                    [&](auto tag) { avg_forward<decltype(tag)>(x, rows, cols, divisor, out, "avg_pool2d"); });
}

void avg_pool2d_backward(const Tensor& grad_out, const AvgPool2dParams& p, const Tensor& grad_in) {
  const AvgDim rows =
      avg_dim(grad_in.size(2), grad_out.size(2), p.kernel[0], p.stride[0], p.padding[0], p.count_include_pad);
  const AvgDim cols =
      avg_dim(grad_in.size(3), grad_out.size(3), p.kernel[1], p.stride[1], p.padding[1], p.count_include_pad);
  const int64_t divisor = p.divisor_override.value_or(0);
  dispatch_floating(grad_out.dtype(), "avg_pool2d_backward", [&](auto tag) {
    avg_backward<decltype(tag)>(grad_out, rows, cols, divisor, grad_in, "avg_pool2d_backward");
  });
}

void adaptive_avg_pool2d_forward(const Tensor& x, const Tensor& out) {
  const AvgDim rows = adaptive_dim(x.size(2), out.size(2)), cols = adaptive_dim(x.size(3), out.size(3));
  dispatch_floating(x.dtype(), "adaptive_avg_pool2d",
                    [&](auto tag) { avg_forward<decltype(tag)>(x, rows, cols, 0, out, "adaptive_avg_pool2d"); });
}

void adaptive_avg_pool2d_backward(const Tensor& grad_out, const Tensor& grad_in) {
  const AvgDim rows = adaptive_dim(grad_in.size(2), grad_out.size(2));
  const AvgDim cols = adaptive_dim(grad_in.size(3), grad_out.size(3));
  dispatch_floating(grad_out.dtype(), "adaptive_avg_pool2d_backward", [&](auto tag) {
    avg_backward<decltype(tag)>(grad_out, rows, cols, 0, grad_in, "adaptive_avg_pool2d_backward");
  });
}

}  // namespace htp::kernels::cuda
