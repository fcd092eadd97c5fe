// CUDA bilinear resampling (math in kernels/interpolate.h), bitwise equal to the CPU (kernels/cpu/interpolate.cpp).
//
// Taps (source rows / columns and weights) are computed per output row and column on the device with the CPU's
// formula in the tensor's dtype, the scale computed on the host as the CPU does, and exact:: operations (no fused
// multiply-add), so they are the CPU's bits. Forward: one thread per output element. Backward, gather form (no
// atomics): one thread per input element (y, x) walks the outputs whose taps reach it in increasing output order and,
// per output, its four terms in the CPU's order, so every sum is added in the CPU's order. The source row of output i
// is nondecreasing in i, so the outputs reading row y (source row y - 1 or y) form a range found by binary search.
#include "kernels/cuda/interpolate.h"

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/exact_ops.cuh"
#include "kernels/cuda/runtime.h"

namespace htp::kernels::cuda {
namespace {

template <class T>
struct Tap {
  int64_t i0, i1;
  T w0, w1;
};

// One spatial dim: PyTorch's area_pixel_compute_source_index (kernels/cpu/interpolate.cpp's bilinear_taps).
template <class T>
struct Axis {
  int64_t in, out;
  T scale;
  bool align_corners;

  __device__ Tap<T> tap(int64_t i) const {
    const T fi = static_cast<T>(i);
    T src;
    if (align_corners) {
      src = exact::mul(scale, fi);
    } else {
      src = exact::sub(exact::mul(scale, exact::add(fi, T(0.5))), T(0.5));
      src = src < T(0) ? T(0) : src;
    }
    const int64_t i0 = min(static_cast<int64_t>(src), in - 1);
    const T w1 = exact::sub(src, static_cast<T>(i0));
    return {i0, i0 + (i0 < in - 1 ? 1 : 0), exact::sub(T(1), w1), w1};
  }
  // The smallest output whose source row i0 is >= v (out when none).
  __device__ int64_t first_at_least(int64_t v) const {
    int64_t lo = 0, hi = out;
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      if (tap(mid).i0 >= v)
        hi = mid;
      else
        lo = mid + 1;
    }
    return lo;
  }
};

template <class T>
Axis<T> make_axis(int64_t in, int64_t out, bool align_corners) {
  const T scale = align_corners ? (out > 1 ? static_cast<T>(in - 1) / static_cast<T>(out - 1) : T(0))
                                : static_cast<T>(in) / static_cast<T>(out);
  return {in, out, scale, align_corners};
}

template <class T>
__global__ void __launch_bounds__(kThreads) forward_kernel(const T* x, T* y, int64_t n, Axis<T> rows, Axis<T> cols) {
  const int64_t H = rows.in, W = cols.in, OH = rows.out, OW = cols.out;
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t k = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; k < n; k += step) {
    const int64_t j = k % OW, i = (k / OW) % OH, plane = k / (OW * OH);
    const Tap<T> r = rows.tap(i), c = cols.tap(j);
    const T* r0 = x + (plane * H + r.i0) * W;
    const T* r1 = x + (plane * H + r.i1) * W;
    const T top = exact::add(exact::mul(c.w0, r0[c.i0]), exact::mul(c.w1, r0[c.i1]));
    const T bottom = exact::add(exact::mul(c.w0, r1[c.i0]), exact::mul(c.w1, r1[c.i1]));
    y[k] = exact::add(exact::mul(r.w0, top), exact::mul(r.w1, bottom));
  }
}

template <class T>
__global__ void __launch_bounds__(kThreads) backward_kernel(const T* gy, T* gx, int64_t n, Axis<T> rows,
                                                            Axis<T> cols) {
  const int64_t H = rows.in, W = cols.in, OH = rows.out, OW = cols.out;
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t e = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < n; e += step) {
    const int64_t x = e % W, y = (e / W) % H, plane = e / (W * H);
    const int64_t i_end = rows.first_at_least(y + 1), j_begin = cols.first_at_least(x - 1),
                  j_end = cols.first_at_least(x + 1);
    T acc = 0;
    for (int64_t i = rows.first_at_least(y - 1); i < i_end; ++i) {
      const Tap<T> r = rows.tap(i);
      if (r.i0 != y && r.i1 != y) continue;
      for (int64_t j = j_begin; j < j_end; ++j) {
        const Tap<T> c = cols.tap(j);
        const T g = gy[(plane * OH + i) * OW + j];
        // The CPU's order within one output: (i0, j0), (i0, j1), (i1, j0), (i1, j1).
        if (r.i0 == y && c.i0 == x) acc = exact::add(acc, exact::mul(exact::mul(r.w0, c.w0), g));
        if (r.i0 == y && c.i1 == x) acc = exact::add(acc, exact::mul(exact::mul(r.w0, c.w1), g));
        if (r.i1 == y && c.i0 == x) acc = exact::add(acc, exact::mul(exact::mul(r.w1, c.w0), g));
        if (r.i1 == y && c.i1 == x) acc = exact::add(acc, exact::mul(exact::mul(r.w1, c.w1), g));
      }
    }
    gx[e] = acc;
  }
}

}  // namespace

void interpolate_bilinear_forward(const Tensor& x, bool align_corners, const Tensor& out) {
  const int64_t n = out.numel();
  if (n == 0) return;
  const int device = x.device().index;
  DeviceGuard guard(device);
  dispatch_floating(x.dtype(), "interpolate_bilinear", [&](auto tag) {
    using T = decltype(tag);
    forward_kernel<<<grid_size(device, n), kThreads, 0, stream(device)>>>(
        x.data<T>(), out.data<T>(), n, make_axis<T>(x.size(2), out.size(2), align_corners),
        make_axis<T>(x.size(3), out.size(3), align_corners));
    check_launch("interpolate_bilinear");
  });
}

void interpolate_bilinear_backward(const Tensor& grad_out, bool align_corners, const Tensor& grad_in) {
  const int64_t n = grad_in.numel();
  if (n == 0) return;
  const int device = grad_in.device().index;
  DeviceGuard guard(device);
  dispatch_floating(grad_out.dtype(), "interpolate_bilinear_backward", [&](auto tag) {
    using T = decltype(tag);
    backward_kernel<<<grid_size(device, n), kThreads, 0, stream(device)>>>(
        grad_out.data<T>(), grad_in.data<T>(), n, make_axis<T>(grad_in.size(2), grad_out.size(2), align_corners),
        make_axis<T>(grad_in.size(3), grad_out.size(3), align_corners));
    check_launch("interpolate_bilinear_backward");
  });
}

}  // namespace htp::kernels::cuda
