#include "metrics/heatmap.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "metrics/map_checks.h"
#include "tensor/creation.h"

namespace htp::metrics {

namespace {

struct PaletteNode {
  int index;
  std::array<int, 3> rgb;
};

// zennit's compiled nodes, the last colour repeated at 256.
const std::vector<PaletteNode>& nodes(Colormap colormap) {
  static const std::vector<PaletteNode> bwr = {
      {0, {0, 0, 255}}, {128, {255, 255, 255}}, {255, {255, 0, 0}}, {256, {255, 0, 0}}};
  static const std::vector<PaletteNode> hot = {
      {0, {0, 0, 0}}, {85, {255, 0, 0}}, {170, {255, 255, 0}}, {255, {255, 255, 255}}, {256, {255, 255, 255}}};
  return colormap == Colormap::diverging ? bwr : hot;
}

void check_rgb(const Tensor& image, const char* op, const char* what) {
  HTP_CHECK(image.defined() && image.dim() == 3 && image.size(0) == 3, op, ": expected ", what, " [3, H, W], got ",
            image.defined() ? image.describe() : std::string("an undefined tensor"));
}

}  // namespace

std::array<uint8_t, 3> palette_color(Colormap colormap, int index) {
  HTP_CHECK(index >= 0 && index <= 255, "palette_color: index ", index, " is outside [0, 255]");
  const std::vector<PaletteNode>& n = nodes(colormap);
  size_t k = 1;
  while (n[k].index <= index) ++k;  // n[k - 1].index <= index < n[k].index
  const double a = static_cast<double>(index - n[k - 1].index) / static_cast<double>(n[k].index - n[k - 1].index);
  std::array<uint8_t, 3> rgb{};
  for (size_t c = 0; c < 3; ++c) {
    const double v = n[k - 1].rgb[c] * (1 - a) + n[k].rgb[c] * a;
    rgb[c] = static_cast<uint8_t>(std::floor(v + 1e-9));  // zennit rounds to 12 decimals before truncating
  }
  return rgb;
}

Tensor colorize(const Tensor& map, Colormap colormap) {
  detail::check_map(map, "colorize");
  const int64_t H = map.size(0), W = map.size(1), P = H * W;
  std::vector<double> t = map.to_vector();
  if (colormap == Colormap::diverging) {
    double m = 0;
    for (double v : t) m = std::max(m, std::abs(v));
    m += 1e-12;
    for (double& v : t) v = (v + m) / (2 * m);
  } else {
    double m = 0;
    for (double& v : t) m = std::max(m, v = std::max(v, 0.0));
    m += 1e-12;
    for (double& v : t) v /= m;
  }
  std::vector<uint8_t> rgb(static_cast<size_t>(3 * P));
  for (int64_t p = 0; p < P; ++p) {
    const double s = 255 * t[static_cast<size_t>(p)];
    const int index = s >= 255 ? 255 : (s >= 0 ? static_cast<int>(s) : 0);  // NaN -> 0
    const std::array<uint8_t, 3> color = palette_color(colormap, index);
    for (int64_t c = 0; c < 3; ++c) rgb[static_cast<size_t>(c * P + p)] = color[static_cast<size_t>(c)];
  }
  return tensor(rgb, {3, H, W});
}

Tensor overlay(const Tensor& image, const Tensor& heat, double alpha) {
  check_rgb(image, "overlay", "an image");
  check_rgb(heat, "overlay", "a uint8 heatmap");
  HTP_CHECK(heat.dtype() == DType::u8, "overlay: expected a uint8 heatmap [3, H, W], got ", heat.describe());
  HTP_CHECK(image.dtype() == DType::u8 || detail::is_f32_or_f64(image),
            "overlay: expected a uint8 image or a float32/float64 one in [0, 1], got ", image.describe());
  HTP_CHECK(image.shape() == heat.shape(), "overlay: the image ", image.describe(), " and the heatmap ",
            heat.describe(), " differ in size");
  HTP_CHECK(alpha >= 0 && alpha <= 1, "overlay: alpha must be in [0, 1], got ", alpha);
  const double scale = image.dtype() == DType::u8 ? 1.0 : 255.0;
  const std::vector<double> x = image.to_vector(), h = heat.to_vector();
  std::vector<uint8_t> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const double pixel = std::clamp(x[i] * scale, 0.0, 255.0);
    out[i] = static_cast<uint8_t>(std::floor((1 - alpha) * pixel + alpha * h[i] + 0.5));
  }
  return tensor(out, image.shape());
}

}  // namespace htp::metrics
