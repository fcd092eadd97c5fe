// conv2d: forward and the three backward kernels against direct loops over the definition (stride, padding, dilation,
// groups incl. depthwise, non-square kernels, bias / no bias, batches, 1x1 convs, non-contiguous input, float64),
// float64 gradchecks through the autograd function, and error messages.
#include <doctest/doctest.h>

#include <string>

#include "autograd/functions/conv.h"
#include "gradcheck.h"
#include "kernels/conv.h"
#include "tensor/creation.h"
#include "tensor/random.h"
#include "test_util.h"

using namespace htp;
using kernels::Conv2dParams;
using testing::check_all_close;
using testing::error_of;

namespace {

struct Case {
  int64_t N, C, H, W, O, kh, kw;
  Conv2dParams p;
  bool bias;
};

// Calls fn(n, o, i, j, c, a, b, x_index, w_index, y_index) for every multiply-add of the convolution, read straight
// from the definition: y[n,o,i,j] += x[n, g Cg + c, i s - p + a d, j s - p + b d] * w[o, c, a, b].
template <class F>
void for_each_tap(const Shape& xs, const Shape& ws, const Shape& ys, const Conv2dParams& p, F&& fn) {
  const int64_t Cg = ws[1], Og = ws[0] / p.groups;
  for (int64_t n = 0; n < ys[0]; ++n)
    for (int64_t o = 0; o < ys[1]; ++o)
      for (int64_t i = 0; i < ys[2]; ++i)
        for (int64_t j = 0; j < ys[3]; ++j)
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t a = 0; a < ws[2]; ++a)
              for (int64_t b = 0; b < ws[3]; ++b) {
                const int64_t y = i * p.stride[0] - p.padding[0] + a * p.dilation[0];
                const int64_t x = j * p.stride[1] - p.padding[1] + b * p.dilation[1];
                if (y < 0 || y >= xs[2] || x < 0 || x >= xs[3]) continue;
                const int64_t ci = (o / Og) * Cg + c;
                fn(((n * xs[1] + ci) * xs[2] + y) * xs[3] + x, ((o * Cg + c) * ws[2] + a) * ws[3] + b,
                   ((n * ys[1] + o) * ys[2] + i) * ys[3] + j);
              }
}

Shape out_shape(const Case& k) {
  auto len = [](int64_t in, int64_t kk, int64_t s, int64_t p, int64_t d) {
    return (in + 2 * p - d * (kk - 1) - 1) / s + 1;
  };
  return {k.N, k.O, len(k.H, k.kh, k.p.stride[0], k.p.padding[0], k.p.dilation[0]),
          len(k.W, k.kw, k.p.stride[1], k.p.padding[1], k.p.dilation[1])};
}

std::vector<double> ref_forward(const Tensor& x, const Tensor& w, const Tensor& bias, const Shape& ys,
                                const Conv2dParams& p) {
  const auto vx = x.to_vector(), vw = w.to_vector();
  std::vector<double> y(static_cast<size_t>(shape_numel(ys)), 0.0);
  if (bias.defined()) {
    const auto vb = bias.to_vector();
    const int64_t plane = ys[2] * ys[3];
    for (size_t k = 0; k < y.size(); ++k) y[k] = vb[(k / plane) % ys[1]];
  }
  for_each_tap(x.shape(), w.shape(), ys, p, [&](int64_t xi, int64_t wi, int64_t yi) { y[yi] += vx[xi] * vw[wi]; });
  return y;
}

Conv2dParams params(std::array<int64_t, 2> stride, std::array<int64_t, 2> padding, std::array<int64_t, 2> dilation,
                    int64_t groups) {
  Conv2dParams p;
  p.stride = stride;
  p.padding = padding;
  p.dilation = dilation;
  p.groups = groups;
  return p;
}

const Case kCases[] = {
    {2, 3, 7, 6, 4, 3, 3, params({1, 1}, {1, 1}, {1, 1}, 1), true},       // plain 3x3, batch 2
    {2, 4, 9, 8, 6, 3, 3, params({2, 2}, {1, 1}, {2, 2}, 2), true},       // stride, padding, dilation, groups
    {1, 3, 6, 9, 5, 2, 3, params({1, 2}, {0, 1}, {1, 1}, 1), false},      // non-square kernel and stride
    {3, 4, 8, 8, 8, 3, 3, params({1, 1}, {1, 1}, {1, 1}, 4), true},       // depthwise, channel multiplier 2
    {2, 6, 5, 7, 4, 1, 1, params({1, 1}, {0, 0}, {1, 1}, 1), true},       // 1x1 stride 1: no im2col
    {2, 6, 5, 7, 4, 1, 1, params({1, 1}, {0, 0}, {1, 1}, 2), false},      // 1x1 grouped
    {1, 4, 7, 7, 3, 1, 1, params({2, 2}, {1, 1}, {1, 1}, 1), true},       // 1x1 with stride and padding
    {1, 2, 5, 5, 3, 5, 5, params({1, 1}, {0, 0}, {1, 1}, 1), true},       // kernel = image: 1x1 output
    {4, 8, 12, 12, 16, 3, 3, params({1, 1}, {1, 1}, {1, 1}, 1), true},    // batch 4: (image, group) units in parallel
    {1, 32, 24, 24, 64, 3, 3, params({1, 1}, {1, 1}, {1, 1}, 1), false},  // one large unit: GEMM-internal threads
    {0, 3, 5, 5, 2, 3, 3, params({1, 1}, {0, 0}, {1, 1}, 1), true},       // empty batch
};

}  // namespace

TEST_SUITE("kernels") {
  TEST_CASE("conv2d forward matches the definition") {
    for (DType dt : {DType::f32, DType::f64}) {
      for (const Case& k : kCases) {
        CAPTURE(k.C);
        CAPTURE(k.O);
        CAPTURE(k.p.groups);
        Tensor x = randn({k.N, k.C, k.H, k.W}, dt), w = randn({k.O, k.C / k.p.groups, k.kh, k.kw}, dt);
        Tensor b = k.bias ? randn({k.O}, dt) : Tensor();
        Tensor y = kernels::conv2d_forward(x, w, b, k.p);
        CHECK(y.shape() == out_shape(k));
        CHECK(y.dtype() == dt);
        check_all_close(y, ref_forward(x, w, b, out_shape(k), k.p), dt == DType::f32 ? 1e-4 : 1e-11);
      }
    }
  }

  TEST_CASE("conv2d forward on non-contiguous input and weight") {
    Tensor x = randn({2, 7, 9, 3}).permute({0, 3, 1, 2});  // [2, 3, 7, 9] channels-last view
    Tensor w = randn({3, 3, 3, 4}).transpose(0, 3);        // [4, 3, 3, 3]
    const Conv2dParams p = params({2, 1}, {1, 2}, {1, 1}, 1);
    Tensor y = kernels::conv2d_forward(x, w, Tensor(), p);
    const Shape ys{2, 4, 4, 11};
    REQUIRE(y.shape() == ys);
    check_all_close(y, ref_forward(x.contiguous(), w.contiguous(), Tensor(), ys, p), 1e-4);
  }

  TEST_CASE("conv2d backward kernels match the definition") {
    for (const Case& k : kCases) {
      CAPTURE(k.C);
      CAPTURE(k.O);
      CAPTURE(k.p.groups);
      Tensor x = randn({k.N, k.C, k.H, k.W}, DType::f64), w = randn({k.O, k.C / k.p.groups, k.kh, k.kw}, DType::f64);
      const Shape ys = out_shape(k);
      Tensor gy = randn(ys, DType::f64);
      const auto vx = x.to_vector(), vw = w.to_vector(), vg = gy.to_vector();
      std::vector<double> gx(vx.size(), 0.0), gw(vw.size(), 0.0), gb(static_cast<size_t>(k.O), 0.0);
      for_each_tap(x.shape(), w.shape(), ys, k.p, [&](int64_t xi, int64_t wi, int64_t yi) {
        gx[xi] += vg[yi] * vw[wi];
        gw[wi] += vg[yi] * vx[xi];
      });
      for (size_t i = 0; i < vg.size(); ++i) gb[(i / (ys[2] * ys[3])) % ys[1]] += vg[i];
      check_all_close(kernels::conv2d_backward_input(gy, w, x.shape(), k.p), gx, 1e-11);
      check_all_close(kernels::conv2d_backward_weight(gy, x, w.shape(), k.p), gw, 1e-11);
      check_all_close(kernels::conv2d_backward_bias(gy), gb, 1e-11);
    }
  }

  TEST_CASE("conv2d errors name the shapes") {
    std::string e = error_of([] {
      kernels::conv2d_forward(randn({1, 3, 8, 8}), randn({6, 2, 3, 3}), Tensor(), params({1, 1}, {0, 0}, {1, 1}, 2));
    });
    CHECK(e.find("[1, 3, 8, 8]") != std::string::npos);
    CHECK(e.find("[6, 2, 3, 3]") != std::string::npos);
    CHECK(e.find("groups=2") != std::string::npos);
    e = error_of([] {
      kernels::conv2d_forward(randn({1, 4, 8, 8}), randn({5, 2, 3, 3}), Tensor(), params({1, 1}, {0, 0}, {1, 1}, 2));
    });
    CHECK(e.find("not divisible by groups=2") != std::string::npos);
    e = error_of([] {
      kernels::conv2d_forward(randn({1, 3, 4, 4}), randn({2, 3, 3, 3}), Tensor(), params({1, 1}, {0, 0}, {2, 2}, 1));
    });
    CHECK(e.find("does not fit") != std::string::npos);
    CHECK(e.find("[1, 3, 4, 4]") != std::string::npos);
    e = error_of([] { kernels::conv2d_forward(randn({1, 3, 4, 4}), randn({2, 3, 3, 3}), randn({3}), Conv2dParams{}); });
    CHECK(e.find("bias float32[3]") != std::string::npos);
    e = error_of([] { kernels::conv2d_forward(randn({3, 4, 4}), randn({2, 3, 3, 3}), Tensor(), Conv2dParams{}); });
    CHECK(e.find("[N, C, H, W]") != std::string::npos);
    e = error_of([] {
      kernels::conv2d_forward(randn({1, 3, 4, 4}), randn({2, 3, 3, 3}), Tensor(), params({0, 1}, {0, 0}, {1, 1}, 1));
    });
    CHECK(e.find("stride >= 1") != std::string::npos);
    e = error_of([] {
      kernels::conv2d_forward(randn({1, 3, 4, 4}), randn({2, 3, 3, 3}, DType::f64), Tensor(), Conv2dParams{});
    });
    CHECK(e.find("dtypes differ") != std::string::npos);
    e = error_of([] {
      kernels::conv2d_backward_input(randn({1, 2, 3, 3}), randn({2, 3, 3, 3}), {1, 3, 4, 4}, Conv2dParams{});
    });
    CHECK(e.find("[1, 2, 3, 3]") != std::string::npos);
    CHECK(e.find("[1, 2, 2, 2]") != std::string::npos);
  }
}

TEST_SUITE("gradcheck") {
  using testing::leaf_f64;

  TEST_CASE("conv2d gradients: groups, stride, padding, dilation, bias") {
    const Conv2dParams p = params({2, 2}, {1, 1}, {2, 2}, 2);
    CHECK_GRADCHECK([&](const variable_list& v) { return conv2d(v[0], v[1], v[2], p); },
                    {leaf_f64({2, 4, 5, 5}, 1), leaf_f64({6, 2, 3, 3}, 2), leaf_f64({6}, 3)});
    // Frozen weight and bias (only the input's gradient is asked for), and the reverse.
    const Variable w(randn({6, 2, 3, 3}, DType::f64)), b(randn({6}, DType::f64));
    CHECK_GRADCHECK([&](const variable_list& v) { return conv2d(v[0], w, b, p); }, {leaf_f64({2, 4, 5, 5}, 4)});
    const Variable x(randn({2, 4, 5, 5}, DType::f64));
    CHECK_GRADCHECK([&](const variable_list& v) { return conv2d(x, v[0], Variable(), p); }, {leaf_f64({6, 2, 3, 3}, 5)});
  }

  TEST_CASE("conv2d gradients: non-square, 1x1 and depthwise, no bias") {
    CHECK_GRADCHECK(
        [](const variable_list& v) {
          return conv2d(v[0], v[1], Variable(), params({1, 2}, {1, 0}, {1, 1}, 1));
        },
        {leaf_f64({2, 3, 4, 6}, 4), leaf_f64({2, 3, 2, 3}, 5)});
    CHECK_GRADCHECK([](const variable_list& v) { return conv2d(v[0], v[1]); },
                    {leaf_f64({2, 3, 3, 4}, 6), leaf_f64({5, 3, 1, 1}, 7)});
    CHECK_GRADCHECK(
        [](const variable_list& v) {
          return conv2d(v[0], v[1], Variable(), params({1, 1}, {1, 1}, {1, 1}, 3));
        },
        {leaf_f64({1, 3, 4, 4}, 8), leaf_f64({6, 1, 3, 3}, 9)});
  }
}

TEST_SUITE("autograd") {
  TEST_CASE("Conv2dBackward keeps input, weight, bias and params for backward rules") {
    Variable x(randn({1, 2, 5, 5}), true), w(randn({3, 2, 3, 3}), true), b(randn({3}), true);
    const Conv2dParams p = params({2, 2}, {1, 1}, {1, 1}, 1);
    Variable y = conv2d(x, w, b, p);
    auto* node = dynamic_cast<Conv2dBackward*>(y.grad_fn().get());
    REQUIRE(node != nullptr);
    CHECK(node->input.get_unchecked().shape() == x.shape());
    CHECK(node->weight.get_unchecked().shape() == w.shape());
    CHECK(node->bias.get_unchecked().shape() == b.shape());
    CHECK(node->params.stride == std::array<int64_t, 2>{2, 2});
    CHECK(node->params.padding == std::array<int64_t, 2>{1, 1});
  }
}
