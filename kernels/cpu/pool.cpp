#include "kernels/cpu/pool.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/cpu/parallel.h"

namespace htp::kernels::cpu {
namespace {

// Max pooling, one output row (or column): the taps a in [lo, hi) read positions start + a * dilation inside the
// image.
struct Taps {
  int64_t start, lo, hi;
};
std::vector<Taps> max_taps(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation) {
  std::vector<Taps> taps(static_cast<size_t>(out));
  for (int64_t i = 0; i < out; ++i) {
    const int64_t start = i * stride - padding;
    const int64_t lo = start < 0 ? (-start + dilation - 1) / dilation : 0;
    const int64_t hi = std::min(kernel, (in - start + dilation - 1) / dilation);
    taps[i] = {start, std::min(lo, hi), hi};
  }
  return taps;
}

// Average pooling, one output row (or column): input positions [begin, end) and the length the divisor counts.
struct Span {
  int64_t begin, end, count;
};
std::vector<Span> avg_spans(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding,
                            bool count_include_pad) {
  std::vector<Span> spans(static_cast<size_t>(out));
  for (int64_t i = 0; i < out; ++i) {
    const int64_t start = i * stride - padding, stop = std::min(start + kernel, in + padding);
    const int64_t begin = std::max<int64_t>(start, 0), end = std::min(stop, in);
    spans[i] = {begin, end, count_include_pad ? stop - start : end - begin};
  }
  return spans;
}
std::vector<Span> adaptive_spans(int64_t in, int64_t out) {
  std::vector<Span> spans(static_cast<size_t>(out));
  for (int64_t i = 0; i < out; ++i) {
    const int64_t begin = i * in / out, end = ((i + 1) * in + out - 1) / out;
    spans[i] = {begin, end, end - begin};
  }
  return spans;
}

template <class T>
void max_forward_impl(const Tensor& x, const MaxPool2dParams& p, const Tensor& values, const Tensor& indices) {
  const int64_t planes = x.size(0) * x.size(1), H = x.size(2), W = x.size(3), OH = values.size(2), OW = values.size(3);
  const std::vector<Taps> rows = max_taps(H, OH, p.kernel[0], p.stride[0], p.padding[0], p.dilation[0]);
  const std::vector<Taps> cols = max_taps(W, OW, p.kernel[1], p.stride[1], p.padding[1], p.dilation[1]);
  const int64_t dh = p.dilation[0], dw = p.dilation[1];
  const T* xp = x.data<T>();
  T* vp = values.data<T>();
  int64_t* ip = indices.data<int64_t>();
  parallel_for(0, planes, grain_for(OH * OW * p.kernel[0] * p.kernel[1]), [&](int64_t p0, int64_t p1) {
    for (int64_t plane = p0; plane < p1; ++plane) {
      const T* src = xp + plane * H * W;
      for (int64_t i = 0; i < OH; ++i) {
        const Taps& r = rows[i];
        for (int64_t j = 0; j < OW; ++j) {
          const Taps& c = cols[j];
          T best = -std::numeric_limits<T>::infinity();
          int64_t best_index = (r.start + r.lo * dh) * W + c.start + c.lo * dw;
          for (int64_t a = r.lo; a < r.hi; ++a) {
            const int64_t y = r.start + a * dh;
            for (int64_t b = c.lo; b < c.hi; ++b) {
              const int64_t index = y * W + c.start + b * dw;
              const T v = src[index];
              if (v > best || std::isnan(v)) {
                best = v;
                best_index = index;
              }
            }
          }
          vp[(plane * OH + i) * OW + j] = best;
          ip[(plane * OH + i) * OW + j] = best_index;
        }
      }
    }
  });
}

template <class T>
void max_backward_impl(const Tensor& grad_out, const Tensor& indices, const Tensor& grad_in) {
  const int64_t planes = grad_in.size(0) * grad_in.size(1), HW = grad_in.size(2) * grad_in.size(3);
  const int64_t OHW = grad_out.size(2) * grad_out.size(3);
  const T* gy = grad_out.data<T>();
  const int64_t* ip = indices.data<int64_t>();
  T* gx = grad_in.data<T>();
  parallel_for(0, planes, grain_for(HW + OHW), [&](int64_t p0, int64_t p1) {
    std::fill(gx + p0 * HW, gx + p1 * HW, T(0));
    for (int64_t plane = p0; plane < p1; ++plane)
      for (int64_t k = plane * OHW; k < (plane + 1) * OHW; ++k) gx[plane * HW + ip[k]] += gy[k];
  });
}

// Average over span windows: the forward of avg_pool2d and adaptive_avg_pool2d.
template <class T>
void avg_forward_impl(const Tensor& x, const std::vector<Span>& rows, const std::vector<Span>& cols,
                      std::optional<int64_t> divisor, const Tensor& out) {
  const int64_t planes = x.size(0) * x.size(1), H = x.size(2), W = x.size(3), OH = out.size(2), OW = out.size(3);
  const T* xp = x.data<T>();
  T* yp = out.data<T>();
  const int64_t window = std::max<int64_t>(1, (H * W) / std::max<int64_t>(1, OH * OW));
  parallel_for(0, planes, grain_for(OH * OW * window), [&](int64_t p0, int64_t p1) {
    for (int64_t plane = p0; plane < p1; ++plane) {
      const T* src = xp + plane * H * W;
      T* dst = yp + plane * OH * OW;
      for (int64_t i = 0; i < OH; ++i)
        for (int64_t j = 0; j < OW; ++j) {
          const Span &r = rows[i], &c = cols[j];
          T sum = 0;
          for (int64_t y = r.begin; y < r.end; ++y)
            for (int64_t xx = c.begin; xx < c.end; ++xx) sum += src[y * W + xx];
          dst[i * OW + j] = sum / static_cast<T>(divisor ? *divisor : r.count * c.count);
        }
    }
  });
}

// Adjoint of avg_forward_impl.
template <class T>
void avg_backward_impl(const Tensor& grad_out, const std::vector<Span>& rows, const std::vector<Span>& cols,
                       std::optional<int64_t> divisor, const Tensor& grad_in) {
  const int64_t planes = grad_in.size(0) * grad_in.size(1), H = grad_in.size(2), W = grad_in.size(3);
  const int64_t OH = grad_out.size(2), OW = grad_out.size(3);
  const T* gyp = grad_out.data<T>();
  T* gxp = grad_in.data<T>();
  const int64_t window = std::max<int64_t>(1, (H * W) / std::max<int64_t>(1, OH * OW));
  parallel_for(0, planes, grain_for(OH * OW * window + H * W), [&](int64_t p0, int64_t p1) {
    std::fill(gxp + p0 * H * W, gxp + p1 * H * W, T(0));
    for (int64_t plane = p0; plane < p1; ++plane) {
      const T* gy = gyp + plane * OH * OW;
      T* gx = gxp + plane * H * W;
      for (int64_t i = 0; i < OH; ++i)
        for (int64_t j = 0; j < OW; ++j) {
          const Span &r = rows[i], &c = cols[j];
          const T g = gy[i * OW + j] / static_cast<T>(divisor ? *divisor : r.count * c.count);
          for (int64_t y = r.begin; y < r.end; ++y)
            for (int64_t xx = c.begin; xx < c.end; ++xx) gx[y * W + xx] += g;
        }
    }
  });
}

}  // namespace

void max_pool2d_forward(const Tensor& x, const MaxPool2dParams& params, const Tensor& values, const Tensor& indices) {
  dispatch_floating(x.dtype(), "max_pool2d",
                    [&](auto tag) { max_forward_impl<decltype(tag)>(x, params, values, indices); });
}

void max_pool2d_backward(const Tensor& grad_out, const Tensor& indices, const Tensor& grad_in) {
  dispatch_floating(grad_out.dtype(), "max_pool2d_backward",
                    [&](auto tag) { max_backward_impl<decltype(tag)>(grad_out, indices, grad_in); });
}

void avg_pool2d_forward(const Tensor& x, const AvgPool2dParams& p, const Tensor& out) {
  const auto rows = avg_spans(x.size(2), out.size(2), p.kernel[0], p.stride[0], p.padding[0], p.count_include_pad);
  const auto cols = avg_spans(x.size(3), out.size(3), p.kernel[1], p.stride[1], p.padding[1], p.count_include_pad);
  dispatch_floating(x.dtype(), "avg_pool2d",
                    [&](auto tag) { avg_forward_impl<decltype(tag)>(x, rows, cols, p.divisor_override, out); });
}

void avg_pool2d_backward(const Tensor& grad_out, const AvgPool2dParams& p, const Tensor& grad_in) {
  const auto rows =
      avg_spans(grad_in.size(2), grad_out.size(2), p.kernel[0], p.stride[0], p.padding[0], p.count_include_pad);
  const auto cols =
      avg_spans(grad_in.size(3), grad_out.size(3), p.kernel[1], p.stride[1], p.padding[1], p.count_include_pad);
  dispatch_floating(grad_out.dtype(), "avg_pool2d_backward", [&](auto tag) {
    avg_backward_impl<decltype(tag)>(grad_out, rows, cols, p.divisor_override, grad_in);
  });
}

void adaptive_avg_pool2d_forward(const Tensor& x, const Tensor& out) {
  const auto rows = adaptive_spans(x.size(2), out.size(2)), cols = adaptive_spans(x.size(3), out.size(3));
  dispatch_floating(x.dtype(), "adaptive_avg_pool2d",
                    [&](auto tag) { avg_forward_impl<decltype(tag)>(x, rows, cols, std::nullopt, out); });
}

void adaptive_avg_pool2d_backward(const Tensor& grad_out, const Tensor& grad_in) {
  const auto rows = adaptive_spans(grad_in.size(2), grad_out.size(2));
  const auto cols = adaptive_spans(grad_in.size(3), grad_out.size(3));
  dispatch_floating(grad_out.dtype(), "adaptive_avg_pool2d_backward",
                    [&](auto tag) { avg_backward_impl<decltype(tag)>(grad_out, rows, cols, std::nullopt, grad_in); });
}

}  // namespace htp::kernels::cpu
