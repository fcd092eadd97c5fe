#include "kernels/cpu/conv.h"

#include <algorithm>
#include <memory>

#include "kernels/cpu/im2col.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/parallel.h"

namespace htp::kernels::cpu {
namespace {

// Sizes of one convolution, from the image [N, C, H, W], weight [O, C/groups, kh, kw] and output [N, O, OH, OW] shapes.
struct ConvSizes {
  int64_t N, C, H, W, O, G, Cg, Og, K, P;
  PatchGeometry patch;  // of one group of one image
  bool direct;          // 1x1, stride 1, no padding: the image is its own col matrix

  int64_t image_offset(int64_t n, int64_t g) const { return (n * C + g * Cg) * H * W; }  // x_ng
  int64_t output_offset(int64_t n, int64_t g) const { return (n * O + g * Og) * P; }     // y_ng
  int64_t gemm_work() const { return Og * K * P; }                                       // multiply-adds per (n, g)
};

ConvSizes conv_sizes(const Shape& x, const Shape& w, const Shape& y, const Conv2dParams& p) {
  const bool direct = w[2] == 1 && w[3] == 1 && p.stride == std::array<int64_t, 2>{1, 1} &&
                      p.padding == std::array<int64_t, 2>{0, 0};
  return {x[0], x[1], x[2], x[3], w[0], p.groups, w[1], w[0] / p.groups, w[1] * w[2] * w[3], y[2] * y[3],
          PatchGeometry{w[1], x[2], x[3], w[2], w[3], y[2], y[3], p.stride, p.padding, p.dilation}, direct};
}

// Scratch col matrix for one chunk of units (none when the image is read directly).
template <class T>
std::unique_ptr<T[]> col_buffer(const ConvSizes& s) {
  return s.direct ? nullptr : std::make_unique_for_overwrite<T[]>(static_cast<size_t>(s.K * s.P));
}

template <class T>
void forward_impl(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dParams& params,
                  const Tensor& out) {
  const ConvSizes s = conv_sizes(x.shape(), weight.shape(), out.shape(), params);
  const T* xp = x.data<T>();
  const T* wp = weight.data<T>();
  const T* bp = bias.defined() ? bias.data<T>() : nullptr;
  T* yp = out.data<T>();
  parallel_over_units(s.N * s.G, s.gemm_work(), [&](int64_t u0, int64_t u1) {
    std::unique_ptr<T[]> col = col_buffer<T>(s);
    for (int64_t u = u0; u < u1; ++u) {
      const int64_t n = u / s.G, g = u % s.G;
      const T* img = xp + s.image_offset(n, g);
      if (!s.direct) im2col(img, s.patch, col.get());
      T* y = yp + s.output_offset(n, g);
      if (bp)
        for (int64_t o = 0; o < s.Og; ++o) std::fill(y + o * s.P, y + (o + 1) * s.P, bp[g * s.Og + o]);
      gemm(false, false, s.Og, s.P, s.K, T(1), wp + g * s.Og * s.K, s.K, s.direct ? img : col.get(), s.P,
           bp ? T(1) : T(0), y, s.P);
    }
  });
}

template <class T>
void backward_input_impl(const Tensor& grad_out, const Tensor& weight, const Conv2dParams& params,
                         const Tensor& grad_in) {
  const ConvSizes s = conv_sizes(grad_in.shape(), weight.shape(), grad_out.shape(), params);
  const T* gyp = grad_out.data<T>();
  const T* wp = weight.data<T>();
  T* gxp = grad_in.data<T>();
  parallel_over_units(s.N * s.G, s.gemm_work(), [&](int64_t u0, int64_t u1) {
    std::unique_ptr<T[]> col = col_buffer<T>(s);
    for (int64_t u = u0; u < u1; ++u) {
      const int64_t n = u / s.G, g = u % s.G;
      T* gx = gxp + s.image_offset(n, g);
      gemm(true, false, s.K, s.P, s.Og, T(1), wp + g * s.Og * s.K, s.K, gyp + s.output_offset(n, g), s.P, T(0),
           s.direct ? gx : col.get(), s.P);
      if (!s.direct) col2im(col.get(), s.patch, gx);
    }
  });
}

template <class T>
void backward_weight_impl(const Tensor& grad_out, const Tensor& x, const Conv2dParams& params,
                          const Tensor& grad_weight) {
  const ConvSizes s = conv_sizes(x.shape(), grad_weight.shape(), grad_out.shape(), params);
  const T* gyp = grad_out.data<T>();
  const T* xp = x.data<T>();
  T* gwp = grad_weight.data<T>();
  parallel_over_units(s.G, s.N * s.gemm_work(), [&](int64_t g0, int64_t g1) {
    std::unique_ptr<T[]> col = col_buffer<T>(s);
    for (int64_t g = g0; g < g1; ++g) {
      T* gw = gwp + g * s.Og * s.K;
      if (s.N == 0) std::fill(gw, gw + s.Og * s.K, T(0));
      for (int64_t n = 0; n < s.N; ++n) {
        const T* img = xp + s.image_offset(n, g);
        if (!s.direct) im2col(img, s.patch, col.get());
        gemm(false, true, s.Og, s.K, s.P, T(1), gyp + s.output_offset(n, g), s.P, s.direct ? img : col.get(), s.P,
             n == 0 ? T(0) : T(1), gw, s.K);
      }
    }
  });
}

template <class T>
void backward_bias_impl(const Tensor& grad_out, const Tensor& grad_bias) {
  const int64_t N = grad_out.size(0), O = grad_out.size(1), P = grad_out.size(2) * grad_out.size(3);
  const T* gy = grad_out.data<T>();
  T* gb = grad_bias.data<T>();
  parallel_for(0, O, grain_for(N * P), [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; ++o) {
      T acc = 0;
      for (int64_t n = 0; n < N; ++n) {
        const T* row = gy + (n * O + o) * P;
        T partial = 0;
        for (int64_t p = 0; p < P; ++p) partial += row[p];
        acc += partial;
      }
      gb[o] = acc;
    }
  });
}

}  // namespace

void conv2d_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dParams& params,
                    const Tensor& out) {
  dispatch_floating(x.dtype(), "conv2d", [&](auto tag) { forward_impl<decltype(tag)>(x, weight, bias, params, out); });
}

void conv2d_backward_input(const Tensor& grad_out, const Tensor& weight, const Conv2dParams& params,
                           const Tensor& grad_in) {
  dispatch_floating(grad_out.dtype(), "conv2d_backward_input",
                    [&](auto tag) { backward_input_impl<decltype(tag)>(grad_out, weight, params, grad_in); });
}

void conv2d_backward_weight(const Tensor& grad_out, const Tensor& x, const Conv2dParams& params,
                            const Tensor& grad_weight) {
  dispatch_floating(grad_out.dtype(), "conv2d_backward_weight",
                    [&](auto tag) { backward_weight_impl<decltype(tag)>(grad_out, x, params, grad_weight); });
}

void conv2d_backward_bias(const Tensor& grad_out, const Tensor& grad_bias) {
  dispatch_floating(grad_out.dtype(), "conv2d_backward_bias",
                    [&](auto tag) { backward_bias_impl<decltype(tag)>(grad_out, grad_bias); });
}

}  // namespace htp::kernels::cpu
