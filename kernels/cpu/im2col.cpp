#include "kernels/cpu/im2col.h"

#include <algorithm>

#include "kernels/cpu/parallel.h"

namespace htp::kernels::cpu {
namespace {

// Output columns j whose input column j s + offset lies inside [0, width): [lo, hi).
struct ColumnRange {
  int64_t lo, hi;
};
ColumnRange valid_columns(int64_t offset, int64_t stride, int64_t width, int64_t out_w) {
  const int64_t lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  const int64_t hi = width - offset <= 0 ? 0 : (width - offset + stride - 1) / stride;
  const int64_t clo = std::min(lo, out_w);
  return {clo, std::clamp(hi, clo, out_w)};
}

// Calls fn(c, a, b, x_offset, columns, rows of col) for each kernel tap of channels [c0, c1).
template <class F>
void for_each_tap(const PatchGeometry& g, int64_t c0, int64_t c1, F&& fn) {
  for (int64_t c = c0; c < c1; ++c)
    for (int64_t a = 0; a < g.kernel_h; ++a)
      for (int64_t b = 0; b < g.kernel_w; ++b) {
        const int64_t x_off = b * g.dilation[1] - g.padding[1];
        fn(c, a, b, x_off, valid_columns(x_off, g.stride[1], g.width, g.out_w));
      }
}

// A channel's work: its kernel_h * kernel_w rows of col, out_h * out_w elements each.
int64_t channel_grain(const PatchGeometry& g) { return grain_for(g.kernel_h * g.kernel_w * g.out_h * g.out_w); }

}  // namespace

template <class T>
void im2col(const T* img, const PatchGeometry& g, T* col) {
  const int64_t sw = g.stride[1], plane = g.out_h * g.out_w;
  parallel_for(0, g.channels, channel_grain(g), [&](int64_t c0, int64_t c1) {
    for_each_tap(g, c0, c1, [&](int64_t c, int64_t a, int64_t b, int64_t x_off, ColumnRange cols) {
      const T* src = img + c * g.height * g.width;
      T* dst = col + ((c * g.kernel_h + a) * g.kernel_w + b) * plane;
      for (int64_t i = 0; i < g.out_h; ++i) {
        T* d = dst + i * g.out_w;
        const int64_t y = i * g.stride[0] - g.padding[0] + a * g.dilation[0];
        if (y < 0 || y >= g.height) {
          std::fill(d, d + g.out_w, T(0));
          continue;
        }
        const T* s = src + y * g.width + x_off + cols.lo * sw;  // input of output column cols.lo
        T* dv = d + cols.lo;
        const int64_t n = cols.hi - cols.lo;
        std::fill(d, dv, T(0));
        if (sw == 1)
          for (int64_t k = 0; k < n; ++k) dv[k] = s[k];
        else
          for (int64_t k = 0; k < n; ++k) dv[k] = s[k * sw];
        std::fill(dv + n, d + g.out_w, T(0));
      }
    });
  });
}

template <class T>
void col2im(const T* col, const PatchGeometry& g, T* img) {
  const int64_t sw = g.stride[1], plane = g.out_h * g.out_w;
  parallel_for(0, g.channels, channel_grain(g), [&](int64_t c0, int64_t c1) {
    std::fill(img + c0 * g.height * g.width, img + c1 * g.height * g.width, T(0));
    for_each_tap(g, c0, c1, [&](int64_t c, int64_t a, int64_t b, int64_t x_off, ColumnRange cols) {
      T* dst = img + c * g.height * g.width;
      const T* src = col + ((c * g.kernel_h + a) * g.kernel_w + b) * plane;
      for (int64_t i = 0; i < g.out_h; ++i) {
        const int64_t y = i * g.stride[0] - g.padding[0] + a * g.dilation[0];
        if (y < 0 || y >= g.height) continue;
        const T* s = src + i * g.out_w + cols.lo;
        T* d = dst + y * g.width + x_off + cols.lo * sw;  // input of output column cols.lo
        const int64_t n = cols.hi - cols.lo;
        if (sw == 1)
          for (int64_t k = 0; k < n; ++k) d[k] += s[k];
        else
          for (int64_t k = 0; k < n; ++k) d[k * sw] += s[k];
      }
    });
  });
}

template void im2col<float>(const float*, const PatchGeometry&, float*);
template void im2col<double>(const double*, const PatchGeometry&, double*);
template void col2im<float>(const float*, const PatchGeometry&, float*);
template void col2im<double>(const double*, const PatchGeometry&, double*);

}  // namespace htp::kernels::cpu
