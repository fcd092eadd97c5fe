// Elementwise kernels (kernels/binary.h, kernels/unary.h): every op against a plain double loop written here, on
// broadcasting, rank-0, non-contiguous, empty and large (parallel) operands; promotion; in-place accumulation; errors.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "kernels/binary.h"
#include "kernels/unary.h"
#include "tensor/creation.h"
#include "test_util.h"

using namespace htp;
namespace k = htp::kernels;
using testing::check_close;
using testing::contains;
using testing::error_of;
using testing::random_tensor;
using testing::ThreadCount;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Row-major flat index into `in` (right-aligned, size-1 dims broadcast) of flat index `flat` of `out`.
int64_t broadcast_source(const Shape& out, int64_t flat, const Shape& in) {
  int64_t src = 0, in_stride = 1;
  for (size_t i = 0; i < out.size(); ++i) {
    const size_t d = out.size() - 1 - i;
    const int64_t idx = flat % out[d];
    flat /= out[d];
    if (i < in.size()) {
      const size_t e = in.size() - 1 - i;
      if (in[e] != 1) src += idx * in_stride;
      in_stride *= in[e];
    }
  }
  return src;
}

using Fn2 = std::function<double(double, double)>;

std::vector<double> reference_binary(const Tensor& a, const Tensor& b, const Shape& out, const Fn2& f) {
  const std::vector<double> av = a.to_vector(), bv = b.to_vector();
  std::vector<double> r(static_cast<size_t>(shape_numel(out)));
  for (int64_t i = 0; i < shape_numel(out); ++i)
    r[i] = f(av[broadcast_source(out, i, a.shape())], bv[broadcast_source(out, i, b.shape())]);
  return r;
}

double tol_for(DType dt) { return dt == DType::f32 ? 2e-6 : 1e-14; }

struct BinaryCase {
  const char* name;
  Tensor (*op)(const Tensor&, const Tensor&);
  Fn2 ref;
};

std::vector<BinaryCase> arithmetic_cases() {
  return {
      {"add", k::add, [](double x, double y) { return x + y; }},
      {"sub", k::sub, [](double x, double y) { return x - y; }},
      {"mul", k::mul, [](double x, double y) { return x * y; }},
      {"div", k::div, [](double x, double y) { return x / y; }},
      {"pow", k::pow, [](double x, double y) { return std::pow(std::abs(x), y); }},
      {"maximum", k::maximum, [](double x, double y) { return x > y ? x : y; }},
      {"minimum", k::minimum, [](double x, double y) { return x < y ? x : y; }},
  };
}

std::vector<BinaryCase> comparison_cases() {
  return {
      {"eq", k::eq, [](double x, double y) { return double(x == y); }},
      {"ne", k::ne, [](double x, double y) { return double(x != y); }},
      {"lt", k::lt, [](double x, double y) { return double(x < y); }},
      {"le", k::le, [](double x, double y) { return double(x <= y); }},
      {"gt", k::gt, [](double x, double y) { return double(x > y); }},
      {"ge", k::ge, [](double x, double y) { return double(x >= y); }},
  };
}

// Runs a binary op (pow on |a| so that results stay real) and compares with the reference.
void check_binary(const BinaryCase& c, const Tensor& a, const Tensor& b, double tol) {
  INFO(c.name, " of ", a.describe(), " and ", b.describe());
  const Tensor lhs = std::string(c.name) == "pow" ? k::abs(a) : a;
  const Tensor out = c.op(lhs, b);
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), "test");
  CHECK(out.shape() == shape);
  check_close(out, reference_binary(lhs, b, shape, c.ref), tol);
}

}  // namespace

TEST_SUITE("kernels") {

TEST_CASE("binary arithmetic broadcasts [3,1,4] with [2,1] in float32 and float64") {
  for (DType dt : {DType::f32, DType::f64})
    for (const auto& c : arithmetic_cases())
      check_binary(c, random_tensor({3, 1, 4}, dt, 1), random_tensor({2, 1}, dt, 2, 0.5, 2.0), tol_for(dt));
}

TEST_CASE("binary arithmetic on rank-0, size-1, empty and non-contiguous operands") {
  const Tensor base = random_tensor({4, 6}, DType::f32, 3);
  const Tensor other = random_tensor({6, 4}, DType::f32, 4, 0.5, 2.0);
  const std::vector<std::pair<Tensor, Tensor>> pairs = {
      {scalar_tensor(1.5), random_tensor({2, 3}, DType::f32, 5)},
      {random_tensor({2, 3}, DType::f32, 6), scalar_tensor(-0.75)},
      {scalar_tensor(2.0), scalar_tensor(0.5)},
      {random_tensor({1, 1}, DType::f32, 7), random_tensor({1}, DType::f32, 8)},
      {base, other.t()},                                       // transposed
      {random_tensor({3, 7, 5}, DType::f32, 15).transpose(1, 2), random_tensor({3, 5, 7}, DType::f32, 16)},
      {base.slice(1, 0, 6, 2), other.t().slice(1, 1, 6, 2)},  // stepped slices
      {random_tensor({4, 1}, DType::f32, 9).expand({4, 5}), random_tensor({5}, DType::f32, 10)},
      {random_tensor({0, 3}, DType::f32, 11), random_tensor({3}, DType::f32, 12)},
      {random_tensor({2, 0}, DType::f32, 13), random_tensor({1}, DType::f32, 14)},
  };
  for (const auto& [a, b] : pairs)
    for (const auto& c : arithmetic_cases()) check_binary(c, a, b, tol_for(DType::f32));
}

TEST_CASE("binary arithmetic on large operands (parallel paths) matches the reference") {
  ThreadCount threads(2);
  const Tensor a = random_tensor({300, 517}, DType::f32, 15), b = random_tensor({517}, DType::f32, 16, 0.5, 2.0);
  for (const auto& c : arithmetic_cases()) {
    check_binary(c, a, b, tol_for(DType::f32));                // many rows
    check_binary(c, a.flatten(), scalar_tensor(1.25), 2e-6);  // one long row with a scalar
    check_binary(c, a.t(), b.unsqueeze(1), 2e-6);              // strided rows
  }
}

TEST_CASE("comparisons return bool and broadcast") {
  const Tensor a = tensor(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor b = tensor(std::vector<double>{2, 2, 7}, {3});
  for (const auto& c : comparison_cases()) {
    for (const auto& [x, y] : std::vector<std::pair<Tensor, Tensor>>{{a, b}, {a.t(), b.unsqueeze(1).slice(0, 0, 3)},
                                                                   {a.to(DType::i32), b}}) {
      INFO(c.name, " of ", x.describe(), " and ", y.describe());
      const Tensor out = c.op(x, y);
      CHECK(out.dtype() == DType::boolean);
      check_close(out, reference_binary(x, y, out.shape(), c.ref), 0);
    }
  }
  // Scalar comparisons: integer tensors compare exactly with a fractional scalar.
  check_close(k::lt(tensor(std::vector<int64_t>{1, 2, 3}, {3}), 2.5), {1, 1, 0}, 0);
  check_close(k::ge(tensor({1.f, 2.f, 3.f}), 2.0), {0, 1, 1}, 0);
  check_close(k::eq(tensor({1.f, 2.f}), 2.0), {0, 1}, 0);
  check_close(k::ne(tensor({1.f, 2.f}), 2.0), {1, 0}, 0);
  check_close(k::le(tensor({1.f, 2.f}), 1.0), {1, 0}, 0);
  check_close(k::gt(tensor({1.f, 2.f}), 1.0), {0, 1}, 0);
}

TEST_CASE("type promotion of binary ops") {
  const Tensor i32 = tensor(std::vector<int32_t>{7, -8, 9}, {3});
  const Tensor i64 = tensor(std::vector<int64_t>{2, 3, -4}, {3});
  const Tensor u8 = tensor(std::vector<uint8_t>{1, 2, 250}, {3});
  const Tensor f32 = tensor({0.5f, 1.5f, 2.5f});
  const Tensor f64 = tensor(std::vector<double>{0.25, 0.5, 1.0}, {3});
  CHECK(k::add(i32, f32).dtype() == DType::f32);
  CHECK(k::add(f32, f64).dtype() == DType::f64);
  CHECK(k::mul(i32, i64).dtype() == DType::i64);
  CHECK(k::add(u8, i32).dtype() == DType::i32);
  check_close(k::mul(i32, i64), {14, -24, -36}, 0);
  check_close(k::sub(i64, i32), {-5, 11, -13}, 0);
  check_close(k::add(u8, u8), {2, 4, 244}, 0);  // uint8 wraps
  // True division of integers gives float32.
  const Tensor q = k::div(i32, i64);
  CHECK(q.dtype() == DType::f32);
  check_close(q, {3.5, -8.0 / 3.0, -2.25}, 1e-7);
  // Integer pow, maximum and minimum stay integers.
  check_close(k::pow(i64, tensor(std::vector<int64_t>{3, 0, 2}, {3})), {8, 1, 16}, 0);
  check_close(k::pow(tensor(std::vector<int64_t>{2, -1, 1}, {3}), tensor(std::vector<int64_t>{-1, -3, -2}, {3})),
              {0, -1, 1}, 0);
  check_close(k::maximum(i32, i64), {7, 3, 9}, 0);
  check_close(k::minimum(i32, i64), {2, -8, -4}, 0);
}

TEST_CASE("scalar operands keep a floating dtype and make integer tensors float32") {
  const Tensor x = random_tensor({2, 3}, DType::f64, 17, 0.5, 2.0);
  const std::vector<double> xv = x.to_vector();
  auto map = [&](const std::function<double(double)>& f) {
    std::vector<double> r;
    for (double v : xv) r.push_back(f(v));
    return r;
  };
  CHECK(k::mul(x, 2.0).dtype() == DType::f64);
  check_close(k::add(x, 1.0), map([](double v) { return v + 1; }), 1e-15);
  check_close(k::sub(x, 1.0), map([](double v) { return v - 1; }), 1e-15);
  check_close(k::mul(x, 2.0), map([](double v) { return v * 2; }), 1e-15);
  check_close(k::div(x, 3.0), map([](double v) { return v / 3; }), 1e-15);
  check_close(k::pow(x, 2.0), map([](double v) { return v * v; }), 1e-15);
  check_close(k::pow(x, -1.5), map([](double v) { return std::pow(v, -1.5); }), 1e-15);
  check_close(k::maximum(x, 1.0), map([](double v) { return std::max(v, 1.0); }), 0);
  check_close(k::minimum(x, 1.0), map([](double v) { return std::min(v, 1.0); }), 0);
  CHECK(k::mul(x.to(DType::f32), 2.0).dtype() == DType::f32);
  const Tensor ints = tensor(std::vector<int64_t>{1, 2}, {2});
  CHECK(k::add(ints, 0.5).dtype() == DType::f32);
  check_close(k::add(ints, 0.5), {1.5, 2.5}, 0);
}

TEST_CASE("maximum and minimum propagate NaN from either side") {
  const Tensor a = tensor(std::vector<double>{kNaN, 1.0, 3.0}, {3});
  const Tensor b = tensor(std::vector<double>{2.0, kNaN, 1.0}, {3});
  check_close(k::maximum(a, b), {kNaN, kNaN, 3.0}, 0);
  check_close(k::minimum(a, b), {kNaN, kNaN, 1.0}, 0);
}

TEST_CASE("add_ and add_scaled_ accumulate in place with broadcasting and conversion") {
  Tensor acc = random_tensor({2, 3}, DType::f32, 18);
  const std::vector<double> before = acc.to_vector();
  const Tensor g = random_tensor({3}, DType::f64, 19);
  const uint64_t version = acc.version();
  const void* storage = acc.raw_data();
  Tensor& same = k::add_(acc, g);
  CHECK(&same == &acc);
  CHECK(acc.raw_data() == storage);
  CHECK(acc.dtype() == DType::f32);
  CHECK(acc.version() > version);
  const std::vector<double> gv = g.to_vector();
  std::vector<double> want(6);
  for (int i = 0; i < 6; ++i) want[i] = static_cast<float>(before[i] + static_cast<float>(gv[i % 3]));
  check_close(acc, want, 0);

  k::add_scaled_(acc, g, -0.5);
  for (int i = 0; i < 6; ++i) want[i] = static_cast<float>(want[i] + (-0.5f) * static_cast<float>(gv[i % 3]));
  check_close(acc, want, 1e-7);

  // Accumulating into a non-contiguous view writes through to the base.
  Tensor base = zeros({3, 2}, DType::f64);
  Tensor view = base.t();
  k::add_(view, ones({2, 3}, DType::f64));
  check_close(base, {1, 1, 1, 1, 1, 1}, 0);
}

TEST_CASE("unary ops match std:: functions on float32 and float64, contiguous or not") {
  struct UnaryCase {
    const char* name;
    Tensor (*op)(const Tensor&);
    std::function<double(double)> ref;
    bool positive;  // domain restricted to x > 0
  };
  const std::vector<UnaryCase> cases = {
      {"neg", k::neg, [](double x) { return -x; }, false},
      {"abs", k::abs, [](double x) { return std::abs(x); }, false},
      {"sign", k::sign, [](double x) { return double((x > 0) - (x < 0)); }, false},
      {"exp", k::exp, [](double x) { return std::exp(x); }, false},
      {"log", k::log, [](double x) { return std::log(x); }, true},
      {"sqrt", k::sqrt, [](double x) { return std::sqrt(x); }, true},
      {"rsqrt", k::rsqrt, [](double x) { return 1 / std::sqrt(x); }, true},
      {"square", k::square, [](double x) { return x * x; }, false},
      {"relu", k::relu, [](double x) { return x > 0 ? x : 0; }, false},
      {"sigmoid", k::sigmoid, [](double x) { return 1 / (1 + std::exp(-x)); }, false},
      {"tanh", k::tanh, [](double x) { return std::tanh(x); }, false},
  };
  for (DType dt : {DType::f32, DType::f64}) {
    for (const auto& c : cases) {
      const Tensor x = random_tensor({5, 7}, dt, 20, c.positive ? 0.1 : -3.0, 3.0);
      for (const Tensor& in : {x, x.t(), x.slice(1, 1, 7, 3), random_tensor({0, 4}, dt, 21), scalar_tensor(0.7, dt)}) {
        INFO(c.name, " of ", in.describe());
        const Tensor out = c.op(in);
        CHECK(out.shape() == in.shape());
        CHECK(out.dtype() == dt);
        std::vector<double> want;
        for (double v : in.to_vector()) want.push_back(c.ref(v));
        check_close(out, want, dt == DType::f32 ? 1e-6 : 1e-14);
      }
    }
  }
}

TEST_CASE("unary ops on a large tensor (parallel chunks)") {
  const Tensor x = random_tensor({200001}, DType::f32, 22);
  std::vector<double> want;
  for (double v : x.to_vector()) want.push_back(std::tanh(v));
  check_close(k::tanh(x), want, 1e-6);
}

TEST_CASE("integer unary ops") {
  const Tensor x = tensor(std::vector<int64_t>{-3, 0, 4}, {3});
  CHECK(k::neg(x).dtype() == DType::i64);
  check_close(k::neg(x), {3, 0, -4}, 0);
  check_close(k::abs(x), {3, 0, 4}, 0);
  check_close(k::sign(x), {-1, 0, 1}, 0);
  check_close(k::square(x), {9, 0, 16}, 0);
  check_close(k::relu(x), {0, 0, 4}, 0);
  check_close(k::abs(tensor(std::vector<uint8_t>{0, 200}, {2})), {0, 200}, 0);
}

TEST_CASE("gelu in erf and tanh form") {
  for (DType dt : {DType::f32, DType::f64}) {
    const Tensor x = random_tensor({3, 11}, dt, 23, -5.0, 5.0);
    std::vector<double> erf_form, tanh_form;
    for (double v : x.to_vector()) {
      erf_form.push_back(0.5 * v * (1 + std::erf(v / std::sqrt(2.0))));
      tanh_form.push_back(0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v))));
    }
    check_close(k::gelu(x), erf_form, dt == DType::f32 ? 2e-6 : 1e-14);
    check_close(k::gelu(x.t(), true), [&] {
      std::vector<double> t;
      const std::vector<double> v = x.t().contiguous().to_vector();
      for (double e : v) t.push_back(0.5 * e * (1 + std::tanh(std::sqrt(2 / M_PI) * (e + 0.044715 * e * e * e))));
      return t;
    }(), dt == DType::f32 ? 2e-6 : 1e-14);
    check_close(k::gelu(x, true), tanh_form, dt == DType::f32 ? 2e-6 : 1e-14);
  }
}

TEST_CASE("softplus follows PyTorch: linear above the threshold") {
  const Tensor x = tensor(std::vector<double>{-30, -1, 0, 1, 5, 9.9, 10.1, 30}, {8});
  for (double beta : {1.0, 2.0}) {
    const double threshold = 20;
    std::vector<double> want;
    for (double v : x.to_vector()) want.push_back(beta * v > threshold ? v : std::log1p(std::exp(beta * v)) / beta);
    check_close(k::softplus(x, beta, threshold), want, 1e-15);
  }
  // Exactly linear beyond the threshold (no rounding through log1p(exp)).
  CHECK(k::softplus(tensor({25.f}), 1.0, 20.0).item<float>() == 25.f);
  CHECK(k::softplus(tensor({5.f}), 1.0, 4.0).item<float>() == 5.f);
}

TEST_CASE("clamp with one or two bounds, integers and NaN") {
  const Tensor x = tensor(std::vector<double>{-2, -0.5, 0, 0.5, 2, kNaN}, {6});
  check_close(k::clamp(x, -1.0, 1.0), {-1, -0.5, 0, 0.5, 1, kNaN}, 0);
  check_close(k::clamp(x, 0.0, std::nullopt), {0, 0, 0, 0.5, 2, kNaN}, 0);
  check_close(k::clamp(x, std::nullopt, 0.0), {-2, -0.5, 0, 0, 0, kNaN}, 0);
  check_close(k::clamp(x.to(DType::f32).slice(0, 0, 6, 2), -1.0, 1.0), {-1, 0, 1}, 0);
  const Tensor i = tensor(std::vector<int64_t>{-5, 0, 1, 2, 7}, {5});
  CHECK(k::clamp(i, 0.5, 2.5).dtype() == DType::i64);
  check_close(k::clamp(i, 0.5, 2.5), {1, 1, 1, 2, 2}, 0);  // ceil(lo), floor(hi)
  check_close(k::clamp(i, -1e300, 1.0), {-5, 0, 1, 1, 1}, 0);
}

TEST_CASE("where broadcasts condition and operands and promotes") {
  const Tensor cond = tensor(std::vector<bool>{true, false, true}, {3, 1});
  const Tensor a = random_tensor({1, 4}, DType::f32, 24);
  const Tensor b = scalar_tensor(-7.0, DType::f64);
  const Tensor out = k::where(cond, a, b);
  CHECK(out.shape() == Shape{3, 4});
  CHECK(out.dtype() == DType::f64);
  const std::vector<double> av = a.to_vector(), o = out.to_vector();
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) CHECK(o[r * 4 + c] == (r != 1 ? av[c] : -7.0));
  // Non-contiguous condition.
  const Tensor cond2 = k::gt(random_tensor({4, 3}, DType::f32, 25), 0.0).t();
  const Tensor x = random_tensor({3, 4}, DType::f32, 26), y = random_tensor({3, 4}, DType::f32, 27);
  const std::vector<double> cv = cond2.to_vector(), xv = x.to_vector(), yv = y.to_vector();
  std::vector<double> want;
  for (size_t i = 0; i < cv.size(); ++i) want.push_back(cv[i] != 0 ? xv[i] : yv[i]);
  check_close(k::where(cond2, x, y), want, 0);
  const Tensor none = x.slice(0, 0, 0).flatten();
  CHECK(k::where(tensor(std::vector<bool>{}, {0}), none, none).numel() == 0);
}

TEST_CASE("unary backward kernels match their derivative formulas") {
  for (DType dt : {DType::f32, DType::f64}) {
    const double tol = dt == DType::f32 ? 2e-6 : 1e-13;
    const Tensor x = random_tensor({4, 6}, dt, 28, -3.0, 3.0);
    const Tensor g = random_tensor({4, 6}, dt, 29);
    const Tensor pos = random_tensor({4, 6}, dt, 30, 0.2, 3.0);
    const std::vector<double> xv = x.to_vector(), gv = g.to_vector(), pv = pos.to_vector();
    using Derivative = std::function<double(double, double)>;
    auto expect = [&](const Tensor& got, const std::vector<double>& in, const Derivative& f) {
      std::vector<double> want;
      for (size_t i = 0; i < in.size(); ++i) want.push_back(f(gv[i], in[i]));
      check_close(got, want, tol);
    };
    expect(k::abs_backward(g, x), xv, [](double gr, double v) { return v > 0 ? gr : v < 0 ? -gr : 0; });
    expect(k::relu_backward(g, x), xv, [](double gr, double v) { return v > 0 ? gr : 0; });
    expect(k::sqrt_backward(g, k::sqrt(pos)), pv, [](double gr, double v) { return gr * 0.5 / std::sqrt(v); });
    expect(k::rsqrt_backward(g, k::rsqrt(pos)), pv, [](double gr, double v) { return -0.5 * gr * std::pow(v, -1.5); });
    expect(k::sigmoid_backward(g, k::sigmoid(x)), xv, [](double gr, double v) {
      const double s = 1 / (1 + std::exp(-v));
      return gr * s * (1 - s);
    });
    expect(k::tanh_backward(g, k::tanh(x)), xv, [](double gr, double v) { return gr / (std::cosh(v) * std::cosh(v)); });
    expect(k::gelu_backward(g, x), xv, [](double gr, double v) {
      return gr * (0.5 * (1 + std::erf(v / std::sqrt(2.0))) + v * std::exp(-v * v / 2) / std::sqrt(2 * M_PI));
    });
    expect(k::gelu_backward(g, x, true), xv, [](double gr, double v) {
      const double c = std::sqrt(2 / M_PI), u = c * (v + 0.044715 * v * v * v), t = std::tanh(u);
      return gr * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * 0.044715 * v * v));
    });
    expect(k::softplus_backward(g, x, 2.0, 3.0), xv,
           [](double gr, double v) { return 2 * v > 3 ? gr : gr / (1 + std::exp(-2 * v)); });
    expect(k::clamp_backward(g, x, -1.0, std::nullopt), xv, [](double gr, double v) { return v >= -1 ? gr : 0; });
  }
  // The clamp boundary passes the gradient.
  check_close(k::clamp_backward(ones({3}, DType::f64), tensor(std::vector<double>{-1, 0, 1}, {3}), -1.0, 1.0),
              {1, 1, 1}, 0);
}

TEST_CASE("elementwise error messages name the op and the tensors") {
  const Tensor a = zeros({2, 3}), b = zeros({4});
  std::string m = error_of([&] { k::add(a, b); });
  CHECK(contains(m, "add"));
  CHECK(contains(m, "[2, 3]"));
  CHECK(contains(m, "[4]"));
  m = error_of([&] { k::mul(zeros({3, 1, 4}), zeros({2, 3})); });
  CHECK(contains(m, "[3, 1, 4]"));
  CHECK(contains(m, "[2, 3]"));
  m = error_of([&] { k::where(zeros({2, 3}), a, a); });
  CHECK(contains(m, "where"));
  CHECK(contains(m, "bool"));
  CHECK(contains(m, "float32[2, 3]"));
  m = error_of([&] {
    Tensor acc = zeros({3});
    k::add_(acc, zeros({2, 3}));
  });
  CHECK(contains(m, "add_"));
  CHECK(contains(m, "[2, 3]"));
  CHECK(contains(m, "[3]"));
  m = error_of([&] { k::exp(tensor(std::vector<int64_t>{1}, {1})); });
  CHECK(contains(m, "exp"));
  CHECK(contains(m, "int64[1]"));
  m = error_of([&] { k::add(ones({2}, DType::boolean), ones({2}, DType::boolean)); });
  CHECK(contains(m, "bool"));
  m = error_of([&] { k::relu_backward(zeros({2}), zeros({3})); });
  CHECK(contains(m, "relu_backward"));
  CHECK(contains(m, "[2]"));
  CHECK(contains(m, "[3]"));
  m = error_of([&] { k::clamp(a, std::nullopt, std::nullopt); });
  CHECK(contains(m, "clamp"));
}

}  // TEST_SUITE
