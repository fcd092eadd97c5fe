// Post-processing of attribution maps (metrics/postprocess.h): channel sums, the positive part, the 5×5 mean filter
// with zero padding counted in the divisor and the reflect-padded Gaussian, on small maps computed by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "metrics/postprocess.h"
#include "tensor/creation.h"
#include "test_util.h"

using namespace htp;
using namespace htp::metrics;
using testing::check_close;
using testing::contains;
using testing::error_of;

TEST_SUITE("metrics") {
  TEST_CASE("channel_sum adds the channels of [C, H, W] and [N, C, H, W] attributions") {
    const Tensor a = tensor<double>({1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60}, {2, 2, 3});
    const Tensor m = channel_sum(a);
    CHECK(m.shape() == Shape{2, 3});
    check_close(m, {11, 22, 33, 44, 55, 66}, 1e-15);
    const Tensor batch = channel_sum(a.reshape({1, 2, 2, 3}));
    CHECK(batch.shape() == Shape{1, 2, 3});
    check_close(batch, {11, 22, 33, 44, 55, 66}, 1e-15);
    CHECK(contains(error_of([&] { channel_sum(m); }), "channel_sum: expected an attribution [C, H, W]"));
  }

  TEST_CASE("positive_part zeroes the negative values only") {
    check_close(positive_part(tensor<double>({-1, 0, 2.5, -0.5}, {2, 2})), {0, 0, 2.5, 0}, 0);
    CHECK(contains(error_of([] { positive_part(tensor<double>({1, 2}, {2})); }), "positive_part: expected"));
  }

  TEST_CASE("mean_smooth divides every 5x5 window by 25, padding included") {
    // A 1 at (0, 0) reaches rows and columns 0..2; a 2 at (3, 3) reaches rows and columns 1..3.
    std::vector<double> v(16, 0.0);
    v[0] = 1;
    v[15] = 2;
    const Tensor s = mean_smooth(tensor(v, {4, 4}));
    std::vector<double> want(16);
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j)
        want[i * 4 + j] = ((i <= 2 && j <= 2) ? 1.0 : 0.0) / 25 + ((i >= 1 && j >= 1) ? 2.0 : 0.0) / 25;
    check_close(s, want, 1e-15);
  }

  TEST_CASE("mean_smooth counts the zero padding: a 3x3 filter of ones gives 4/9, 6/9 and 1") {
    const Tensor s = mean_smooth(ones({3, 3}, DType::f32), 3);
    CHECK(s.dtype() == DType::f32);
    check_close(s, {4. / 9, 6. / 9, 4. / 9, 6. / 9, 1, 6. / 9, 4. / 9, 6. / 9, 4. / 9}, 1e-6);
  }

  TEST_CASE("mean_smooth smooths each map of a batch [N, H, W] on its own") {
    const Tensor maps = tensor<double>({9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 18}, {2, 3, 3});
    const Tensor s = mean_smooth(maps, 3);
    CHECK(s.shape() == Shape{2, 3, 3});
    check_close(s, {1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 0, 2, 2}, 1e-15);
    CHECK(contains(error_of([&] { mean_smooth(maps, 4); }), "mean_smooth: the kernel size must be odd"));
  }

  TEST_CASE("gaussian_smooth reflects at the border: a centred delta gives the outer product of [2 g0, g1, 2 g0]") {
    // kernel 3, sigma 1: g = [e^-1/2, 1, e^-1/2] / (1 + 2 e^-1/2). Row -1 reads row 1 (reflect), so the border rows
    // see the delta through both outer taps.
    std::vector<double> v(9, 0.0);
    v[4] = 1;
    const double e = std::exp(-0.5), g0 = e / (1 + 2 * e), g1 = 1 / (1 + 2 * e);
    const double r[3] = {2 * g0, g1, 2 * g0};
    std::vector<double> want(9);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) want[i * 3 + j] = r[i] * r[j];
    check_close(gaussian_smooth(tensor(v, {3, 3}), 3, 1.0), want, 1e-14);
  }

  TEST_CASE("gaussian_smooth with the default 129 taps and sigma 32.25") {
    SUBCASE("a constant map stays constant") {
      const Tensor s = gaussian_smooth(full({130, 131}, 0.5, DType::f32));
      CHECK(s.dtype() == DType::f32);
      for (double x : s.to_vector()) REQUIRE(x == doctest::Approx(0.5).epsilon(1e-6));
    }
    SUBCASE("the impulse response follows exp(-x^2 / (2 sigma^2))") {
      // A delta at the centre of a 129 x 129 map: at (64, 64) the response is g[64]^2; at (64, 0) column 64 is
      // reached by the last tap directly and by the first through the reflection of column -64, so 2 g[64] g[0].
      const Tensor delta = zeros({129, 129}, DType::f64);
      delta.narrow(0, 64, 1).narrow(1, 64, 1).fill_(1.0);
      const std::vector<double> s = gaussian_smooth(delta).to_vector();
      const double centre = s[64 * 129 + 64], edge = s[64 * 129 + 0];
      CHECK(edge / centre == doctest::Approx(2 * std::exp(-0.5 * std::pow(64 / 32.25, 2))).epsilon(1e-12));
    }
    CHECK(contains(error_of([] { gaussian_smooth(zeros({64, 200})); }), "gaussian_smooth: reflect padding of 64"));
    CHECK(contains(error_of([] { gaussian_smooth(zeros({8, 8}), 3, 0.0); }), "sigma must be positive"));
  }

  TEST_CASE("smooth and score_map pick the filter, then drop the negatives") {
    const Tensor map = tensor<double>({-9, 0, 0, 0, 0, 0, 0, 0, 18}, {3, 3});
    check_close(smooth(map, Smoothing::mean_5x5), std::vector<double>(9, 9.0 / 25), 1e-15);
    check_close(score_map(map, Smoothing::mean_5x5), std::vector<double>(9, 9.0 / 25), 1e-15);
    const Tensor negative = tensor<double>({-25, 0, 0, 0, 0, 0, 0, 0, 0}, {3, 3});
    check_close(score_map(negative, Smoothing::mean_5x5), std::vector<double>(9, 0.0), 0);
  }

  TEST_CASE("gaussian_scaled sizes the Gaussian to the map: 129 taps at 448 px, 15 at 56 px, at least 3") {
    CHECK(gaussian_kernel_for_side(448) == 129);
    CHECK(gaussian_kernel_for_side(672) == 193);  // floor(193.5) = 193, odd
    CHECK(gaussian_kernel_for_side(56) == 15);    // floor(16.125) = 16 -> 15
    CHECK(gaussian_kernel_for_side(28) == 7);     // floor(8.06) = 8 -> 7
    CHECK(gaussian_kernel_for_side(10) == 3);
    // The shorter side decides; the result equals gaussian_smooth with k and sigma = k / 4.
    std::vector<double> v(56 * 60);
    for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin(0.37 * static_cast<double>(i)) + (i % 7 == 0 ? 3.0 : 0.0);
    const Tensor map = tensor(v, {56, 60});
    check_close(smooth(map, Smoothing::gaussian_scaled), gaussian_smooth(map, 15, 3.75).to_vector(), 0);
    check_close(score_map(map, Smoothing::gaussian_scaled), positive_part(gaussian_smooth(map, 15, 3.75)).to_vector(),
                0);
    CHECK(contains(error_of([] { gaussian_kernel_for_side(0); }), "the side must be positive"));
  }

}  // TEST_SUITE
