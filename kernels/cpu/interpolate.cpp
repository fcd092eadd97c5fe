#include "kernels/cpu/interpolate.h"

#include <algorithm>
#include <vector>

#include "kernels/cpu/parallel.h"

namespace htp::kernels::cpu {
namespace {

// The two source positions of one output row (or column) and their weights.
template <class T>
struct Taps {
  int64_t i0, i1;
  T w0, w1;
};

// PyTorch's area_pixel_compute_source_index with the scale it derives from the sizes alone.
template <class T>
std::vector<Taps<T>> bilinear_taps(int64_t in, int64_t out, bool align_corners) {
  const T scale = align_corners ? (out > 1 ? static_cast<T>(in - 1) / static_cast<T>(out - 1) : T(0))
                                : static_cast<T>(in) / static_cast<T>(out);
  std::vector<Taps<T>> taps(static_cast<size_t>(out));
  for (int64_t i = 0; i < out; ++i) {
    const T src =
        align_corners ? scale * static_cast<T>(i) : std::max(scale * (static_cast<T>(i) + T(0.5)) - T(0.5), T(0));
    const int64_t i0 = std::min(static_cast<int64_t>(src), in - 1);
    const T w1 = src - static_cast<T>(i0);
    taps[i] = {i0, i0 + (i0 < in - 1 ? 1 : 0), T(1) - w1, w1};
  }
  return taps;
}

template <class T>
void forward_impl(const Tensor& x, bool align_corners, const Tensor& out) {
  const int64_t planes = x.size(0) * x.size(1), H = x.size(2), W = x.size(3), OH = out.size(2), OW = out.size(3);
  const std::vector<Taps<T>> rows = bilinear_taps<T>(H, OH, align_corners),
                             cols = bilinear_taps<T>(W, OW, align_corners);
  const T* xp = x.data<T>();
  T* yp = out.data<T>();
  parallel_for(0, planes, grain_for(OH * OW), [&](int64_t p0, int64_t p1) {
    for (int64_t plane = p0; plane < p1; ++plane) {
      const T* src = xp + plane * H * W;
      T* dst = yp + plane * OH * OW;
      for (int64_t i = 0; i < OH; ++i) {
        const Taps<T>& r = rows[i];
        const T* r0 = src + r.i0 * W;
        const T* r1 = src + r.i1 * W;
        for (int64_t j = 0; j < OW; ++j) {
          const Taps<T>& c = cols[j];
          dst[i * OW + j] = r.w0 * (c.w0 * r0[c.i0] + c.w1 * r0[c.i1]) + r.w1 * (c.w0 * r1[c.i0] + c.w1 * r1[c.i1]);
        }
      }
    }
  });
}

template <class T>
void backward_impl(const Tensor& grad_out, bool align_corners, const Tensor& grad_in) {
  const int64_t planes = grad_in.size(0) * grad_in.size(1), H = grad_in.size(2), W = grad_in.size(3);
  const int64_t OH = grad_out.size(2), OW = grad_out.size(3);
  const std::vector<Taps<T>> rows = bilinear_taps<T>(H, OH, align_corners),
                             cols = bilinear_taps<T>(W, OW, align_corners);
  const T* gyp = grad_out.data<T>();
  T* gxp = grad_in.data<T>();
  parallel_for(0, planes, grain_for(OH * OW + H * W), [&](int64_t p0, int64_t p1) {
    std::fill(gxp + p0 * H * W, gxp + p1 * H * W, T(0));
    for (int64_t plane = p0; plane < p1; ++plane) {
      const T* gy = gyp + plane * OH * OW;
      T* gx = gxp + plane * H * W;
      for (int64_t i = 0; i < OH; ++i) {
        const Taps<T>& r = rows[i];
        T* r0 = gx + r.i0 * W;
        T* r1 = gx + r.i1 * W;
        for (int64_t j = 0; j < OW; ++j) {
          const Taps<T>& c = cols[j];
          const T g = gy[i * OW + j];
          r0[c.i0] += r.w0 * c.w0 * g;
          r0[c.i1] += r.w0 * c.w1 * g;
          r1[c.i0] += r.w1 * c.w0 * g;
          r1[c.i1] += r.w1 * c.w1 * g;
        }
      }
    }
  });
}

}  // namespace

void interpolate_bilinear_forward(const Tensor& x, bool align_corners, const Tensor& out) {
  dispatch_floating(x.dtype(), "interpolate_bilinear",
                    [&](auto tag) { forward_impl<decltype(tag)>(x, align_corners, out); });
}

void interpolate_bilinear_backward(const Tensor& grad_out, bool align_corners, const Tensor& grad_in) {
  dispatch_floating(grad_out.dtype(), "interpolate_bilinear_backward",
                    [&](auto tag) { backward_impl<decltype(tag)>(grad_out, align_corners, grad_in); });
}

}  // namespace htp::kernels::cpu
