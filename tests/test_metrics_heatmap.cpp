// Heatmap images (metrics/heatmap.h, metrics/png.h): zennit's 'bwr' and 'hot' palettes at their nodes and between
// them, the symmetric and positive normalisations, alpha blending, and a PNG written and decoded again.
#include <doctest/doctest.h>

#include <array>
#include <vector>

#include "data/image_decode.h"
#include "metrics/heatmap.h"
#include "metrics/png.h"
#include "tensor/creation.h"
#include "test_data_util.h"
#include "test_util.h"

using namespace htp;
using namespace htp::metrics;
using testing::contains;
using testing::error_of;

namespace {

using Rgb = std::array<uint8_t, 3>;

// The colour of pixel (y, x) of a uint8 [3, H, W] image.
Rgb pixel(const Tensor& image, int64_t y, int64_t x) {
  const std::vector<double> v = image.to_vector();
  const int64_t H = image.size(1), W = image.size(2);
  Rgb c{};
  for (int64_t k = 0; k < 3; ++k) c[k] = static_cast<uint8_t>(v[k * H * W + y * W + x]);
  return c;
}

}  // namespace

TEST_SUITE("metrics") {
  TEST_CASE("the diverging palette runs blue, white, red") {
    CHECK(palette_color(Colormap::diverging, 0) == Rgb{0, 0, 255});
    CHECK(palette_color(Colormap::diverging, 64) == Rgb{127, 127, 255});  // 255 · 64/128 = 127.5
    CHECK(palette_color(Colormap::diverging, 128) == Rgb{255, 255, 255});
    CHECK(palette_color(Colormap::diverging, 191) == Rgb{255, 128, 128});  // 255 · 64/127 = 128.5
    CHECK(palette_color(Colormap::diverging, 255) == Rgb{255, 0, 0});
  }

  TEST_CASE("the sequential palette runs black, red, yellow, white") {
    CHECK(palette_color(Colormap::sequential, 0) == Rgb{0, 0, 0});
    CHECK(palette_color(Colormap::sequential, 42) == Rgb{126, 0, 0});  // 255 · 42/85
    CHECK(palette_color(Colormap::sequential, 85) == Rgb{255, 0, 0});
    CHECK(palette_color(Colormap::sequential, 170) == Rgb{255, 255, 0});
    CHECK(palette_color(Colormap::sequential, 255) == Rgb{255, 255, 255});
    CHECK(contains(error_of([] { palette_color(Colormap::sequential, 256); }), "index 256 is outside [0, 255]"));
  }

  TEST_CASE("colorize normalises symmetrically (diverging) or by the positive maximum (sequential)") {
    // t = (A + m) / (2 m) with m = 2 + 1e-12: 0, 0.5 and 1 - 2.5e-13 -> indices 0, 127 and 254.
    const Tensor diverging = colorize(tensor<double>({-2, 0, 2}, {1, 3}), Colormap::diverging);
    CHECK(diverging.dtype() == DType::u8);
    CHECK(diverging.shape() == Shape{3, 1, 3});
    CHECK(pixel(diverging, 0, 0) == Rgb{0, 0, 255});
    CHECK(pixel(diverging, 0, 1) == Rgb{253, 253, 255});  // index 127: 255 · 127/128 = 253.0
    CHECK(pixel(diverging, 0, 2) == Rgb{255, 2, 2});      // index 254: 255 · 1/127 = 2.0
    // t = A⁺ / (1 + 1e-12): indices 0, 254, 0, 127.
    const Tensor sequential = colorize(tensor<float>({0, 1, -1, 0.5f}, {2, 2}), Colormap::sequential);
    CHECK(pixel(sequential, 0, 0) == Rgb{0, 0, 0});
    CHECK(pixel(sequential, 0, 1) == Rgb{255, 255, 252});  // 255 · 84/85
    CHECK(pixel(sequential, 1, 0) == Rgb{0, 0, 0});
    CHECK(pixel(sequential, 1, 1) == Rgb{255, 126, 0});  // 255 · 42/85
  }

  TEST_CASE("overlay blends with alpha") {
    const Tensor image = full({3, 2, 2}, 100, DType::u8), heat = full({3, 2, 2}, 200, DType::u8);
    CHECK(pixel(overlay(image, heat, 0.25), 1, 1) == Rgb{125, 125, 125});
    // A float image in [0, 1] is scaled by 255: 0.75 · 127.5 + 0.25 · 200 = 145.625.
    CHECK(pixel(overlay(full({3, 2, 2}, 0.5, DType::f32), heat, 0.25), 0, 1) == Rgb{146, 146, 146});
    CHECK(contains(error_of([&] {
                     overlay(image, full({3, 2, 3}, 0, DType::u8), 0.5);
                   }),
                   "overlay: the image uint8[3, 2, 2] on cpu and the heatmap uint8[3, 2, 3] on cpu differ in size"));
    CHECK(contains(error_of([&] { overlay(image, heat, 1.5); }), "alpha must be in [0, 1], got 1.5"));
  }

  TEST_CASE("a heatmap written as PNG reads back with its size and colours") {
    testing::TempDir dir;
    std::vector<double> v(4 * 6, 0.0);
    v[1 * 6 + 4] = 3;   // red-ish at (1, 4)
    v[3 * 6 + 0] = -3;  // blue at (3, 0)
    const Tensor heat = colorize(tensor(v, {4, 6}), Colormap::diverging);
    const std::string path = dir / "heat.png";
    write_png(path, heat);
    const Tensor back = data::load_image(path);
    CHECK(back.shape() == Shape{3, 4, 6});
    CHECK(pixel(back, 1, 4) == Rgb{255, 2, 2});
    CHECK(pixel(back, 3, 0) == Rgb{0, 0, 255});
    CHECK(pixel(back, 0, 0) == Rgb{253, 253, 255});
    CHECK(back.to_vector() == heat.to_vector());
    CHECK(contains(error_of([&] { write_png(dir / "missing/heat.png", heat); }), "write_png: cannot write"));
    CHECK(contains(error_of([&] {
                     write_png(path, zeros({3, 4, 6}));
                   }),
                   "expected a non-empty uint8 image [3, H, W], got float32[3, 4, 6]"));
  }

}  // TEST_SUITE
