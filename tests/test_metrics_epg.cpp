// Energy pointing game (metrics/epg.h): one box and two overlapping boxes on maps whose smoothed mass is known by
// hand, negative mass ignored, the reference's integer box rescaling, the union mask, rounding as Python's
// round(x, 2), and errors for boxes outside the map.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "metrics/aggregate.h"
#include "metrics/epg.h"
#include "tensor/creation.h"
#include "test_util.h"

using namespace htp;
using namespace htp::metrics;
using testing::contains;
using testing::error_of;

namespace {

// A 20 x 20 map: 1 on rows/columns 4..5 (smoothed: rows and columns 2..7, mass 4), 3 on rows/columns 14..15 (mass
// 12 on 12..17), and -8 on rows 4..5, columns 14..15 (negative, far enough from both not to mix with them).
Tensor two_blobs() {
  std::vector<double> v(400, 0.0);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      v[(4 + i) * 20 + 4 + j] = 1;
      v[(14 + i) * 20 + 14 + j] = 3;
      v[(4 + i) * 20 + 14 + j] = -8;
    }
  return tensor(v, {20, 20});
}

}  // namespace

TEST_SUITE("metrics") {
  TEST_CASE("EPG with one box: the box's share of the positive energy") {
    const Tensor map = two_blobs();
    // [x0, y0, x1, y1) = columns 2..7, rows 2..7: the whole first blob.
    CHECK(energy_pointing_game(map, {{2, 2, 8, 8}}, Smoothing::mean_5x5) == doctest::Approx(0.25).epsilon(1e-12));
    // The top half holds the first blob and the negative one, which does not count.
    CHECK(energy_pointing_game(map, {{0, 0, 20, 10}}, Smoothing::mean_5x5) == doctest::Approx(0.25).epsilon(1e-12));
    // A single pixel spreads 1/25 over a 5 x 5 square; a box over its lower-right 3 x 3 part holds 9/25.
    std::vector<double> v(121, 0.0);
    v[5 * 11 + 5] = 1;
    CHECK(energy_pointing_game(tensor(v, {11, 11}), {{5, 5, 11, 11}}, Smoothing::mean_5x5) ==
          doctest::Approx(0.36).epsilon(1e-12));
  }

  TEST_CASE("EPG with two overlapping boxes counts the overlap once") {
    const Tensor map = two_blobs();
    // Box 1 covers the first blob, box 2 overlaps it on columns/rows 5..7 and covers the second blob: the union holds
    // all the positive energy (counting the overlap twice would give more than 1).
    CHECK(energy_pointing_game(map, {{2, 2, 8, 8}, {5, 5, 18, 18}}, Smoothing::mean_5x5) ==
          doctest::Approx(1.0).epsilon(1e-12));
    // A single pixel smoothed to 1/25 on rows and columns 3..7: [3, 6) x [3, 6) holds 9 of its 25 pixels,
    // [5, 8) x [5, 8) another 9, and they share (5, 5): 17 of 25.
    std::vector<double> v(121, 0.0);
    v[5 * 11 + 5] = 1;
    CHECK(energy_pointing_game(tensor(v, {11, 11}), {{3, 3, 6, 6}, {5, 5, 8, 8}}, Smoothing::mean_5x5) ==
          doctest::Approx(17.0 / 25).epsilon(1e-12));
  }

  TEST_CASE("EPG with the Gaussian: half of a constant map") {
    CHECK(energy_pointing_game(ones({130, 130}), {{0, 0, 65, 130}}, Smoothing::gaussian_129) ==
          doctest::Approx(0.5).epsilon(1e-6));
  }

  TEST_CASE("box_union_mask marks the union of half-open boxes") {
    const Tensor mask = box_union_mask({{0, 0, 2, 2}, {1, 1, 3, 3}, {3, 0, 3, 3}}, 3, 4);  // the last box is empty
    CHECK(mask.shape() == Shape{3, 4});
    CHECK(mask.to_vector() == std::vector<double>{1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0});
  }

  TEST_CASE("rescale_box floors like the reference's integer arithmetic") {
    // A box of a 353 x 500 (width x height) image on a 224 x 224 map: 48·224/353 = 30.46, 240·224/500 = 107.52,
    // 195·224/353 = 123.74, 371·224/500 = 166.2.
    const PixelBox b = rescale_box(48, 240, 195, 371, 353, 500, 224, 224);
    CHECK(b.x0 == 30);
    CHECK(b.y0 == 107);
    CHECK(b.x1 == 123);
    CHECK(b.y1 == 166);
    const PixelBox whole = rescale_box(0, 0, 353, 500, 353, 500, 224, 224);
    CHECK((whole.x1 == 224 && whole.y1 == 224));
  }

  TEST_CASE("round_decimals rounds like Python's round(x, 2)") {
    CHECK(round_decimals(0.125, 2) == 0.12);  // exactly representable: ties to even
    CHECK(round_decimals(0.375, 2) == 0.38);
    CHECK(round_decimals(0.345, 2) == 0.34);  // 0.345 is stored as 0.34499999…
    CHECK(round_decimals(0.996, 2) == 1.0);
    CHECK(std::isnan(round_decimals(std::nan(""), 2)));
  }

  TEST_CASE("EPG errors name the box and the map") {
    const Tensor map = zeros({10, 12});
    CHECK(contains(error_of([&] {
                     energy_pointing_game(map, {{0, 0, 5, 5}, {4, 2, 13, 6}}, Smoothing::mean_5x5);
                   }),
                   "energy_pointing_game: box 1 [x0=4, y0=2, x1=13, y1=6) is not inside the 10x12 map"));
    CHECK(contains(error_of([&] {
                     energy_pointing_game(map, {{-1, 0, 5, 5}}, Smoothing::mean_5x5);
                   }),
                   "box 0 [x0=-1, y0=0, x1=5, y1=5)"));
    CHECK(contains(error_of([&] {
                     energy_pointing_game(map, {{5, 0, 4, 5}}, Smoothing::mean_5x5);
                   }),
                   "need 0 <= x0 <= x1 <= 12"));
    CHECK(contains(error_of([&] { energy_pointing_game(map, {}, Smoothing::mean_5x5); }),
                   "energy_pointing_game: the target class has no boxes"));
  }

}  // TEST_SUITE
