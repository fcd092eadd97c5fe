// Pooling: max / avg / adaptive-avg forward against loops over PyTorch's definitions (ceil_mode, padding, dilation,
// count_include_pad both ways, divisor_override, non-divisible adaptive sizes, non-contiguous input, float64),
// backward kernels against the scatter at the arg max or the adjoint identity <pool(x), g> = <x, pool^T(g)>,
// float64 gradchecks and error messages.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "autograd/functions/pool.h"
#include "gradcheck.h"
#include "kernels/pool.h"
#include "tensor/creation.h"
#include "tensor/random.h"
#include "test_util.h"

using namespace htp;
using kernels::AvgPool2dParams;
using kernels::MaxPool2dParams;
using testing::check_all_close;
using testing::dot;
using testing::error_of;

namespace {

// PyTorch's pooling_output_shape, in floating point.
int64_t ref_out(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil_mode) {
  const double q = static_cast<double>(in + 2 * p - d * (k - 1) - 1) / static_cast<double>(s);
  int64_t out = static_cast<int64_t>(ceil_mode ? std::ceil(q) : std::floor(q)) + 1;
  if (ceil_mode && (out - 1) * s >= in + p) --out;
  return out;
}

struct MaxRef {
  Shape shape;
  std::vector<double> values, indices;
};

MaxRef ref_max(const Tensor& x, const MaxPool2dParams& p) {
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t OH = ref_out(H, p.kernel[0], p.stride[0], p.padding[0], p.dilation[0], p.ceil_mode);
  const int64_t OW = ref_out(W, p.kernel[1], p.stride[1], p.padding[1], p.dilation[1], p.ceil_mode);
  const auto v = x.contiguous().to_vector();
  MaxRef r{{N, C, OH, OW}, {}, {}};
  for (int64_t nc = 0; nc < N * C; ++nc)
    for (int64_t i = 0; i < OH; ++i)
      for (int64_t j = 0; j < OW; ++j) {
        double best = -std::numeric_limits<double>::infinity();
        int64_t arg = -1;
        for (int64_t a = 0; a < p.kernel[0]; ++a)
          for (int64_t b = 0; b < p.kernel[1]; ++b) {
            const int64_t y = i * p.stride[0] - p.padding[0] + a * p.dilation[0];
            const int64_t xx = j * p.stride[1] - p.padding[1] + b * p.dilation[1];
            if (y < 0 || y >= H || xx < 0 || xx >= W) continue;
            const double val = v[nc * H * W + y * W + xx];
            if (arg < 0 || val > best) {
              best = val;
              arg = y * W + xx;
            }
          }
        r.values.push_back(best);
        r.indices.push_back(static_cast<double>(arg));
      }
  return r;
}

// Average pooling from PyTorch's definition: window clipped to [-p, in + p), then to the image.
std::vector<double> ref_avg(const Tensor& x, const AvgPool2dParams& p, Shape& shape) {
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t OH = ref_out(H, p.kernel[0], p.stride[0], p.padding[0], 1, p.ceil_mode);
  const int64_t OW = ref_out(W, p.kernel[1], p.stride[1], p.padding[1], 1, p.ceil_mode);
  shape = {N, C, OH, OW};
  const auto v = x.contiguous().to_vector();
  std::vector<double> out;
  for (int64_t nc = 0; nc < N * C; ++nc)
    for (int64_t i = 0; i < OH; ++i)
      for (int64_t j = 0; j < OW; ++j) {
        int64_t y0 = i * p.stride[0] - p.padding[0], x0 = j * p.stride[1] - p.padding[1];
        int64_t y1 = std::min(y0 + p.kernel[0], H + p.padding[0]), x1 = std::min(x0 + p.kernel[1], W + p.padding[1]);
        const int64_t padded_area = (y1 - y0) * (x1 - x0);
        y0 = std::max<int64_t>(y0, 0);
        x0 = std::max<int64_t>(x0, 0);
        y1 = std::min(y1, H);
        x1 = std::min(x1, W);
        double sum = 0;
        for (int64_t y = y0; y < y1; ++y)
          for (int64_t xx = x0; xx < x1; ++xx) sum += v[nc * H * W + y * W + xx];
        const int64_t divisor =
            p.divisor_override ? *p.divisor_override : (p.count_include_pad ? padded_area : (y1 - y0) * (x1 - x0));
        out.push_back(sum / static_cast<double>(divisor));
      }
  return out;
}

std::vector<double> ref_adaptive(const Tensor& x, int64_t OH, int64_t OW) {
  const int64_t NC = x.size(0) * x.size(1), H = x.size(2), W = x.size(3);
  const auto v = x.contiguous().to_vector();
  std::vector<double> out;
  for (int64_t nc = 0; nc < NC; ++nc)
    for (int64_t i = 0; i < OH; ++i)
      for (int64_t j = 0; j < OW; ++j) {
        const auto y0 = static_cast<int64_t>(std::floor(static_cast<double>(i * H) / static_cast<double>(OH)));
        const auto y1 = static_cast<int64_t>(std::ceil(static_cast<double>((i + 1) * H) / static_cast<double>(OH)));
        const auto x0 = static_cast<int64_t>(std::floor(static_cast<double>(j * W) / static_cast<double>(OW)));
        const auto x1 = static_cast<int64_t>(std::ceil(static_cast<double>((j + 1) * W) / static_cast<double>(OW)));
        double sum = 0;
        for (int64_t y = y0; y < y1; ++y)
          for (int64_t xx = x0; xx < x1; ++xx) sum += v[nc * H * W + y * W + xx];
        out.push_back(sum / static_cast<double>((y1 - y0) * (x1 - x0)));
      }
  return out;
}

MaxPool2dParams maxp(std::array<int64_t, 2> k, std::array<int64_t, 2> s, std::array<int64_t, 2> p = {0, 0},
                     std::array<int64_t, 2> d = {1, 1}, bool ceil_mode = false) {
  return {k, s, p, d, ceil_mode};
}

AvgPool2dParams avgp(std::array<int64_t, 2> k, std::array<int64_t, 2> s, std::array<int64_t, 2> p, bool ceil_mode,
                     bool include_pad, std::optional<int64_t> divisor = std::nullopt) {
  return {k, s, p, ceil_mode, include_pad, divisor};
}

struct MaxCase {
  Shape x;
  MaxPool2dParams p;
};
const MaxCase kMaxCases[] = {
    {{2, 3, 8, 8}, maxp({3, 3}, {2, 2}, {1, 1})},                // ResNet stem pool
    {{1, 2, 7, 7}, maxp({2, 2}, {2, 2}, {0, 0}, {1, 1}, true)},  // ceil_mode adds a partial window
    {{1, 2, 5, 5}, maxp({2, 2}, {2, 2}, {1, 1}, {1, 1}, true)},  // ceil_mode window starting in the pad is dropped
    {{2, 2, 9, 8}, maxp({3, 3}, {1, 1}, {1, 1}, {2, 2})},        // dilation
    {{1, 3, 6, 9}, maxp({2, 3}, {1, 2}, {1, 0})},                // non-square
    {{3, 1, 1, 1}, maxp({1, 1}, {1, 1})},                        // size-1 dims
    {{0, 2, 4, 4}, maxp({2, 2}, {2, 2})},                        // empty batch
};

}  // namespace

TEST_SUITE("kernels") {
  TEST_CASE("max_pool2d forward values and indices") {
    for (DType dt : {DType::f32, DType::f64})
      for (const MaxCase& c : kMaxCases) {
        CAPTURE(shape_str(c.x));
        Tensor x = randn(c.x, dt);
        const MaxRef r = ref_max(x, c.p);
        kernels::MaxPool2dResult y = kernels::max_pool2d_forward(x, c.p);
        REQUIRE(y.values.shape() == r.shape);
        CHECK(y.indices.dtype() == DType::i64);
        check_all_close(y.values, r.values);
        check_all_close(y.indices, r.indices, 0);
      }
  }

  TEST_CASE("max_pool2d on a non-contiguous input and with NaN") {
    Tensor x = randn({2, 6, 6, 3}).permute({0, 3, 1, 2});  // [2, 3, 6, 6]
    const MaxPool2dParams p = maxp({2, 2}, {2, 2});
    check_all_close(kernels::max_pool2d_forward(x, p).values, ref_max(x, p).values);
    Tensor n = tensor(std::vector<float>{1, NAN, 3, 2}, {1, 1, 2, 2});
    kernels::MaxPool2dResult r = kernels::max_pool2d_forward(n, p);
    CHECK(std::isnan(r.values.item<float>()));
    CHECK(r.indices.item<int64_t>() == 1);
  }

  TEST_CASE("max_pool2d backward scatters to the arg max") {
    for (const MaxCase& c : kMaxCases) {
      Tensor x = randn(c.x, DType::f64);
      const MaxRef r = ref_max(x, c.p);
      Tensor gy = randn(r.shape, DType::f64);
      const auto vg = gy.to_vector();
      std::vector<double> gx(static_cast<size_t>(x.numel()), 0.0);
      const int64_t plane = c.x[2] * c.x[3], out_plane = r.shape[2] * r.shape[3];
      for (size_t k = 0; k < vg.size(); ++k)
        gx[static_cast<size_t>(static_cast<int64_t>(k) / out_plane * plane + static_cast<int64_t>(r.indices[k]))] +=
            vg[k];
      check_all_close(kernels::max_pool2d_backward(gy, kernels::max_pool2d_forward(x, c.p).indices, c.x), gx, 1e-12);
    }
  }

  TEST_CASE("avg_pool2d forward and its adjoint backward") {
    struct AvgCase {
      Shape x;
      AvgPool2dParams p;
    };
    const AvgCase cases[] = {
        {{2, 3, 8, 8}, avgp({3, 3}, {2, 2}, {1, 1}, false, true)},
        {{2, 3, 8, 8}, avgp({3, 3}, {2, 2}, {1, 1}, false, false)},
        {{1, 2, 7, 6}, avgp({3, 2}, {2, 2}, {1, 1}, true, true)},  // ceil_mode: windows clipped at in + pad
        {{1, 2, 7, 6}, avgp({3, 2}, {2, 2}, {1, 1}, true, false)},
        {{1, 2, 5, 5}, avgp({2, 2}, {2, 2}, {1, 1}, true, true)},      // ceil_mode rule drops a window in the pad
        {{2, 2, 6, 6}, avgp({3, 3}, {3, 3}, {1, 1}, false, true, 5)},  // divisor_override
        {{1, 1, 1, 4}, avgp({1, 2}, {1, 1}, {0, 1}, false, false)},    // size-1 dim
        {{0, 3, 4, 4}, avgp({2, 2}, {2, 2}, {0, 0}, false, true)},     // empty batch
    };
    for (DType dt : {DType::f32, DType::f64})
      for (const AvgCase& c : cases) {
        CAPTURE(shape_str(c.x));
        CAPTURE(c.p.count_include_pad);
        Tensor x = randn(c.x, dt);
        Shape ys;
        const std::vector<double> want = ref_avg(x, c.p, ys);
        Tensor y = kernels::avg_pool2d_forward(x, c.p);
        REQUIRE(y.shape() == ys);
        check_all_close(y, want);
        Tensor gy = randn(ys, dt);
        CHECK(dot(y, gy) == doctest::Approx(dot(x, kernels::avg_pool2d_backward(gy, c.x, c.p))).epsilon(1e-5));
      }
    Tensor xt = randn({2, 6, 7, 3}).permute({0, 3, 1, 2});
    Shape ys;
    const AvgPool2dParams p = avgp({2, 3}, {2, 1}, {1, 1}, false, false);
    const std::vector<double> want = ref_avg(xt, p, ys);
    check_all_close(kernels::avg_pool2d_forward(xt, p), want);
  }

  TEST_CASE("adaptive_avg_pool2d to divisible and non-divisible sizes") {
    const std::array<int64_t, 4> cases[] = {{7, 7, 3, 3}, {5, 6, 2, 4}, {8, 8, 4, 4}, {4, 3, 8, 5}, {6, 5, 1, 1}};
    for (DType dt : {DType::f32, DType::f64})
      for (const auto& c : cases) {
        CAPTURE(c[0]);
        CAPTURE(c[2]);
        Tensor x = randn({2, 3, c[0], c[1]}, dt);
        Tensor y = kernels::adaptive_avg_pool2d_forward(x, {c[2], c[3]});
        REQUIRE(y.shape() == Shape{2, 3, c[2], c[3]});
        check_all_close(y, ref_adaptive(x, c[2], c[3]));
        Tensor gy = randn(y.shape(), dt);
        CHECK(dot(y, gy) ==
              doctest::Approx(dot(x, kernels::adaptive_avg_pool2d_backward(gy, x.shape()))).epsilon(1e-5));
      }
    Tensor xt = randn({1, 5, 7, 2}).permute({0, 3, 1, 2});
    check_all_close(kernels::adaptive_avg_pool2d_forward(xt, {3, 2}), ref_adaptive(xt, 3, 2));
  }

  TEST_CASE("pooling errors") {
    std::string e = error_of([] { kernels::max_pool2d_forward(randn({1, 1, 8, 8}), maxp({2, 2}, {2, 2}, {2, 2})); });
    CHECK(e.find("at most half the kernel") != std::string::npos);
    e = error_of([] { kernels::max_pool2d_forward(randn({1, 1, 2, 2}), maxp({3, 3}, {1, 1})); });
    CHECK(e.find("does not fit") != std::string::npos);
    CHECK(e.find("[1, 1, 2, 2]") != std::string::npos);
    e = error_of([] { kernels::max_pool2d_forward(randn({2, 8, 8}), maxp({2, 2}, {2, 2})); });
    CHECK(e.find("[N, C, H, W]") != std::string::npos);
    e = error_of([] {
      kernels::avg_pool2d_forward(randn({1, 1, 4, 4}), avgp({2, 2}, {2, 2}, {0, 0}, false, true, 0));
    });
    CHECK(e.find("divisor_override") != std::string::npos);
    e = error_of([] { kernels::avg_pool2d_forward(randn({1, 1, 4, 4}), avgp({2, 2}, {0, 2}, {0, 0}, false, true)); });
    CHECK(e.find("stride") != std::string::npos);
    e = error_of([] {
      kernels::avg_pool2d_backward(randn({1, 1, 3, 3}), {1, 1, 4, 4}, avgp({2, 2}, {2, 2}, {0, 0}, false, true));
    });
    CHECK(e.find("[1, 1, 3, 3]") != std::string::npos);
    CHECK(e.find("[1, 1, 2, 2]") != std::string::npos);
    e = error_of([] { kernels::adaptive_avg_pool2d_forward(randn({1, 1, 4, 4}), {0, 2}); });
    CHECK(e.find("output size") != std::string::npos);
    e = error_of([] { kernels::max_pool2d_forward(randn({1, 1, 4, 4}).to(DType::i64), maxp({2, 2}, {2, 2})); });
    CHECK(e.find("int64") != std::string::npos);
  }
}

TEST_SUITE("gradcheck") {
  using testing::leaf_f64;

  TEST_CASE("max_pool2d gradients") {
    CHECK_GRADCHECK(
        [](const variable_list& v) {
          return max_pool2d(v[0], maxp({3, 3}, {2, 2}, {1, 1}));
        },
        {leaf_f64({2, 2, 5, 5}, 1)});
    CHECK_GRADCHECK(
        [](const variable_list& v) {
          return max_pool2d(v[0], maxp({2, 2}, {2, 2}, {1, 1}, {1, 1}, true));
        },
        {leaf_f64({1, 2, 5, 4}, 2)});
    CHECK_GRADCHECK(
        [](const variable_list& v) {
          return max_pool2d(v[0], maxp({2, 2}, {1, 1}, {0, 0}, {2, 2}));
        },
        {leaf_f64({1, 1, 5, 5}, 3)});
  }

  TEST_CASE("avg_pool2d gradients") {
    for (bool include_pad : {true, false})
      CHECK_GRADCHECK(
          [&](const variable_list& v) {
            return avg_pool2d(v[0], avgp({3, 3}, {2, 2}, {1, 1}, true, include_pad));
          },
          {leaf_f64({2, 2, 6, 5}, 4)});
    CHECK_GRADCHECK(
        [](const variable_list& v) {
          return avg_pool2d(v[0], avgp({2, 2}, {1, 1}, {1, 1}, false, true, 3));
        },
        {leaf_f64({1, 2, 4, 4}, 5)});
  }

  TEST_CASE("adaptive_avg_pool2d gradients") {
    CHECK_GRADCHECK(
        [](const variable_list& v) {
          return adaptive_avg_pool2d(v[0], {3, 2});
        },
        {leaf_f64({2, 2, 7, 5}, 6)});
    CHECK_GRADCHECK(
        [](const variable_list& v) {
          return adaptive_avg_pool2d(v[0], {1, 1});
        },
        {leaf_f64({1, 3, 4, 4}, 7)});
  }
}
