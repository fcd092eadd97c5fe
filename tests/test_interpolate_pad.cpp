// Bilinear interpolation (both align_corners modes, up and down, against PyTorch's source-index formulas and
// hand-computed values; backward by the adjoint identity) and constant padding (positive, negative and mixed pads
// against an index-shifting loop, any dtype, non-contiguous input); float64 gradchecks and error messages.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "autograd/functions/resample.h"
#include "gradcheck.h"
#include "kernels/interpolate.h"
#include "kernels/pad.h"
#include "tensor/creation.h"
#include "tensor/random.h"
#include "test_util.h"

using namespace htp;
using testing::check_all_close;
using testing::dot;
using testing::error_of;

namespace {

// PyTorch's source coordinate for output index i when resizing in -> out.
double source_index(int64_t i, int64_t in, int64_t out, bool align_corners) {
  if (align_corners)
    return out > 1 ? static_cast<double>(i) * static_cast<double>(in - 1) / static_cast<double>(out - 1) : 0.0;
  return std::max((static_cast<double>(i) + 0.5) * static_cast<double>(in) / static_cast<double>(out) - 0.5, 0.0);
}

std::vector<double> ref_bilinear(const Tensor& x, int64_t OH, int64_t OW, bool align_corners) {
  const int64_t NC = x.size(0) * x.size(1), H = x.size(2), W = x.size(3);
  const auto v = x.contiguous().to_vector();
  std::vector<double> out;
  for (int64_t nc = 0; nc < NC; ++nc)
    for (int64_t i = 0; i < OH; ++i)
      for (int64_t j = 0; j < OW; ++j) {
        const double sy = source_index(i, H, OH, align_corners), sx = source_index(j, W, OW, align_corners);
        const auto y0 = static_cast<int64_t>(std::floor(sy)), x0 = static_cast<int64_t>(std::floor(sx));
        const int64_t y1 = std::min(y0 + 1, H - 1), x1 = std::min(x0 + 1, W - 1);
        const double ly = sy - static_cast<double>(y0), lx = sx - static_cast<double>(x0);
        auto at = [&](int64_t y, int64_t xx) { return v[nc * H * W + y * W + xx]; };
        out.push_back((1 - ly) * ((1 - lx) * at(y0, x0) + lx * at(y0, x1)) +
                      ly * ((1 - lx) * at(y1, x0) + lx * at(y1, x1)));
      }
  return out;
}

// Constant padding of a rank-3 tensor from the definition: out[i] = x[i - before] inside x, else value.
std::vector<double> ref_pad3(const Tensor& x, const std::vector<int64_t>& pads, double value, Shape& shape) {
  int64_t before[3] = {0, 0, 0};
  shape = x.shape();
  for (size_t k = 0; k < pads.size() / 2; ++k) {
    before[2 - k] = pads[2 * k];
    shape[2 - k] += pads[2 * k] + pads[2 * k + 1];
  }
  const auto v = x.contiguous().to_vector();
  std::vector<double> out;
  for (int64_t i = 0; i < shape[0]; ++i)
    for (int64_t j = 0; j < shape[1]; ++j)
      for (int64_t k = 0; k < shape[2]; ++k) {
        const int64_t a = i - before[0], b = j - before[1], c = k - before[2];
        const bool inside = a >= 0 && a < x.size(0) && b >= 0 && b < x.size(1) && c >= 0 && c < x.size(2);
        out.push_back(inside ? v[(a * x.size(1) + b) * x.size(2) + c] : value);
      }
  return out;
}

}  // namespace

TEST_SUITE("kernels") {
  TEST_CASE("interpolate_bilinear hand-computed values") {
    Tensor x = tensor(std::vector<float>{0, 1}, {1, 1, 1, 2});
    check_all_close(kernels::interpolate_bilinear_forward(x, {1, 4}, true), {0, 1.0 / 3, 2.0 / 3, 1});
    check_all_close(kernels::interpolate_bilinear_forward(x, {1, 4}, false), {0, 0.25, 0.75, 1});
    check_all_close(kernels::interpolate_bilinear_forward(x, {2, 1}, true), {0, 0});
    check_all_close(kernels::interpolate_bilinear_forward(x, {1, 1}, false), {0.5});
  }

  TEST_CASE("interpolate_bilinear up, down and same size, both modes") {
    const std::array<int64_t, 4> cases[] = {{4, 5, 7, 9}, {8, 8, 3, 5}, {5, 6, 5, 6}, {1, 3, 4, 1}, {6, 4, 1, 1}};
    for (DType dt : {DType::f32, DType::f64})
      for (bool ac : {false, true})
        for (const auto& c : cases) {
          CAPTURE(ac);
          CAPTURE(c[2]);
          Tensor x = randn({2, 3, c[0], c[1]}, dt);
          Tensor y = kernels::interpolate_bilinear_forward(x, {c[2], c[3]}, ac);
          REQUIRE(y.shape() == Shape{2, 3, c[2], c[3]});
          check_all_close(y, ref_bilinear(x, c[2], c[3], ac));
          if (c[0] == c[2] && c[1] == c[3]) check_all_close(y, x.to_vector());  // same size is the identity
          Tensor gy = randn(y.shape(), dt);
          CHECK(dot(y, gy) ==
                doctest::Approx(dot(x, kernels::interpolate_bilinear_backward(gy, x.shape(), ac))).epsilon(1e-5));
        }
    Tensor xt = randn({1, 5, 4, 2}).permute({0, 3, 1, 2});
    check_all_close(kernels::interpolate_bilinear_forward(xt, {7, 3}, false), ref_bilinear(xt, 7, 3, false));
  }

  TEST_CASE("pad_constant positive, negative and mixed pads") {
    const std::vector<int64_t> cases[] = {
        {1, 2}, {1, 2, 0, 1}, {2, 1, 1, 0, 1, 1}, {-1, 1, 2, -2}, {-2, -1, -1, 0, 1, -1}, {-4, 0}, {-5, 2}, {0, 0}};
    Tensor x = randn({2, 3, 4});
    for (const auto& pads : cases) {
      CAPTURE(shape_str(pads));
      Shape shape;
      const std::vector<double> want = ref_pad3(x, pads, 2.5, shape);
      Tensor y = kernels::pad_constant(x, pads, 2.5);
      REQUIRE(y.shape() == shape);
      check_all_close(y, want, 0);
    }
    Tensor xt = randn({4, 3, 2}).permute({2, 1, 0});  // [2, 3, 4], non-contiguous
    Shape shape;
    const std::vector<double> want = ref_pad3(xt, {1, -1, 0, 2}, -1, shape);
    check_all_close(kernels::pad_constant(xt, {1, -1, 0, 2}, -1), want, 0);
    Tensor xi = arange(24).view({2, 3, 4});
    Tensor yi = kernels::pad_constant(xi, {1, 1}, 7);
    CHECK(yi.dtype() == DType::i64);
    check_all_close(yi, ref_pad3(xi, {1, 1}, 7, shape), 0);
  }

  TEST_CASE("interpolate and pad errors") {
    std::string e = error_of([] { kernels::interpolate_bilinear_forward(randn({2, 3, 4}), {2, 2}, false); });
    CHECK(e.find("[2, 3, 4]") != std::string::npos);
    e = error_of([] { kernels::interpolate_bilinear_forward(randn({1, 1, 4, 4}), {0, 2}, false); });
    CHECK(e.find("output size") != std::string::npos);
    e = error_of([] { kernels::interpolate_bilinear_backward(randn({2, 1, 4, 4}), {1, 1, 2, 2}, false); });
    CHECK(e.find("[2, 1, 4, 4]") != std::string::npos);
    CHECK(e.find("[1, 1, 2, 2]") != std::string::npos);
    e = error_of([] { kernels::pad_constant(randn({2, 3}), {1, 1, 1}); });
    CHECK(e.find("pairs") != std::string::npos);
    e = error_of([] { kernels::pad_constant(randn({2, 3}), {1, 1, 1, 1, 1, 1}); });
    CHECK(e.find("float32[2, 3]") != std::string::npos);
    e = error_of([] { kernels::pad_constant(randn({2, 3}), {-2, -2}); });
    CHECK(e.find("negative size -1") != std::string::npos);
  }
}

TEST_SUITE("gradcheck") {
  using testing::leaf_f64;

  TEST_CASE("interpolate_bilinear gradients") {
    for (bool ac : {false, true}) {
      CHECK_GRADCHECK(
          [&](const variable_list& v) {
            return interpolate_bilinear(v[0], {7, 5}, ac);
          },
          {leaf_f64({2, 2, 4, 3}, 1)});
      CHECK_GRADCHECK(
          [&](const variable_list& v) {
            return interpolate_bilinear(v[0], {3, 2}, ac);
          },
          {leaf_f64({1, 2, 6, 5}, 2)});
    }
  }

  TEST_CASE("pad gradients") {
    CHECK_GRADCHECK([](const variable_list& v) { return pad(v[0], {1, 2, 0, 1}, 3.0); }, {leaf_f64({2, 3, 4}, 3)});
    CHECK_GRADCHECK([](const variable_list& v) { return pad(v[0], {-1, 1, 2, -2}); }, {leaf_f64({2, 3, 4}, 4)});
  }
}
