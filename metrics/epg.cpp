#include "metrics/epg.h"

#include <cmath>

#include "metrics/map_checks.h"
#include "tensor/creation.h"

namespace htp::metrics {

namespace {

void check_box(const PixelBox& b, size_t index, int64_t height, int64_t width, const char* op) {
  HTP_CHECK(0 <= b.x0 && b.x0 <= b.x1 && b.x1 <= width && 0 <= b.y0 && b.y0 <= b.y1 && b.y1 <= height, op, ": box ",
            index, " [x0=", b.x0, ", y0=", b.y0, ", x1=", b.x1, ", y1=", b.y1, ") is not inside the ", height, "x",
            width, " map (need 0 <= x0 <= x1 <= ", width, " and 0 <= y0 <= y1 <= ", height, ")");
}

std::vector<double> union_mask(const std::vector<PixelBox>& boxes, int64_t height, int64_t width, const char* op) {
  std::vector<double> mask(static_cast<size_t>(height * width), 0.0);
  for (size_t k = 0; k < boxes.size(); ++k) {
    const PixelBox& b = boxes[k];
    check_box(b, k, height, width, op);
    for (int64_t y = b.y0; y < b.y1; ++y)
      for (int64_t x = b.x0; x < b.x1; ++x) mask[static_cast<size_t>(y * width + x)] = 1.0;
  }
  return mask;
}

}  // namespace

PixelBox rescale_box(double x0, double y0, double x1, double y1, int64_t image_width, int64_t image_height,
                     int64_t map_width, int64_t map_height) {
  HTP_CHECK(image_width > 0 && image_height > 0 && map_width > 0 && map_height > 0,
            "rescale_box: sizes must be positive, got image ", image_width, "x", image_height,
            " (width x height), map ", map_width, "x", map_height);
  const auto scale = [](double v, int64_t to, int64_t from) {
    return static_cast<int64_t>(std::floor(v * static_cast<double>(to) / static_cast<double>(from)));
  };
  return {scale(x0, map_width, image_width), scale(y0, map_height, image_height), scale(x1, map_width, image_width),
          scale(y1, map_height, image_height)};
}

Tensor box_union_mask(const std::vector<PixelBox>& boxes, int64_t height, int64_t width) {
  HTP_CHECK(height > 0 && width > 0, "box_union_mask: the map size must be positive, got ", height, "x", width);
  return tensor(union_mask(boxes, height, width, "box_union_mask"), {height, width}).to(DType::f32);
}

double energy_pointing_game(const Tensor& map, const std::vector<PixelBox>& boxes, Smoothing smoothing) {
  detail::check_map(map, "energy_pointing_game");
  HTP_CHECK(!boxes.empty(), "energy_pointing_game: the target class has no boxes");
  const int64_t H = map.size(0), W = map.size(1);
  const std::vector<double> mask = union_mask(boxes, H, W, "energy_pointing_game");
  const std::vector<double> a = score_map(map, smoothing).to_vector();
  double inside = 0, total = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    total += a[i];
    inside += a[i] * mask[i];
  }
  return inside / (total + 1e-12);
}

}  // namespace htp::metrics
