// SLIC superpixels (Achanta et al. 2012; see slic.h).
#include "xai/slic.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "tensor/creation.h"
#include "tensor/error.h"

namespace htp::xai {

namespace {

struct Image {
  int64_t c, h, w;
  std::vector<double> v;  // [H, W, C]
  const double* at(int64_t y, int64_t x) const { return &v[static_cast<size_t>((y * w + x) * c)]; }
};

Image scaled_features(const Tensor& image) {
  Image im{image.size(0), image.size(1), image.size(2), {}};
  const std::vector<double> chw = image.to(Device::cpu()).to_vector();
  const auto [lo_it, hi_it] = std::minmax_element(chw.begin(), chw.end());
  const double lo = *lo_it, range = *hi_it - *lo_it > 0 ? *hi_it - *lo_it : 1.0;
  im.v.resize(chw.size());
  for (int64_t ch = 0; ch < im.c; ++ch)
    for (int64_t p = 0; p < im.h * im.w; ++p)
      im.v[static_cast<size_t>(p * im.c + ch)] = (chw[static_cast<size_t>(ch * im.h * im.w + p)] - lo) / range;
  return im;
}

double colour_distance(const double* a, const double* b, int64_t c) {
  double d = 0;
  for (int64_t i = 0; i < c; ++i) d += (a[i] - b[i]) * (a[i] - b[i]);
  return d;
}

struct Centre {
  double y, x;
  std::vector<double> f;
};

// Relabels 4-connected components; small ones join the label of an earlier neighbour.
std::vector<int64_t> enforce_connectivity(const std::vector<int64_t>& labels, int64_t h, int64_t w, int64_t min_size) {
  std::vector<int64_t> out(labels.size(), -1), component;
  int64_t next = 0;
  const int64_t dy[4] = {-1, 0, 1, 0}, dx[4] = {0, -1, 0, 1};
  for (int64_t start = 0; start < h * w; ++start) {
    if (out[static_cast<size_t>(start)] >= 0) continue;
    // An already labelled neighbour of the component's first pixel (above or to the left).
    int64_t adjacent = -1;
    const int64_t sy = start / w, sx = start % w;
    if (sx > 0) adjacent = out[static_cast<size_t>(start - 1)];
    if (adjacent < 0 && sy > 0) adjacent = out[static_cast<size_t>(start - w)];
    component.assign(1, start);
    out[static_cast<size_t>(start)] = next;
    for (size_t i = 0; i < component.size(); ++i) {
      const int64_t p = component[i], py = p / w, px = p % w;
      for (int k = 0; k < 4; ++k) {
        const int64_t ny = py + dy[k], nx = px + dx[k], q = ny * w + nx;
        if (ny < 0 || ny >= h || nx < 0 || nx >= w || out[static_cast<size_t>(q)] >= 0 ||
            labels[static_cast<size_t>(q)] != labels[static_cast<size_t>(start)])
          continue;
        out[static_cast<size_t>(q)] = next;
        component.push_back(q);
      }
    }
    if (static_cast<int64_t>(component.size()) <= min_size && adjacent >= 0) {
      for (int64_t p : component) out[static_cast<size_t>(p)] = adjacent;
    } else {
      ++next;
    }
  }
  return out;
}

}  // namespace

Tensor slic(const Tensor& image, const SlicOptions& options) {
  HTP_CHECK(image.dim() == 3 && image.numel() > 0 && is_floating(image.dtype()),
            "slic: expected a non-empty floating image [C, H, W], got ", image.describe());
  HTP_CHECK(options.segments >= 1 && options.compactness >= 0 && options.iterations >= 1,
            "slic: need segments >= 1, compactness >= 0 and iterations >= 1, got ", options.segments, ", ",
            options.compactness, ", ", options.iterations);
  const Image im = scaled_features(image);
  const int64_t h = im.h, w = im.w, c = im.c;

  // Grid of centres.
  const double step0 = std::sqrt(static_cast<double>(h * w) / static_cast<double>(options.segments));
  const int64_t ny = std::max<int64_t>(1, std::llround(static_cast<double>(h) / step0));
  const int64_t nx = std::max<int64_t>(1, std::llround(static_cast<double>(w) / step0));
  const double step = std::sqrt(static_cast<double>(h * w) / static_cast<double>(ny * nx));
  auto gradient = [&](int64_t y, int64_t x) {
    const int64_t x0 = std::max<int64_t>(x - 1, 0), x1 = std::min(x + 1, w - 1);
    const int64_t y0 = std::max<int64_t>(y - 1, 0), y1 = std::min(y + 1, h - 1);
    return colour_distance(im.at(y, x1), im.at(y, x0), c) + colour_distance(im.at(y1, x), im.at(y0, x), c);
  };
  std::vector<Centre> centres;
  for (int64_t i = 0; i < ny; ++i)
    for (int64_t j = 0; j < nx; ++j) {
      const int64_t cy = (2 * i + 1) * h / (2 * ny), cx = (2 * j + 1) * w / (2 * nx);
      int64_t by = cy, bx = cx;
      double best = gradient(cy, cx);
      for (int64_t y = std::max<int64_t>(cy - 1, 0); y <= std::min(cy + 1, h - 1); ++y)
        for (int64_t x = std::max<int64_t>(cx - 1, 0); x <= std::min(cx + 1, w - 1); ++x)
          if (const double g = gradient(y, x); g < best) best = g, by = y, bx = x;
      centres.push_back({static_cast<double>(by), static_cast<double>(bx), {im.at(by, bx), im.at(by, bx) + c}});
    }

  // Local k-means.
  const double spatial = (options.compactness / step) * (options.compactness / step);
  const int64_t radius = static_cast<int64_t>(std::ceil(step));
  std::vector<int64_t> labels(static_cast<size_t>(h * w), 0);
  std::vector<double> best(static_cast<size_t>(h * w));
  for (int iter = 0; iter < options.iterations; ++iter) {
    std::fill(best.begin(), best.end(), std::numeric_limits<double>::infinity());
    for (size_t k = 0; k < centres.size(); ++k) {
      const Centre& ck = centres[k];
      const int64_t cy = std::llround(ck.y), cx = std::llround(ck.x);
      for (int64_t y = std::max<int64_t>(cy - radius, 0); y <= std::min(cy + radius, h - 1); ++y)
        for (int64_t x = std::max<int64_t>(cx - radius, 0); x <= std::min(cx + radius, w - 1); ++x) {
          const double dy = static_cast<double>(y) - ck.y, dx = static_cast<double>(x) - ck.x;
          const double d = colour_distance(im.at(y, x), ck.f.data(), c) + spatial * (dy * dy + dx * dx);
          const size_t p = static_cast<size_t>(y * w + x);
          if (d < best[p]) best[p] = d, labels[p] = static_cast<int64_t>(k);
        }
    }
    std::vector<Centre> sums(centres.size(), Centre{0, 0, std::vector<double>(static_cast<size_t>(c), 0.0)});
    std::vector<int64_t> counts(centres.size(), 0);
    for (int64_t p = 0; p < h * w; ++p) {
      const size_t k = static_cast<size_t>(labels[static_cast<size_t>(p)]);
      sums[k].y += static_cast<double>(p / w);
      sums[k].x += static_cast<double>(p % w);
      for (int64_t ch = 0; ch < c; ++ch) sums[k].f[static_cast<size_t>(ch)] += im.at(p / w, p % w)[ch];
      ++counts[k];
    }
    for (size_t k = 0; k < centres.size(); ++k) {
      if (counts[k] == 0) continue;  // an empty cluster keeps its centre
      const double n = static_cast<double>(counts[k]);
      centres[k].y = sums[k].y / n;
      centres[k].x = sums[k].x / n;
      for (int64_t ch = 0; ch < c; ++ch) centres[k].f[static_cast<size_t>(ch)] = sums[k].f[static_cast<size_t>(ch)] / n;
    }
  }

  const int64_t min_size = h * w / (4 * static_cast<int64_t>(centres.size()));
  const std::vector<int64_t> connected = enforce_connectivity(labels, h, w, min_size);
  return tensor(connected, {h, w});
}

}  // namespace htp::xai
