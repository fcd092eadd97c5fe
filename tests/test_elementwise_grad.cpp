// Differentiable elementwise ops (autograd/functions/elementwise.h): float64 gradchecks of every op, with
// broadcasting, rank-0 operands and the scalar overloads and operators; the conventions at non-differentiable
// points; constants from comparisons; dtype of gradients of promoted inputs; error messages.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "autograd/functions/elementwise.h"
#include "autograd/functions/reduce.h"
#include "autograd/functions/views.h"
#include "gradcheck.h"
#include "tensor/creation.h"
#include "test_util.h"

using namespace htp;
using testing::contains;
using testing::error_of;
using testing::leaf;
using testing::leaf_f64;

namespace {

using Fn = std::function<Variable(const variable_list&)>;

// d(sum(f(x)))/dx.
std::vector<double> grad_of_sum(const Variable& x, const std::function<Variable(const Variable&)>& f) {
  return grad({sum(f(x))}, {x})[0].to_vector();
}

}  // namespace

TEST_SUITE("gradcheck") {

TEST_CASE("binary ops with broadcasting [3,1,4] and [2,1]") {
  const std::vector<std::pair<const char*, Fn>> ops = {
      {"add", [](const variable_list& v) { return add(v[0], v[1]); }},
      {"sub", [](const variable_list& v) { return sub(v[0], v[1]); }},
      {"mul", [](const variable_list& v) { return mul(v[0], v[1]); }},
      {"div", [](const variable_list& v) { return div(v[0], v[1]); }},
      {"pow", [](const variable_list& v) { return pow(v[0], v[1]); }},
      {"maximum", [](const variable_list& v) { return maximum(v[0], v[1]); }},
      {"minimum", [](const variable_list& v) { return minimum(v[0], v[1]); }},
  };
  for (const auto& [name, f] : ops) {
    CAPTURE(name);
    // pow needs a positive base; div a divisor away from 0: both operands in [0.5, 2].
    CHECK_GRADCHECK(f, {leaf_f64({3, 1, 4}, 1, 0.5, 2.0), leaf_f64({2, 1}, 2, 0.5, 2.0)});
    CHECK_GRADCHECK(f, {leaf_f64({}, 3, 0.5, 2.0), leaf_f64({2, 3}, 4, 0.5, 2.0)});  // rank-0 operand
    CHECK_GRADCHECK(f, {leaf_f64({2, 3}, 5, 0.5, 2.0), Variable(full({3}, 1.25, DType::f64))});  // one constant
  }
}

TEST_CASE("scalar overloads and operators") {
  const std::vector<std::pair<const char*, Fn>> ops = {
      {"add(v, s)", [](const variable_list& v) { return add(v[0], 2.5); }},
      {"sub(v, s)", [](const variable_list& v) { return sub(v[0], 2.5); }},
      {"mul(v, s)", [](const variable_list& v) { return mul(v[0], -3.0); }},
      {"div(v, s)", [](const variable_list& v) { return div(v[0], 4.0); }},
      {"pow(v, 2)", [](const variable_list& v) { return pow(v[0], 2.0); }},
      {"pow(v, 3)", [](const variable_list& v) { return pow(v[0], 3.0); }},
      {"pow(v, 0.5)", [](const variable_list& v) { return pow(v[0], 0.5); }},
      {"pow(v, -1.5)", [](const variable_list& v) { return pow(v[0], -1.5); }},
      {"pow(v, 0)", [](const variable_list& v) { return pow(v[0], 0.0); }},
      {"v + w", [](const variable_list& v) { return v[0] + v[1]; }},
      {"v - w", [](const variable_list& v) { return v[0] - v[1]; }},
      {"v * w", [](const variable_list& v) { return v[0] * v[1]; }},
      {"v / w", [](const variable_list& v) { return v[0] / v[1]; }},
      {"v + s", [](const variable_list& v) { return v[0] + 1.5; }},
      {"s + v", [](const variable_list& v) { return 1.5 + v[0]; }},
      {"v - s", [](const variable_list& v) { return v[0] - 1.5; }},
      {"s - v", [](const variable_list& v) { return 1.5 - v[0]; }},
      {"v * s", [](const variable_list& v) { return v[0] * 1.5; }},
      {"s * v", [](const variable_list& v) { return 1.5 * v[0]; }},
      {"v / s", [](const variable_list& v) { return v[0] / 1.5; }},
      {"s / v", [](const variable_list& v) { return 1.5 / v[0]; }},
      {"-v", [](const variable_list& v) { return -v[0]; }},
      {"composite", [](const variable_list& v) { return (v[0] * v[1] - 2.0) / (v[1] + 3.0) * -v[0]; }},
  };
  for (const auto& [name, f] : ops) {
    CAPTURE(name);
    CHECK_GRADCHECK(f, {leaf_f64({2, 3}, 6, 0.5, 2.0), leaf_f64({3}, 7, 0.5, 2.0)});
  }
}

TEST_CASE("unary ops") {
  const std::vector<std::pair<const char*, Fn>> ops = {
      {"neg", [](const variable_list& v) { return neg(v[0]); }},
      {"abs", [](const variable_list& v) { return abs(v[0]); }},
      {"sign", [](const variable_list& v) { return sign(v[0]); }},
      {"exp", [](const variable_list& v) { return exp(v[0]); }},
      {"square", [](const variable_list& v) { return square(v[0]); }},
      {"relu", [](const variable_list& v) { return relu(v[0]); }},
      {"gelu", [](const variable_list& v) { return gelu(v[0]); }},
      {"gelu tanh", [](const variable_list& v) { return gelu(v[0], true); }},
      {"sigmoid", [](const variable_list& v) { return sigmoid(v[0]); }},
      {"tanh", [](const variable_list& v) { return tanh(v[0]); }},
      {"softplus", [](const variable_list& v) { return softplus(v[0]); }},
      {"softplus beta 2 threshold 3", [](const variable_list& v) { return softplus(v[0], 2.0, 3.0); }},
      {"clamp", [](const variable_list& v) { return clamp(v[0], -1.0, 1.5); }},
      {"clamp lo", [](const variable_list& v) { return clamp(v[0], 0.25, std::nullopt); }},
      {"clamp hi", [](const variable_list& v) { return clamp(v[0], std::nullopt, 0.25); }},
  };
  for (const auto& [name, f] : ops) {
    CAPTURE(name);
    CHECK_GRADCHECK(f, {leaf_f64({3, 5}, 8, -3.0, 3.0)});
    CHECK_GRADCHECK(f, {leaf_f64({}, 9, -3.0, 3.0)});
  }
  const std::vector<std::pair<const char*, Fn>> positive = {
      {"log", [](const variable_list& v) { return log(v[0]); }},
      {"sqrt", [](const variable_list& v) { return sqrt(v[0]); }},
      {"rsqrt", [](const variable_list& v) { return rsqrt(v[0]); }},
  };
  for (const auto& [name, f] : positive) {
    CAPTURE(name);
    CHECK_GRADCHECK(f, {leaf_f64({3, 5}, 10, 0.2, 3.0)});
  }
}

TEST_CASE("where with a broadcast condition, as Tensor or Variable") {
  const Tensor cond = tensor(std::vector<bool>{true, false, true}, {3, 1});
  CHECK_GRADCHECK([&](const variable_list& v) { return where(cond, v[0], v[1]); },
                  {leaf_f64({1, 4}, 11), leaf_f64({3, 4}, 12)});
  CHECK_GRADCHECK([&](const variable_list& v) { return where(gt(v[0], 0.0), v[0], mul(v[0], 0.1)); },
                  {leaf_f64({4, 3}, 13)});
}

TEST_CASE("non-contiguous inputs through views") {
  CHECK_GRADCHECK([](const variable_list& v) { return mul(transpose(v[0], 0, 1), v[1]); },
                  {leaf_f64({3, 2}, 14), leaf_f64({2, 3}, 15)});
  CHECK_GRADCHECK([](const variable_list& v) { return gelu(slice(v[0], 1, 0, 4, 2)); }, {leaf_f64({3, 4}, 16)});
  CHECK_GRADCHECK([](const variable_list& v) { return div(expand(v[0], {3, 4}), v[1]); },
                  {leaf_f64({3, 1}, 17), leaf_f64({4}, 18, 0.5, 2.0)});
}

}  // TEST_SUITE

TEST_SUITE("autograd") {

TEST_CASE("conventions at non-differentiable points follow PyTorch") {
  CHECK(grad_of_sum(leaf({-1, 0, 2}, {3}), [](const Variable& x) { return relu(x); }) == std::vector<double>{0, 0, 1});
  CHECK(grad_of_sum(leaf({-1, 0, 2}, {3}), [](const Variable& x) { return abs(x); }) == std::vector<double>{-1, 0, 1});
  // clamp: the boundary passes the gradient.
  CHECK(grad_of_sum(leaf({-2, -1, 0, 1, 2}, {5}), [](const Variable& x) { return clamp(x, -1.0, 1.0); }) ==
        std::vector<double>{0, 1, 1, 1, 0});
  // maximum / minimum: half to each side on ties.
  Variable a = leaf({1, 2, 3}, {3}), b = leaf({3, 2, 1}, {3});
  tensor_list g = grad({sum(maximum(a, b))}, {a, b});
  CHECK(g[0].to_vector() == std::vector<double>{0, 0.5, 1});
  CHECK(g[1].to_vector() == std::vector<double>{1, 0.5, 0});
  g = grad({sum(minimum(a, b))}, {a, b});
  CHECK(g[0].to_vector() == std::vector<double>{1, 0.5, 0});
  CHECK(g[1].to_vector() == std::vector<double>{0, 0.5, 1});
  // pow: 0^b has gradient 0 with respect to b >= 0, and a^0 has gradient 0 with respect to a (even at a = 0).
  Variable base = leaf({0, 0, 2}, {3}), expo = leaf({0, 2, 3}, {3});
  g = grad({sum(pow(base, expo))}, {base, expo});
  CHECK(g[0].to_vector() == std::vector<double>{0, 0, 12});
  CHECK(g[1].to_vector()[0] == 0);
  CHECK(g[1].to_vector()[1] == 0);
  CHECK(g[1].to_vector()[2] == doctest::Approx(8 * std::log(2.0)));
}

TEST_CASE("gradients of broadcast and promoted inputs take the inputs' shapes and dtypes") {
  Variable a(ones({2, 1, 3}, DType::f32), true);
  Variable b(ones({4, 1}, DType::f64), true);
  Variable y = mul(a, b);
  CHECK(y.dtype() == DType::f64);
  CHECK(y.shape() == Shape{2, 4, 3});
  sum(y).backward();
  CHECK(a.grad().dtype() == DType::f32);
  CHECK(a.grad().shape() == Shape{2, 1, 3});
  CHECK(a.grad().to_vector() == std::vector<double>(6, 4.0));
  CHECK(b.grad().shape() == Shape{4, 1});
  CHECK(b.grad().to_vector() == std::vector<double>(4, 6.0));
}

TEST_CASE("comparisons give constants; no graph is recorded under NoGradGuard") {
  Variable x = leaf({1, 2, 3}, {3});
  Variable c = gt(x, 1.5);
  CHECK(c.dtype() == DType::boolean);
  CHECK_FALSE(c.requires_grad());
  CHECK(c.data().to_vector() == std::vector<double>{0, 1, 1});
  CHECK_FALSE(le(x, x).requires_grad());
  {
    NoGradGuard guard;
    Variable y = exp(x) * x;
    CHECK_FALSE(y.requires_grad());
    CHECK(y.grad_fn() == nullptr);
  }
  Variable y = exp(x);
  REQUIRE(y.grad_fn() != nullptr);
  CHECK(y.grad_fn()->name() == "ExpBackward");
  CHECK(dynamic_cast<AddBackward*>((x + x).grad_fn().get())->a.defined());  // saved for backward rules
}

TEST_CASE("elementwise autograd errors name the op and shapes") {
  Variable a = leaf({1, 2, 3, 4, 5, 6}, {2, 3}), b = leaf({1, 2}, {2});
  std::string m = error_of([&] { add(a, b); });
  CHECK(contains(m, "add"));
  CHECK(contains(m, "[2, 3]"));
  CHECK(contains(m, "[2]"));
  m = error_of([&] { where(Variable(zeros({2, 3})), a, a); });
  CHECK(contains(m, "where"));
  CHECK(contains(m, "bool"));
}

}  // TEST_SUITE
