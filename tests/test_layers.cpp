// Standard layers (nn/layers.h): forward against plain loops and formulas, PyTorch's default initialisation
// statistics, parameter names, modes, error messages, and float64 gradchecks of whole modules.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <numeric>
#include <vector>

#include "autograd/ops.h"
#include "nn/layers.h"
#include "nn_test_util.h"
#include "tensor/creation.h"
#include "tensor/random.h"

using namespace htp;
using namespace htp::nn;

namespace {

Tensor random_f64(const Shape& shape, uint64_t seed, double lo = -1.0, double hi = 1.0) {
  return testing::leaf_f64(shape, seed, lo, hi).data();
}

// Copies fixed random values into a parameter (keeping its dtype), so references can read them back.
void fill_random(Variable& p, uint64_t seed) { p.mutable_data().copy_(random_f64(p.shape(), seed)); }

void check_close(const std::vector<double>& actual, const std::vector<double>& expected, double tol = 1e-10) {
  REQUIRE(actual.size() == expected.size());
  for (size_t i = 0; i < actual.size(); ++i) CHECK(actual[i] == doctest::Approx(expected[i]).epsilon(tol).scale(1.0));
}

std::vector<std::string> names(const std::vector<std::pair<std::string, Variable>>& list) {
  std::vector<std::string> out;
  for (const auto& [n, _] : list) out.push_back(n);
  return out;
}

struct Moments {
  double mean = 0, std = 0, min = 0, max = 0;
};

Moments moments(const Tensor& t) {
  const std::vector<double> v = t.to_vector();
  Moments m{0, 0, v[0], v[0]};
  for (double x : v) {
    m.mean += x;
    m.min = std::min(m.min, x);
    m.max = std::max(m.max, x);
  }
  m.mean /= static_cast<double>(v.size());
  for (double x : v) m.std += (x - m.mean) * (x - m.mean);
  m.std = std::sqrt(m.std / static_cast<double>(v.size()));
  return m;
}

// y[n, o, i, j] = b[o] + sum over the group's c and the kernel of x[n, c, i s - p + a d, j s - p + b d] w[o, c', a, b].
std::vector<double> reference_conv2d(const Tensor& x, const Tensor& w, const Tensor& b, int64_t stride, int64_t pad,
                                     int64_t dil, int64_t groups) {
  const std::vector<double> xv = x.to_vector(), wv = w.to_vector(), bv = b.to_vector();
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t O = w.size(0), Cg = w.size(1), KH = w.size(2), KW = w.size(3);
  const int64_t OH = (H + 2 * pad - dil * (KH - 1) - 1) / stride + 1,
                OW = (W + 2 * pad - dil * (KW - 1) - 1) / stride + 1;
  std::vector<double> y;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t i = 0; i < OH; ++i)
        for (int64_t j = 0; j < OW; ++j) {
          double s = bv[o];
          const int64_t g = o / (O / groups);
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t a = 0; a < KH; ++a)
              for (int64_t bb = 0; bb < KW; ++bb) {
                const int64_t r = i * stride - pad + a * dil, q = j * stride - pad + bb * dil;
                if (r < 0 || r >= H || q < 0 || q >= W) continue;
                s += xv[((n * C + g * Cg + c) * H + r) * W + q] * wv[((o * Cg + c) * KH + a) * KW + bb];
              }
          y.push_back(s);
        }
  return y;
}

}  // namespace

TEST_SUITE("nn") {
  TEST_CASE("init: fans and gains follow torch.nn.init") {
    const init::Fans conv = init::compute_fans({32, 16, 3, 3});
    CHECK(conv.fan_in == 144);
    CHECK(conv.fan_out == 288);
    const init::Fans lin = init::compute_fans({10, 7});
    CHECK(lin.fan_in == 7);
    CHECK(lin.fan_out == 10);
    CHECK_THROWS_WITH_AS(init::compute_fans({5}), doctest::Contains("rank >= 2, got shape [5]"), Error);
    CHECK(init::calculate_gain(init::Nonlinearity::relu) == doctest::Approx(std::sqrt(2.0)));
    CHECK(init::calculate_gain(init::Nonlinearity::tanh) == doctest::Approx(5.0 / 3.0));
    CHECK(init::calculate_gain(init::Nonlinearity::leaky_relu, std::sqrt(5.0)) ==
          doctest::Approx(std::sqrt(1.0 / 3.0)));
    CHECK(init::calculate_gain(init::Nonlinearity::linear) == 1.0);
  }

  TEST_CASE("Linear and Conv2d default init: kaiming_uniform(a = sqrt 5) weights, U(±1/sqrt(fan_in)) biases") {
    Generator gen(7);
    Linear fc(300, 200, true, &gen);
    // bound = sqrt(6 / ((1 + a²) fan_in)) with a² = 5: 1 / sqrt(300); a uniform's std is bound / sqrt(3).
    const double bound = std::sqrt(6.0 / (6.0 * 300.0));
    const Moments w = moments(fc.weight.data());
    CHECK(w.max <= bound);
    CHECK(w.min >= -bound);
    CHECK(w.max > 0.99 * bound);
    CHECK(w.min < -0.99 * bound);
    CHECK(std::abs(w.mean) < 0.01 * bound);
    CHECK(w.std == doctest::Approx(bound / std::sqrt(3.0)).epsilon(0.02));
    const Moments b = moments(fc.bias.data());
    CHECK(b.max <= 1.0 / std::sqrt(300.0));
    CHECK(b.min >= -1.0 / std::sqrt(300.0));
    CHECK(b.max > 0.9 / std::sqrt(300.0));

    Conv2d conv(16, 32, 3, 1, 1, 1, 1, true, &gen);  // fan_in = 16 · 9
    const Moments cw = moments(conv.weight.data());
    CHECK(cw.max <= 1.0 / 12.0);
    CHECK(cw.max > 0.95 / 12.0);
    CHECK(moments(conv.bias.data()).max <= 1.0 / 12.0);

    // Deterministic from the generator: same seed, same weights; another seed, others.
    Generator again(7), other(8);
    CHECK(Linear(300, 200, true, &again).weight.data().to_vector() == fc.weight.data().to_vector());
    CHECK(Linear(300, 200, true, &other).weight.data().to_vector() != fc.weight.data().to_vector());
  }

  TEST_CASE("init: kaiming_normal_ (fan_out, relu) and trunc_normal_ statistics") {
    Generator gen(3);
    Tensor w =
        init::kaiming_normal_(empty({64, 32, 3, 3}), 0.0, init::FanMode::fan_out, init::Nonlinearity::relu, &gen);
    const Moments k = moments(w);
    CHECK(k.std == doctest::Approx(std::sqrt(2.0 / (64 * 9))).epsilon(0.03));
    CHECK(std::abs(k.mean) < 0.005);

    const Moments t = moments(init::trunc_normal_(empty({20000}), 0.0, 0.02, -2.0, 2.0, &gen));  // timm's ViT init
    CHECK(t.std == doctest::Approx(0.02).epsilon(0.03));
    // A standard normal truncated to [-1, 1]: var = 1 - 2 φ(1) / (2 Φ(1) - 1).
    const Moments u = moments(init::trunc_normal_(empty({20000}, DType::f64), 0.0, 1.0, -1.0, 1.0, &gen));
    const double phi1 = std::exp(-0.5) / std::sqrt(2 * std::numbers::pi), mass = std::erf(1.0 / std::numbers::sqrt2);
    CHECK(u.min >= -1.0);
    CHECK(u.max <= 1.0);
    CHECK(u.max > 0.99);
    CHECK(u.std == doctest::Approx(std::sqrt(1 - 2 * phi1 / mass)).epsilon(0.02));
    // Shifted mean, bounds far in the tail on one side.
    const Moments s = moments(init::trunc_normal_(empty({5000}, DType::f64), 3.0, 0.5, 3.0, 10.0, &gen));
    CHECK(s.min >= 3.0);
    CHECK(s.mean == doctest::Approx(3.0 + 0.5 * std::sqrt(2 / std::numbers::pi)).epsilon(0.02));

    CHECK(init::constant_(empty({2, 2}), 0.5).to_vector() == std::vector<double>(4, 0.5));
    CHECK(init::ones_(empty({3})).to_vector() == std::vector<double>(3, 1.0));
    CHECK(init::zeros_(full({3}, 2.0)).to_vector() == std::vector<double>(3, 0.0));
    CHECK_THROWS_WITH_AS(init::ones_(empty({3}, DType::i64)), doctest::Contains("needs a floating tensor"), Error);
  }

  TEST_CASE("Linear: y = x Wᵀ + b over any leading dims; names and counts") {
    Linear fc(4, 3);
    CHECK(names(fc.named_parameters()) == std::vector<std::string>{"weight", "bias"});
    CHECK(fc.weight.shape() == Shape{3, 4});
    CHECK(fc.num_parameters() == 15);
    fc.to(DType::f64);
    const Tensor x = random_f64({2, 5, 4}, 11);
    const std::vector<double> xv = x.to_vector(), wv = fc.weight.data().to_vector(), bv = fc.bias.data().to_vector();
    std::vector<double> expected;
    for (int64_t r = 0; r < 10; ++r)
      for (int64_t o = 0; o < 3; ++o) {
        double s = bv[o];
        for (int64_t i = 0; i < 4; ++i) s += xv[r * 4 + i] * wv[o * 4 + i];
        expected.push_back(s);
      }
    const Variable y = fc(Variable(x));
    CHECK(y.shape() == Shape{2, 5, 3});
    check_close(y.data().to_vector(), expected);

    Linear no_bias(4, 3, false);
    CHECK_FALSE(no_bias.bias.defined());
    CHECK(names(no_bias.named_parameters()) == std::vector<std::string>{"weight"});
  }

  TEST_CASE("Conv2d matches the definition with stride, padding, dilation and groups") {
    struct Case {
      int64_t in, out, k, stride, pad, dil, groups;
      bool bias;
    };
    for (const Case c : {Case{3, 4, 3, 1, 0, 1, 1, true}, Case{4, 6, 3, 2, 1, 1, 2, true},
                         Case{4, 4, 3, 1, 2, 2, 4, false}, Case{2, 4, 1, 2, 0, 1, 1, true}}) {
      CAPTURE(c.k);
      CAPTURE(c.groups);
      Conv2d conv(c.in, c.out, c.k, c.stride, c.pad, c.dil, c.groups, c.bias);
      CHECK(conv.weight.shape() == Shape{c.out, c.in / c.groups, c.k, c.k});
      CHECK(conv.named_parameters().size() == (c.bias ? 2u : 1u));
      conv.to(DType::f64);
      const Tensor x = random_f64({2, c.in, 7, 6}, 5);
      const Tensor b = c.bias ? conv.bias.data() : zeros({c.out}, DType::f64);
      check_close(conv(Variable(x)).data().to_vector(),
                  reference_conv2d(x, conv.weight.data(), b, c.stride, c.pad, c.dil, c.groups));
    }
    Conv2d rect(2, 3, {3, 1}, 1, {1, 0});
    CHECK(rect.weight.shape() == Shape{3, 2, 3, 1});
    CHECK(rect(Variable(zeros({1, 2, 5, 4}))).shape() == Shape{1, 3, 5, 4});
  }

  TEST_CASE("BatchNorm2d in training: batch statistics, momentum update with the unbiased variance, counter") {
    BatchNorm2d bn(2);
    CHECK(names(bn.named_parameters()) == std::vector<std::string>{"weight", "bias"});
    CHECK(names(bn.named_buffers()) == std::vector<std::string>{"running_mean", "running_var", "num_batches_tracked"});
    bn.to(DType::f64);
    CHECK(bn.num_batches_tracked.dtype() == DType::i64);
    CHECK(bn.num_batches_tracked.dim() == 0);
    fill_random(bn.weight, 1);
    fill_random(bn.bias, 2);
    const Tensor x = random_f64({3, 2, 2, 2}, 3, -2.0, 3.0);
    const std::vector<double> xv = x.to_vector(), w = bn.weight.data().to_vector(), b = bn.bias.data().to_vector();
    const Variable y = bn(Variable(x));
    const std::vector<double> yv = y.data().to_vector();
    const int64_t M = 3 * 4;
    std::vector<double> mean(2, 0), var(2, 0);
    auto at = [](int64_t n, int64_t c, int64_t s) { return (n * 2 + c) * 4 + s; };
    for (int64_t c = 0; c < 2; ++c) {
      for (int64_t n = 0; n < 3; ++n)
        for (int64_t s = 0; s < 4; ++s) mean[c] += xv[at(n, c, s)] / M;
      for (int64_t n = 0; n < 3; ++n)
        for (int64_t s = 0; s < 4; ++s) var[c] += (xv[at(n, c, s)] - mean[c]) * (xv[at(n, c, s)] - mean[c]) / M;
      for (int64_t n = 0; n < 3; ++n)
        for (int64_t s = 0; s < 4; ++s)
          CHECK(yv[at(n, c, s)] ==
                doctest::Approx((xv[at(n, c, s)] - mean[c]) / std::sqrt(var[c] + 1e-5) * w[c] + b[c]).epsilon(1e-10));
    }
    const std::vector<double> rm = bn.running_mean.data().to_vector(), rv = bn.running_var.data().to_vector();
    for (int64_t c = 0; c < 2; ++c) {
      CHECK(rm[c] == doctest::Approx(0.1 * mean[c]).epsilon(1e-10));
      CHECK(rv[c] == doctest::Approx(0.9 + 0.1 * var[c] * M / (M - 1)).epsilon(1e-10));
    }
    CHECK(bn.num_batches_tracked.item<int64_t>() == 1);
    bn(Variable(x));
    CHECK(bn.num_batches_tracked.item<int64_t>() == 2);
    CHECK(bn.running_mean.data().to_vector()[0] == doctest::Approx(0.19 * mean[0]).epsilon(1e-10));
  }

  TEST_CASE("BatchNorm2d in eval uses the running statistics and leaves them alone") {
    BatchNorm2d bn(3, 1e-3);
    bn.to(DType::f64);
    fill_random(bn.weight, 4);
    fill_random(bn.bias, 5);
    bn.running_mean.mutable_data().copy_(random_f64({3}, 6));
    bn.running_var.mutable_data().copy_(random_f64({3}, 7, 0.5, 2.0));
    bn.eval();
    const Tensor x = random_f64({2, 3, 2, 1}, 8);
    const std::vector<double> xv = x.to_vector(), w = bn.weight.data().to_vector(), b = bn.bias.data().to_vector(),
                              rm = bn.running_mean.data().to_vector(), rv = bn.running_var.data().to_vector();
    std::vector<double> expected;
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t c = 0; c < 3; ++c)
        for (int64_t s = 0; s < 2; ++s)
          expected.push_back((xv[(n * 3 + c) * 2 + s] - rm[c]) / std::sqrt(rv[c] + 1e-3) * w[c] + b[c]);
    check_close(bn(Variable(x)).data().to_vector(), expected);
    CHECK(bn.running_mean.data().to_vector() == rm);
    CHECK(bn.running_var.data().to_vector() == rv);
    CHECK(bn.num_batches_tracked.item<int64_t>() == 0);
    // Even a single value per channel is fine in eval.
    CHECK(bn(Variable(random_f64({1, 3, 1, 1}, 9))).shape() == Shape{1, 3, 1, 1});
  }

  TEST_CASE("BatchNorm without running statistics or affine parameters; BatchNorm1d") {
    BatchNorm2d plain(2, 1e-5, 0.1, /*affine=*/false, /*track_running_stats=*/false);
    CHECK(plain.named_parameters().empty());
    CHECK(plain.named_buffers().empty());
    plain.eval();  // still normalises with the batch statistics
    const Variable y = plain(Variable(random_f64({4, 2, 3, 3}, 10)));
    const Moments m = moments(y.data().select(1, 0).contiguous());
    CHECK(std::abs(m.mean) < 1e-9);
    CHECK(m.std == doctest::Approx(1.0).epsilon(1e-3));

    BatchNorm1d bn1(3);
    bn1.to(DType::f64);
    const Tensor x = random_f64({5, 3}, 11);
    const std::vector<double> xv = x.to_vector(), yv = bn1(Variable(x)).data().to_vector();
    for (int64_t c = 0; c < 3; ++c) {
      double mean = 0, var = 0;
      for (int64_t n = 0; n < 5; ++n) mean += xv[n * 3 + c] / 5;
      for (int64_t n = 0; n < 5; ++n) var += (xv[n * 3 + c] - mean) * (xv[n * 3 + c] - mean) / 5;
      for (int64_t n = 0; n < 5; ++n)
        CHECK(yv[n * 3 + c] == doctest::Approx((xv[n * 3 + c] - mean) / std::sqrt(var + 1e-5)).epsilon(1e-10));
    }
    CHECK(bn1(Variable(random_f64({2, 3, 4}, 12))).shape() == Shape{2, 3, 4});
  }

  TEST_CASE("LayerNorm normalises the last dims with its eps, weight and bias") {
    LayerNorm ln(4, 1e-6);
    CHECK(names(ln.named_parameters()) == std::vector<std::string>{"weight", "bias"});
    ln.to(DType::f64);
    fill_random(ln.weight, 13);
    fill_random(ln.bias, 14);
    const Tensor x = random_f64({2, 3, 4}, 15, -3.0, 3.0);
    const std::vector<double> xv = x.to_vector(), w = ln.weight.data().to_vector(), b = ln.bias.data().to_vector();
    std::vector<double> expected;
    for (int64_t r = 0; r < 6; ++r) {
      double mean = 0, var = 0;
      for (int64_t i = 0; i < 4; ++i) mean += xv[r * 4 + i] / 4;
      for (int64_t i = 0; i < 4; ++i) var += (xv[r * 4 + i] - mean) * (xv[r * 4 + i] - mean) / 4;
      for (int64_t i = 0; i < 4; ++i) expected.push_back((xv[r * 4 + i] - mean) / std::sqrt(var + 1e-6) * w[i] + b[i]);
    }
    check_close(ln(Variable(x)).data().to_vector(), expected);

    LayerNorm two({3, 4}, 1e-5, /*elementwise_affine=*/true, /*bias=*/false);
    CHECK(names(two.named_parameters()) == std::vector<std::string>{"weight"});
    CHECK(two.weight.shape() == Shape{3, 4});
    const Moments m = moments(two(Variable(x.to(DType::f32))).data().select(0, 1).contiguous());
    CHECK(std::abs(m.mean) < 1e-5);
    CHECK(m.std == doctest::Approx(1.0).epsilon(1e-3));
    CHECK(LayerNorm(4, 1e-5, false).named_parameters().empty());
  }

  TEST_CASE("ReLU and GELU (exact and tanh) follow their formulas") {
    const Tensor x = random_f64({10}, 16, -3.0, 3.0);
    const std::vector<double> xv = x.to_vector();
    ReLU relu_layer;
    GELU gelu_exact, gelu_tanh(true);
    const std::vector<double> r = relu_layer(Variable(x)).data().to_vector(),
                              ge = gelu_exact(Variable(x)).data().to_vector(),
                              gt = gelu_tanh(Variable(x)).data().to_vector();
    for (size_t i = 0; i < xv.size(); ++i) {
      const double v = xv[i];
      CHECK(r[i] == std::max(v, 0.0));
      CHECK(ge[i] == doctest::Approx(0.5 * v * (1 + std::erf(v / std::numbers::sqrt2))).epsilon(1e-12));
      CHECK(gt[i] ==
            doctest::Approx(0.5 * v * (1 + std::tanh(std::sqrt(2 / std::numbers::pi) * (v + 0.044715 * v * v * v))))
                .epsilon(1e-12));
    }
    CHECK(relu_layer.named_parameters().empty());
  }

  TEST_CASE("pooling, Flatten and Identity") {
    const Tensor x = random_f64({2, 3, 5, 5}, 17);
    const std::vector<double> xv = x.to_vector();
    auto at = [&](int64_t p, int64_t r, int64_t c) { return xv[(p * 5 + r) * 5 + c]; };  // p = n * 3 + channel

    MaxPool2d max3(3, 2, 1);  // the ResNet stem pool
    const std::vector<double> mv = max3(Variable(x)).data().to_vector();
    REQUIRE(mv.size() == 6u * 9u);
    for (int64_t p = 0; p < 6; ++p)
      for (int64_t i = 0; i < 3; ++i)
        for (int64_t j = 0; j < 3; ++j) {
          double m = -INFINITY;
          for (int64_t r = 2 * i - 1; r <= 2 * i + 1; ++r)
            for (int64_t c = 2 * j - 1; c <= 2 * j + 1; ++c)
              if (r >= 0 && r < 5 && c >= 0 && c < 5) m = std::max(m, at(p, r, c));
          CHECK(mv[(p * 3 + i) * 3 + j] == m);
        }

    AvgPool2d avg2(2);  // stride defaults to the kernel: 5x5 -> 2x2
    CHECK((avg2.params.stride == std::array<int64_t, 2>{2, 2}));
    const std::vector<double> av = avg2(Variable(x)).data().to_vector();
    REQUIRE(av.size() == 6u * 4u);
    for (int64_t p = 0; p < 6; ++p)
      for (int64_t i = 0; i < 2; ++i)
        for (int64_t j = 0; j < 2; ++j) {
          const double s =
              at(p, 2 * i, 2 * j) + at(p, 2 * i + 1, 2 * j) + at(p, 2 * i, 2 * j + 1) + at(p, 2 * i + 1, 2 * j + 1);
          CHECK(av[(p * 2 + i) * 2 + j] == doctest::Approx(s / 4).epsilon(1e-12));
        }
    AvgPool2d avg_pad(3, 2, 1, false, /*count_include_pad=*/false);  // corner window: 4 pixels inside
    const double corner = (at(0, 0, 0) + at(0, 0, 1) + at(0, 1, 0) + at(0, 1, 1)) / 4;
    CHECK(avg_pad(Variable(x)).data().to_vector()[0] == doctest::Approx(corner).epsilon(1e-12));

    AdaptiveAvgPool2d gap(1);
    const Variable g = gap(Variable(x));
    CHECK(g.shape() == Shape{2, 3, 1, 1});
    for (int64_t p = 0; p < 6; ++p)
      CHECK(g.data().to_vector()[p] ==
            doctest::Approx(std::accumulate(xv.begin() + p * 25, xv.begin() + p * 25 + 25, 0.0) / 25));

    CHECK(Flatten()(g).shape() == Shape{2, 3});
    CHECK(Flatten(0, 1)(Variable(x)).shape() == Shape{6, 5, 5});
    Identity id;
    const Variable v(x);
    CHECK(id(v).is_same(v));
  }

  TEST_CASE("Dropout: identity in eval, Bernoulli mask scaled by 1 / (1 - p) in training, seeded") {
    const Variable x(full({100, 100}, 2.0), true);
    Generator gen(42);
    Dropout drop(0.3, &gen);
    drop.eval();
    CHECK(drop(x).is_same(x));
    drop.train();
    const Variable y = drop(x);
    const std::vector<double> yv = y.data().to_vector();
    int64_t zeros_count = 0;
    for (double v : yv) {
      if (v == 0)
        ++zeros_count;
      else
        CHECK(v == doctest::Approx(2.0 / 0.7));
    }
    CHECK(static_cast<double>(zeros_count) / 10000.0 == doctest::Approx(0.3).epsilon(0.07));
    // The gradient is the same scaled mask.
    sum(y).backward();
    const std::vector<double> gx = x.grad().to_vector();
    for (size_t i = 0; i < yv.size(); ++i) CHECK(gx[i] == doctest::Approx(yv[i] / 2.0));

    // Same seed and offset, same mask; the next call draws a new one.
    Generator again(42);
    Dropout twin(0.3, &again);
    CHECK(twin(x).data().to_vector() == yv);
    CHECK(twin(x).data().to_vector() != yv);

    CHECK(Dropout(1.0)(x).data().to_vector() == std::vector<double>(10000, 0.0));
    Dropout none(0.0);
    CHECK(none(x).is_same(x));
    CHECK_THROWS_WITH_AS(Dropout(1.5), doctest::Contains("p must be in [0, 1], got 1.5"), Error);
  }

  TEST_CASE("Sequential names children 0, 1, … and chains them under their paths") {
    Sequential net{std::make_shared<Linear>(4, 3), std::make_shared<ReLU>()};
    auto last = net.push_back(std::make_shared<Linear>(3, 2));
    CHECK(net.size() == 3u);
    CHECK(net[1].type_name() == "ReLU");
    CHECK(&net[2] == last.get());
    CHECK(last->path() == "2");
    CHECK(names(net.named_parameters()) == std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"});
    CHECK(net.num_parameters() == 4 * 3 + 3 + 3 * 2 + 2);
    CHECK_THROWS_WITH_AS(net[3], doctest::Contains("index 3 out of range for 3 layers"), Error);

    const Variable x(random_f64({5, 4}, 18).to(DType::f32), true);
    const Variable y = net(x);
    CHECK(y.data().to_vector() == net[2](net[1](net[0](x))).data().to_vector());
    CHECK(y.grad_fn()->tag == "2");
    CHECK(y.grad_fn()->next_edges[0].node->tag == "1");

    // Nested: paths compose, whether the inner layers come before or after the nesting.
    Sequential outer;
    auto inner = std::make_shared<Sequential>();
    inner->push_back(std::make_shared<Linear>(2, 2));
    outer.push_back(inner);
    inner->push_back(std::make_shared<Linear>(2, 1, false));
    CHECK(names(outer.named_parameters()) == std::vector<std::string>{"0.0.weight", "0.0.bias", "0.1.weight"});
    CHECK((*inner)[1].path() == "0.1");
  }

  TEST_CASE("layer errors name the module path, the expected shape and the input") {
    Sequential net{std::make_shared<Conv2d>(3, 8, 3), std::make_shared<BatchNorm2d>(8), std::make_shared<Flatten>(),
                   std::make_shared<Linear>(4, 2),    std::make_shared<LayerNorm>(6),   std::make_shared<MaxPool2d>(2)};
    CHECK_THROWS_WITH_AS(net[0](Variable(zeros({2, 4, 8, 8}))),
                         "Conv2d '0' (3 -> 8): expected an input of shape [N, 3, H, W], got float32[2, 4, 8, 8] on cpu",
                         Error);
    CHECK_THROWS_WITH_AS(net[0](Variable(zeros({3, 8, 8}))), doctest::Contains("got float32[3, 8, 8] on cpu"), Error);
    CHECK_THROWS_WITH_AS(
        net[0](Variable(zeros({1, 3, 1, 2}))),
        doctest::Contains("Conv2d '0': the padded input (1x2 of float32[1, 3, 1, 2] on cpu) is smaller "
                          "than the dilated kernel (3x3)"),
        Error);
    CHECK_THROWS_WITH_AS(net[1](Variable(zeros({2, 8, 4}))),
                         "BatchNorm2d '1' (8 channels): expected an input of shape [N, C, H, W] with C = 8, got "
                         "float32[2, 8, 4] on cpu",
                         Error);
    CHECK_THROWS_WITH_AS(net[1](Variable(zeros({1, 8, 1, 1}))),
                         doctest::Contains("BatchNorm2d '1': batch statistics need more than 1 value per channel"),
                         Error);
    CHECK_THROWS_WITH_AS(net[3](Variable(zeros({2, 5}))),
                         "Linear '3' (4 -> 2): expected an input of shape [..., 4], got float32[2, 5] on cpu", Error);
    CHECK_THROWS_WITH_AS(net[4](Variable(zeros({2, 5}))),
                         "LayerNorm '4': expected an input of shape [..., 6], got float32[2, 5] on cpu", Error);
    CHECK_THROWS_WITH_AS(net[5](Variable(zeros({2, 5}))),
                         "MaxPool2d '5': expected an input of shape [N, C, H, W], got float32[2, 5] on cpu", Error);
    CHECK_THROWS_WITH_AS(Conv2d(3, 8, 3, 1, 0, 1, 2), doctest::Contains("multiples of groups (2)"), Error);
    CHECK_THROWS_WITH_AS(Conv2d(4, 8, 0), doctest::Contains("got kernel 0x0"), Error);
    CHECK_THROWS_WITH_AS(Linear(0, 3), doctest::Contains("must be positive, got 0 and 3"), Error);
    CHECK_THROWS_WITH_AS(BatchNorm1d(3)(Variable(zeros({2, 3, 4, 5}))),
                         doctest::Contains("expected an input of shape [N, C] or [N, C, L] with C = 3"), Error);
  }

}  // TEST_SUITE("nn")

TEST_SUITE("gradcheck") {
  TEST_CASE("Linear module gradcheck (input, weight, bias)") {
    Linear fc(3, 2);
    testing::module_gradcheck(fc, testing::leaf_f64({2, 2, 3}, 1));
  }

  TEST_CASE("Conv2d module gradcheck (stride 2, padding 1, groups 2)") {
    Conv2d conv(4, 2, 3, 2, 1, 1, 2);
    testing::module_gradcheck(conv, testing::leaf_f64({2, 4, 5, 4}, 2));
  }

  TEST_CASE("BatchNorm2d module gradcheck in training and in eval") {
    BatchNorm2d bn(3);
    testing::module_gradcheck(bn, testing::leaf_f64({2, 3, 2, 2}, 3, -2.0, 2.0));
    fill_random(bn.weight, 4);
    testing::module_gradcheck(bn, testing::leaf_f64({2, 3, 2, 2}, 5, -2.0, 2.0));
    bn.eval();
    testing::module_gradcheck(bn, testing::leaf_f64({2, 3, 2, 2}, 6, -2.0, 2.0));
  }

  TEST_CASE("LayerNorm module gradcheck") {
    LayerNorm ln(4, 1e-6);
    ln.to(DType::f64);
    fill_random(ln.weight, 7);
    fill_random(ln.bias, 8);
    testing::module_gradcheck(ln, testing::leaf_f64({2, 3, 4}, 9, -2.0, 2.0));
  }

  TEST_CASE("Sequential gradcheck: conv, batch norm, ReLU, pools, flatten, linear, GELU") {
    Sequential net{std::make_shared<Conv2d>(2, 3, 3, 1, 1),
                   std::make_shared<BatchNorm2d>(3),
                   std::make_shared<ReLU>(),
                   std::make_shared<AvgPool2d>(2),
                   std::make_shared<Conv2d>(3, 2, 1),
                   std::make_shared<MaxPool2d>(2),
                   std::make_shared<Flatten>(),
                   std::make_shared<Linear>(2, 2),
                   std::make_shared<GELU>(true)};
    // Inputs with a margin around ReLU's kink and distinct maxima keep the finite differences on one side.
    testing::module_gradcheck(net, testing::leaf_f64({2, 2, 4, 4}, 10, -1.0, 1.0));
  }

}  // TEST_SUITE("gradcheck")
