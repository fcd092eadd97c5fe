// Pixel deletion and insertion curves (metrics/pixel_perturbation.h) with a toy "model" whose score is the sum of
// the image: the exact curves of a 4-pixel image for a perfect and a reversed ranking, ties broken by index, step
// sizes, the baseline, several channels, batching of the score calls, and errors.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "kernels/reduce.h"
#include "metrics/pixel_perturbation.h"
#include "tensor/creation.h"
#include "test_util.h"

using namespace htp;
using namespace htp::metrics;
using testing::contains;
using testing::error_of;

namespace {

// The score of each image of the batch [B, C, H, W] is the sum of its values.
Tensor image_sum(const Tensor& images) { return kernels::sum(images, {1, 2, 3}); }

// The 2 x 2 image [[1, 2], [3, 4]] and its own values as the perfect ranking.
const Tensor& four_pixels() {
  static const Tensor image = tensor<double>({1, 2, 3, 4}, {1, 2, 2});
  return image;
}
Tensor perfect_map() { return tensor<double>({1, 2, 3, 4}, {2, 2}); }
Tensor reversed_map() { return tensor<double>({-1, -2, -3, -4}, {2, 2}); }

PerturbationOptions quarter_steps() {
  PerturbationOptions options;
  options.step = 0.25;
  return options;
}

}  // namespace

TEST_SUITE("metrics") {
  TEST_CASE("deletion of a 4-pixel image: perfect ranking below the reversed one") {
    const PerturbationCurve perfect = deletion_curve(four_pixels(), perfect_map(), image_sum, quarter_steps());
    CHECK(perfect.fractions == std::vector<double>{0, 0.25, 0.5, 0.75, 1});
    CHECK(perfect.scores == std::vector<double>{10, 6, 3, 1, 0});        // 4, then 3, 2, 1 removed
    CHECK(perfect.area == doctest::Approx(0.25 * (8 + 4.5 + 2 + 0.5)));  // 3.75

    const PerturbationCurve reversed = deletion_curve(four_pixels(), reversed_map(), image_sum, quarter_steps());
    CHECK(reversed.scores == std::vector<double>{10, 9, 7, 4, 0});
    CHECK(reversed.area == doctest::Approx(0.25 * (9.5 + 8 + 5.5 + 2)));  // 6.25
    CHECK(perfect.area < reversed.area);
  }

  TEST_CASE("insertion of a 4-pixel image and the least-relevant-first order") {
    const PerturbationCurve inserted = insertion_curve(four_pixels(), perfect_map(), image_sum, quarter_steps());
    CHECK(inserted.scores == std::vector<double>{0, 4, 7, 9, 10});
    CHECK(inserted.area == doctest::Approx(6.25));

    PerturbationOptions options = quarter_steps();
    options.order = PixelOrder::least_relevant_first;
    CHECK(deletion_curve(four_pixels(), perfect_map(), image_sum, options).scores ==
          std::vector<double>{10, 9, 7, 4, 0});
  }

  TEST_CASE("ties are broken by pixel index, in both orders") {
    const Tensor flat = zeros({2, 2}, DType::f64);
    CHECK(deletion_curve(four_pixels(), flat, image_sum, quarter_steps()).scores ==
          std::vector<double>{10, 9, 7, 4, 0});
    PerturbationOptions options = quarter_steps();
    options.order = PixelOrder::least_relevant_first;
    CHECK(deletion_curve(four_pixels(), flat, image_sum, options).scores == std::vector<double>{10, 9, 7, 4, 0});
    // Pixels 1 and 2 tie at the top: 1 goes first.
    CHECK(deletion_curve(four_pixels(), tensor<double>({0, 5, 5, 1}, {2, 2}), image_sum, quarter_steps()).scores ==
          std::vector<double>{10, 8, 5, 1, 0});
  }

  TEST_CASE("step sizes, the baseline and several channels") {
    PerturbationOptions half;
    half.step = 0.5;  // 2 pixels per step
    const PerturbationCurve two = deletion_curve(four_pixels(), perfect_map(), image_sum, half);
    CHECK(two.fractions == std::vector<double>{0, 0.5, 1});
    CHECK(two.scores == std::vector<double>{10, 3, 0});
    CHECK(two.area == doctest::Approx(0.5 * 6.5 + 0.5 * 1.5));

    PerturbationOptions baseline = quarter_steps();
    baseline.baseline = 1.0;  // deleted pixels become 1
    CHECK(deletion_curve(four_pixels(), perfect_map(), image_sum, baseline).scores ==
          std::vector<double>{10, 7, 5, 4, 4});
    CHECK(insertion_curve(four_pixels(), perfect_map(), image_sum, baseline).scores ==
          std::vector<double>{4, 7, 9, 10, 10});

    // Two channels [[1, 2]] and [[10, 20]]: deleting pixel 1 removes 2 + 20 at once.
    const Tensor image = tensor<float>({1, 2, 10, 20}, {2, 1, 2});
    PerturbationOptions one;
    one.step = 0.5;
    const PerturbationCurve c = deletion_curve(image, tensor<float>({0, 1}, {1, 2}), image_sum, one);
    CHECK(c.scores == std::vector<double>{33, 11, 0});
    CHECK(c.area == doctest::Approx(0.5 * 22 + 0.5 * 5.5));
  }

  TEST_CASE("the score function sees batches of at most batch_size images of the image's dtype") {
    std::vector<Shape> calls;
    const ScoreFunction recorder = [&](const Tensor& images) {
      calls.push_back(images.shape());
      CHECK(images.dtype() == DType::f64);
      return image_sum(images).reshape({images.size(0), 1});  // [B, 1] is accepted too
    };
    PerturbationOptions options = quarter_steps();
    options.batch_size = 2;
    const PerturbationCurve curve = deletion_curve(four_pixels(), perfect_map(), recorder, options);
    CHECK(curve.scores == std::vector<double>{10, 6, 3, 1, 0});
    CHECK(calls == std::vector<Shape>{{2, 1, 2, 2}, {2, 1, 2, 2}, {1, 1, 2, 2}});
  }

  TEST_CASE("curve_area is the trapezoid rule") {
    CHECK(curve_area({0, 0.5, 1}, {1, 1, 0}) == doctest::Approx(0.75));
    CHECK(contains(error_of([] { curve_area({0, 1}, {1}); }), "curve_area: need as many fractions (2) as scores (1)"));
    CHECK(contains(error_of([] { curve_area({0, 1, 0.5}, {1, 1, 1}); }), "the fractions must ascend"));
  }

  TEST_CASE("perturbation errors name the tensors and options") {
    const Tensor image = four_pixels();
    CHECK(contains(error_of([&] {
                     deletion_curve(image, zeros({2, 3}), image_sum);
                   }),
                   "deletion_curve: the map float32[2, 3] on cpu does not match the image float64[1, 2, 2]"));
    PerturbationOptions zero_step;
    zero_step.step = 0;
    CHECK(contains(error_of([&] { insertion_curve(image, perfect_map(), image_sum, zero_step); }),
                   "insertion_curve: the step must be a fraction in (0, 1], got 0"));
    const Tensor nan_map = tensor<double>({0, 0, std::numeric_limits<double>::quiet_NaN(), 0}, {2, 2});
    CHECK(contains(error_of([&] { deletion_curve(image, nan_map, image_sum); }),
                   "the attribution map has a NaN at pixel 2 (row 1, column 0)"));
    const ScoreFunction wrong = [](const Tensor& images) { return zeros({images.size(0) + 1}); };
    CHECK(
        contains(error_of([&] { deletion_curve(image, perfect_map(), wrong); }),
                 "deletion_curve: the score function must return [5] or [5, 1] scores for images float64[5, 1, 2, 2]"));
  }

}  // TEST_SUITE
