// Every CUDA twin (kernels/cuda/{unary,binary,reduce,softmax}.h) against its CPU kernel on the same random inputs:
// each dtype the kernel takes, contiguous / strided / transposed / broadcast / unaligned / empty layouts, special
// values (NaN, ±inf, ties). Tolerances are in tests/cuda_test_util.h (float32: relative 1e-5) unless noted.
// Compiled in CUDA builds only; skipped without a device.
#ifdef HTP_WITH_CUDA
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "cuda_test_util.h"
#include "kernels/cpu/binary.h"
#include "kernels/cpu/reduce.h"
#include "kernels/cpu/softmax.h"
#include "kernels/cpu/unary.h"
#include "kernels/cuda/binary.h"
#include "kernels/cuda/reduce.h"
#include "kernels/cuda/softmax.h"
#include "kernels/cuda/unary.h"
#include "tensor/creation.h"

using namespace htp;
using htp::testing::check_close;
using htp::testing::check_equal;
using htp::testing::needs_cuda;
using htp::testing::Tolerance;
using htp::testing::tolerance_for;
using htp::testing::uniform_cpu;
namespace cpu = htp::kernels::cpu;
namespace gpu = htp::kernels::cuda;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Tensor on_cuda(const Tensor& t) { return t.to(Device::cuda()); }

// A layout: the shape of a base tensor and the view taken of it (the same view on the CPU and on the device).
struct Layout {
  std::string name;
  Shape base;
  std::function<Tensor(const Tensor&)> view;
};

const std::vector<Layout>& layouts() {
  static const std::vector<Layout> all = {
      {"contiguous [1027] (vector tail)", {1027}, [](const Tensor& t) { return t; }},
      {"contiguous [33, 65]", {33, 65}, [](const Tensor& t) { return t; }},
      {"one element", {1}, [](const Tensor& t) { return t; }},
      {"rank 0", {}, [](const Tensor& t) { return t; }},
      {"empty [0, 5]", {0, 5}, [](const Tensor& t) { return t; }},
      {"transposed [40, 30]", {40, 30}, [](const Tensor& t) { return t.t(); }},
      {"strided slice", {7, 50}, [](const Tensor& t) { return t.slice(1, 1, 50, 3); }},
      {"unaligned (offset 1)", {1029}, [](const Tensor& t) { return t.narrow(0, 1, 1027); }},
      {"permuted rank 4", {3, 4, 5, 6}, [](const Tensor& t) { return t.permute({3, 1, 0, 2}); }},
  };
  return all;
}

// Runs `kernel(inputs..., out)` on the CPU and on the device with the same inputs (CPU tensors, copied up with their
// layouts rebuilt by `view`) and compares the outputs.
struct Pair {
  Tensor cpu, gpu;
};
Pair both(const Tensor& base, const std::function<Tensor(const Tensor&)>& view) {
  return {view(base), view(on_cuda(base))};
}

const std::vector<std::pair<cpu::UnaryOp, std::string>> kUnaryOps = {
    {cpu::UnaryOp::neg, "neg"},         {cpu::UnaryOp::abs, "abs"},       {cpu::UnaryOp::sign, "sign"},
    {cpu::UnaryOp::exp, "exp"},         {cpu::UnaryOp::log, "log"},       {cpu::UnaryOp::sqrt, "sqrt"},
    {cpu::UnaryOp::rsqrt, "rsqrt"},     {cpu::UnaryOp::square, "square"}, {cpu::UnaryOp::relu, "relu"},
    {cpu::UnaryOp::sigmoid, "sigmoid"}, {cpu::UnaryOp::tanh, "tanh"},     {cpu::UnaryOp::gelu, "gelu"},
    {cpu::UnaryOp::gelu_tanh, "gelu_tanh"}};

bool integer_op(cpu::UnaryOp op) {
  return op == cpu::UnaryOp::neg || op == cpu::UnaryOp::abs || op == cpu::UnaryOp::sign ||
         op == cpu::UnaryOp::square || op == cpu::UnaryOp::relu;
}

bool positive_domain(cpu::UnaryOp op) {
  return op == cpu::UnaryOp::log || op == cpu::UnaryOp::sqrt || op == cpu::UnaryOp::rsqrt;
}

// Inputs for integer dtypes: small values (no overflow in square or pow), non-negative for uint8.
Tensor int_sample(const Shape& shape, DType dt, uint64_t seed, double lo = -50, double hi = 50) {
  if (dt == DType::u8) lo = std::max(lo, 0.0);
  return uniform_cpu(shape, DType::f64, seed, lo, hi).to(DType::i64).to(dt);
}

}  // namespace

TEST_SUITE("cuda") {

// ---- unary -------------------------------------------------------------------------------------------------------------

TEST_CASE("unary: every op and float dtype, every layout, against the CPU" * needs_cuda()) {
  for (DType dt : {DType::f32, DType::f64}) {
    for (const auto& [op, name] : kUnaryOps) {
      for (const Layout& l : layouts()) {
        const double lo = positive_domain(op) ? 0.05 : -4.5, hi = 4.5;
        const auto [x, xd] = both(uniform_cpu(l.base, dt, 11, lo, hi), l.view);
        Tensor want = empty(x.shape(), dt), got = empty(x.shape(), dt, Device::cuda());
        cpu::unary(op, x, want);
        gpu::unary(op, xd, got);
        check_close(got, want, tolerance_for(dt), name + " " + dtype_name(dt) + " " + l.name);
      }
    }
  }
}

TEST_CASE("unary: integer dtypes, in-place and strided outputs, special values" * needs_cuda()) {
  for (DType dt : {DType::i64, DType::i32, DType::u8}) {
    for (const auto& [op, name] : kUnaryOps) {
      const Tensor x = int_sample({5, 41}, dt, 12);
      const Tensor xd = on_cuda(x);
      Tensor want = empty(x.shape(), dt), got = empty(x.shape(), dt, Device::cuda());
      if (!integer_op(op)) {
        CHECK_THROWS_WITH(gpu::unary(op, xd, got), doctest::Contains("needs a floating tensor"));
        continue;
      }
      cpu::unary(op, x, want);
      gpu::unary(op, xd, got);
      check_equal(got, want, name + " " + dtype_name(dt));
    }
  }
  CHECK_THROWS_WITH(gpu::unary(cpu::UnaryOp::neg, on_cuda(ones({2}, DType::boolean)), empty({2}, DType::boolean, Device::cuda())),
                    doctest::Contains("bool tensors are not supported"));
  // In place (out aliases x) and into a transposed output.
  const Tensor x = uniform_cpu({30, 20}, DType::f32, 13);
  Tensor in_place = x.clone(), in_place_d = on_cuda(x);
  cpu::unary(cpu::UnaryOp::tanh, in_place, in_place);
  gpu::unary(cpu::UnaryOp::tanh, in_place_d, in_place_d);
  check_close(in_place_d, in_place, testing::kF32, "tanh in place");
  Tensor out_t = empty({20, 30}).t(), out_td = empty({20, 30}, DType::f32, Device::cuda()).t();
  cpu::unary(cpu::UnaryOp::sigmoid, x, out_t);
  gpu::unary(cpu::UnaryOp::sigmoid, on_cuda(x), out_td);
  check_close(out_td, out_t, testing::kF32, "sigmoid into a transposed output");
  // NaN, infinities, signed zeros.
  const Tensor s = from_buffer(std::vector<float>{NAN, INFINITY, -INFINITY, 0.f, -0.f, 1e-30f, -88.f, 89.f}.data(), {8},
                               DType::f32);
  for (const auto& [op, name] : kUnaryOps) {
    Tensor want = empty({8}), got = empty({8}, DType::f32, Device::cuda());
    cpu::unary(op, s, want);
    gpu::unary(op, on_cuda(s), got);
    check_close(got, want, testing::kF32, name + " on special values");
  }
}

TEST_CASE("softplus, clamp and where against the CPU" * needs_cuda()) {
  for (DType dt : {DType::f32, DType::f64}) {
    for (const Layout& l : layouts()) {
      const auto [x, xd] = both(uniform_cpu(l.base, dt, 14, -8, 8), l.view);
      for (auto [beta, threshold] : {std::pair{1.0, 20.0}, std::pair{2.5, 1.0}, std::pair{-0.5, 2.0}}) {
        Tensor want = empty(x.shape(), dt), got = empty(x.shape(), dt, Device::cuda());
        cpu::softplus(x, beta, threshold, want);
        gpu::softplus(xd, beta, threshold, got);
        check_close(got, want, tolerance_for(dt), "softplus " + l.name);
      }
      for (auto [lo, hi] : {std::pair{-1.5, 2.0}, std::pair{-kInf, 0.5}, std::pair{0.25, kInf}}) {
        Tensor want = empty(x.shape(), dt), got = empty(x.shape(), dt, Device::cuda());
        cpu::clamp(x, lo, hi, want);
        gpu::clamp(xd, lo, hi, got);
        check_equal(got, want, "clamp " + l.name);
      }
    }
  }
  const Tensor nan = full({3}, kNaN);
  Tensor nan_out = empty({3}, DType::f32, Device::cuda());
  gpu::clamp(on_cuda(nan), -1, 1, nan_out);
  check_equal(nan_out, nan, "clamp keeps NaN");
  for (DType dt : {DType::i64, DType::i32, DType::u8}) {
    const Tensor x = int_sample({9, 13}, dt, 15, -300, 300);
    for (auto [lo, hi] : {std::pair{-2.5, 7.5}, std::pair{-kInf, 3.0}, std::pair{-1e30, 1e30}, std::pair{10.2, kInf}}) {
      Tensor want = empty(x.shape(), dt), got = empty(x.shape(), dt, Device::cuda());
      cpu::clamp(x, lo, hi, want);
      gpu::clamp(on_cuda(x), lo, hi, got);
      check_equal(got, want, std::string("clamp ") + dtype_name(dt));
    }
  }
  // where with broadcast condition and operands.
  for (DType dt : {DType::f32, DType::f64, DType::i64, DType::i32, DType::u8, DType::boolean}) {
    const Shape shape{4, 3, 5};
    const Tensor cond = uniform_cpu({4, 1, 5}, DType::f64, 16, 0, 2).to(DType::i64).to(DType::boolean);
    const Tensor a = uniform_cpu({3, 5}, DType::f64, 17, 0, 9).to(dt), b = uniform_cpu({4, 3, 1}, DType::f64, 18, 0, 9).to(dt);
    Tensor want = empty(shape, dt), got = empty(shape, dt, Device::cuda());
    cpu::where(cond.expand(shape), a.expand(shape), b.expand(shape), want);
    gpu::where(on_cuda(cond).expand(shape), on_cuda(a).expand(shape), on_cuda(b).expand(shape), got);
    check_equal(got, want, std::string("where ") + dtype_name(dt));
  }
}

TEST_CASE("unary backward kernels against the CPU" * needs_cuda()) {
  const std::vector<std::pair<cpu::UnaryBackwardOp, std::string>> ops = {
      {cpu::UnaryBackwardOp::abs, "abs"},         {cpu::UnaryBackwardOp::sqrt, "sqrt"},
      {cpu::UnaryBackwardOp::rsqrt, "rsqrt"},     {cpu::UnaryBackwardOp::relu, "relu"},
      {cpu::UnaryBackwardOp::sigmoid, "sigmoid"}, {cpu::UnaryBackwardOp::tanh, "tanh"},
      {cpu::UnaryBackwardOp::gelu, "gelu"},       {cpu::UnaryBackwardOp::gelu_tanh, "gelu_tanh"}};
  for (DType dt : {DType::f32, DType::f64}) {
    for (const Layout& l : layouts()) {
      const auto [g, gd] = both(uniform_cpu(l.base, dt, 19, -2, 2), l.view);
      for (const auto& [op, name] : ops) {
        const bool positive = op == cpu::UnaryBackwardOp::sqrt || op == cpu::UnaryBackwardOp::rsqrt;
        const auto [s, sd] = both(uniform_cpu(l.base, dt, 20, positive ? 0.1 : -4, 4), l.view);
        Tensor want = empty(g.shape(), dt), got = empty(g.shape(), dt, Device::cuda());
        cpu::unary_backward(op, g, s, want);
        gpu::unary_backward(op, gd, sd, got);
        check_close(got, want, tolerance_for(dt), name + "_backward " + dtype_name(dt) + " " + l.name);
      }
      const auto [x, xd] = both(uniform_cpu(l.base, dt, 21, -8, 8), l.view);
      Tensor want = empty(g.shape(), dt), got = empty(g.shape(), dt, Device::cuda());
      cpu::softplus_backward(g, x, 1.5, 3.0, want);
      gpu::softplus_backward(gd, xd, 1.5, 3.0, got);
      check_close(got, want, tolerance_for(dt), "softplus_backward " + l.name);
      cpu::clamp_backward(g, x, -2.0, 1.0, want);
      gpu::clamp_backward(gd, xd, -2.0, 1.0, got);
      check_equal(got, want, "clamp_backward " + l.name);
    }
  }
}

// ---- binary ------------------------------------------------------------------------------------------------------------

TEST_CASE("binary: every op and dtype, broadcasting and layouts, against the CPU" * needs_cuda()) {
  const std::vector<std::pair<cpu::BinaryOp, std::string>> ops = {
      {cpu::BinaryOp::add, "add"}, {cpu::BinaryOp::sub, "sub"},         {cpu::BinaryOp::mul, "mul"},
      {cpu::BinaryOp::div, "div"}, {cpu::BinaryOp::pow, "pow"},         {cpu::BinaryOp::maximum, "maximum"},
      {cpu::BinaryOp::minimum, "minimum"}};
  // (shape of a, shape of b, broadcast shape); the inputs are expanded views of them.
  const std::vector<std::tuple<Shape, Shape, Shape, std::string>> cases = {
      {{6, 7}, {6, 7}, {6, 7}, "same shape"},
      {{4, 1, 5}, {3, 1}, {4, 3, 5}, "broadcast both"},
      {{1029}, {}, {1029}, "tensor op scalar"},
      {{}, {37}, {37}, "scalar op tensor"},
      {{0, 3}, {3}, {0, 3}, "empty"},
  };
  for (DType dt : {DType::f32, DType::f64, DType::i64, DType::i32, DType::u8}) {
    const bool floating = dt == DType::f32 || dt == DType::f64;
    for (const auto& [op, name] : ops) {
      for (const auto& [sa, sb, shape, what] : cases) {
        Tensor a, b;
        if (op == cpu::BinaryOp::pow) {
          a = floating ? uniform_cpu(sa, dt, 22, 0.1, 3) : int_sample(sa, dt, 22, -3, 4);
          b = floating ? uniform_cpu(sb, dt, 23, -2, 3) : int_sample(sb, dt, 23, dt == DType::u8 ? 0 : -2, 5);
        } else if (op == cpu::BinaryOp::div && !floating) {
          a = int_sample(sa, dt, 22);
          b = int_sample(sb, dt, 23, 1, 9);  // no division by zero
        } else {
          a = floating ? uniform_cpu(sa, dt, 22) : int_sample(sa, dt, 22, 0, 100);
          b = floating ? uniform_cpu(sb, dt, 23) : int_sample(sb, dt, 23, 0, 100);
        }
        Tensor want = empty(shape, dt), got = empty(shape, dt, Device::cuda());
        cpu::binary(op, a.expand(shape), b.expand(shape), want);
        gpu::binary(op, on_cuda(a).expand(shape), on_cuda(b).expand(shape), got);
        const std::string label = name + " " + dtype_name(dt) + " " + what;
        if (floating)
          check_close(got, want, tolerance_for(dt), label);
        else
          check_equal(got, want, label);
      }
    }
  }
  // A transposed operand, in place into a (out aliases a).
  const Tensor a = uniform_cpu({20, 30}, DType::f32, 24), b = uniform_cpu({30, 20}, DType::f32, 25);
  Tensor acc = a.clone(), acc_d = on_cuda(a);
  cpu::binary(cpu::BinaryOp::mul, acc, b.t(), acc);
  gpu::binary(cpu::BinaryOp::mul, acc_d, on_cuda(b).t(), acc_d);
  check_close(acc_d, acc, testing::kF32, "mul in place with a transposed operand");
  // NaN wins in maximum/minimum, either position.
  const Tensor x = tensor({NAN, 1.f, NAN, -0.f, 2.f}), y = tensor({1.f, NAN, NAN, 0.f, INFINITY});
  for (auto op : {cpu::BinaryOp::maximum, cpu::BinaryOp::minimum}) {
    Tensor want = empty({5}), got = empty({5}, DType::f32, Device::cuda());
    cpu::binary(op, x, y, want);
    gpu::binary(op, on_cuda(x), on_cuda(y), got);
    check_equal(got, want, "maximum/minimum with NaN");
  }
}

TEST_CASE("add_scaled and comparisons against the CPU" * needs_cuda()) {
  for (DType dt : {DType::f32, DType::f64}) {
    for (const Layout& l : layouts()) {
      const auto [a, ad] = both(uniform_cpu(l.base, dt, 26), l.view);
      const auto [b, bd] = both(uniform_cpu(l.base, dt, 27), l.view);
      Tensor want = empty(a.shape(), dt), got = empty(a.shape(), dt, Device::cuda());
      cpu::add_scaled(a, b, -0.37, want);
      gpu::add_scaled(ad, bd, -0.37, got);
      check_close(got, want, tolerance_for(dt), std::string("add_scaled ") + l.name);
    }
  }
  const std::vector<cpu::CompareOp> ops = {cpu::CompareOp::eq, cpu::CompareOp::ne, cpu::CompareOp::lt,
                                           cpu::CompareOp::le, cpu::CompareOp::gt, cpu::CompareOp::ge};
  for (DType dt : {DType::f32, DType::f64, DType::i64, DType::i32, DType::u8, DType::boolean}) {
    // Small integers: many ties.
    const Tensor a = uniform_cpu({5, 1, 7}, DType::f64, 28, 0, 3).to(DType::i64).to(dt);
    const Tensor b = uniform_cpu({4, 1}, DType::f64, 29, 0, 3).to(DType::i64).to(dt);
    const Shape shape{5, 4, 7};
    for (auto op : ops) {
      Tensor want = empty(shape, DType::boolean), got = empty(shape, DType::boolean, Device::cuda());
      cpu::compare(op, a.expand(shape), b.expand(shape), want);
      gpu::compare(op, on_cuda(a).expand(shape), on_cuda(b).expand(shape), got);
      check_equal(got, want, std::string("compare ") + dtype_name(dt));
    }
  }
  const Tensor x = tensor({NAN, 1.f, NAN, -0.f}), y = tensor({1.f, NAN, NAN, 0.f});
  for (auto op : ops) {
    Tensor want = empty({4}, DType::boolean), got = empty({4}, DType::boolean, Device::cuda());
    cpu::compare(op, x, y, want);
    gpu::compare(op, on_cuda(x), on_cuda(y), got);
    check_equal(got, want, "compare with NaN and signed zero");
  }
}

// ---- reductions -----------------------------------------------------------------------------------------------------------

namespace {

// (base shape, view, reduced dims): rows and columns kernels, several units (R > 4096), many dims, permuted input,
// empty reductions and outputs, a scalar.
struct ReduceCase {
  Shape base;
  std::function<Tensor(const Tensor&)> view;
  cpu::Dims dims;
  std::string name;
};

const std::vector<ReduceCase>& reduce_cases() {
  const auto same = [](const Tensor& t) { return t; };
  static const std::vector<ReduceCase> all = {
      {{37, 53}, same, {1}, "[37, 53] over 1 (rows)"},
      {{37, 53}, same, {0}, "[37, 53] over 0 (columns)"},
      {{37, 53}, same, {0, 1}, "[37, 53] over all"},
      {{37, 53}, same, {}, "[37, 53] over nothing"},
      {{5, 6, 7}, same, {0, 2}, "[5, 6, 7] over 0 and 2"},
      {{5, 6, 7}, same, {1}, "[5, 6, 7] over 1"},
      {{3, 20000}, same, {1}, "[3, 20000] over 1 (5 units)"},
      {{100003}, same, {0}, "[100003] over all (25 units)"},
      {{12300, 9}, same, {0}, "[12300, 9] over 0 (columns, 4 units)"},
      {{6, 7, 8}, [](const Tensor& t) { return t.permute({2, 0, 1}); }, {0}, "permuted over 0"},
      {{6, 7, 8}, [](const Tensor& t) { return t.permute({2, 0, 1}); }, {1, 2}, "permuted over 1 and 2"},
      {{40, 30}, [](const Tensor& t) { return t.t().slice(1, 1, 40, 2); }, {1}, "transposed slice over 1"},
      {{0, 5}, same, {0}, "[0, 5] over 0 (empty reductions)"},
      {{5, 0}, same, {0}, "[5, 0] over 0 (no outputs)"},
      {{}, same, {}, "rank 0"},
  };
  return all;
}

Shape kept_shape(const Shape& shape, const cpu::Dims& dims) {
  Shape out;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
    if (std::find(dims.begin(), dims.end(), d) == dims.end()) out.push_back(shape[d]);
  return out;
}

// Float64 sums in a different order: allow for rounding relative to the terms, not just to the result.
constexpr Tolerance kF64Sum{1e-10, 1e-10};
Tolerance sum_tolerance(DType dt) { return dt == DType::f64 ? kF64Sum : testing::kF32; }

}  // namespace

TEST_CASE("sum, mean, var, norm and logsumexp against the CPU" * needs_cuda()) {
  for (DType dt : {DType::f32, DType::f64}) {
    for (const ReduceCase& c : reduce_cases()) {
      // Integers in [-2, 3): exact zeros for norm 0, ties for max.
      const auto [x, xd] = both(uniform_cpu(c.base, DType::f64, 30, -2, 3).to(DType::i64).to(dt), c.view);
      const auto [u, ud] = both(uniform_cpu(c.base, dt, 31), c.view);
      const Shape out_shape = kept_shape(x.shape(), c.dims);
      const std::string label = std::string(dtype_name(dt)) + " " + c.name;
      auto run = [&](const std::string& name, const Tensor& in, const Tensor& in_d, auto cpu_fn, auto gpu_fn) {
        Tensor want = empty(out_shape, dt), got = empty(out_shape, dt, Device::cuda());
        cpu_fn(in, want);
        gpu_fn(in_d, got);
        check_close(got, want, sum_tolerance(dt), name + " " + label);
      };
      const cpu::Dims& dims = c.dims;
      run("sum", u, ud, [&](auto& i, auto& o) { cpu::sum(i, dims, o); }, [&](auto& i, auto& o) { gpu::sum(i, dims, o); });
      run("mean", u, ud, [&](auto& i, auto& o) { cpu::mean(i, dims, o); },
          [&](auto& i, auto& o) { gpu::mean(i, dims, o); });
      for (int64_t correction : {0, 1}) {
        run("var", u, ud, [&](auto& i, auto& o) { cpu::var(i, dims, correction, o); },
            [&](auto& i, auto& o) { gpu::var(i, dims, correction, o); });
      }
      for (double p : {0.0, 1.0, 2.0, 3.0, 0.5}) {
        run("norm " + std::to_string(p), x, xd, [&](auto& i, auto& o) { cpu::norm(i, p, dims, o); },
            [&](auto& i, auto& o) { gpu::norm(i, p, dims, o); });
      }
      run("logsumexp", u, ud, [&](auto& i, auto& o) { cpu::logsumexp(i, dims, o); },
          [&](auto& i, auto& o) { gpu::logsumexp(i, dims, o); });
    }
  }
}

TEST_CASE("integer and bool sums are exact int64 sums" * needs_cuda()) {
  for (DType dt : {DType::i64, DType::i32, DType::u8, DType::boolean}) {
    for (const ReduceCase& c : reduce_cases()) {
      const Tensor base = dt == DType::boolean ? int_sample(c.base, DType::i64, 32, 0, 2).to(DType::boolean)
                                               : int_sample(c.base, dt, 32, -100, 100);
      const auto [x, xd] = both(base, c.view);
      const Shape out_shape = kept_shape(x.shape(), c.dims);
      Tensor want = empty(out_shape, DType::i64), got = empty(out_shape, DType::i64, Device::cuda());
      cpu::sum(x, c.dims, want);
      gpu::sum(xd, c.dims, got);
      check_equal(got, want, std::string("sum ") + dtype_name(dt) + " " + c.name);
    }
  }
}

TEST_CASE("max/min values and first-occurrence indices against the CPU" * needs_cuda()) {
  for (DType dt : {DType::f32, DType::f64, DType::i64, DType::i32, DType::u8, DType::boolean}) {
    for (const ReduceCase& c : reduce_cases()) {
      // Few distinct values: many ties, so the first occurrence matters.
      const Tensor base = dt == DType::boolean ? int_sample(c.base, DType::i64, 33, 0, 2).to(DType::boolean)
                                               : int_sample(c.base, dt, 33, 0, 4);
      const auto [x, xd] = both(base, c.view);
      const Shape out_shape = kept_shape(x.shape(), c.dims);
      bool reducible = true;  // every output needs R > 0
      for (int64_t d : c.dims) reducible = reducible && x.shape()[d] > 0;
      if (!reducible && shape_numel(out_shape) > 0) continue;
      for (bool is_max : {true, false}) {
        Tensor v = empty(out_shape, dt), i = empty(out_shape, DType::i64);
        Tensor vd = empty(out_shape, dt, Device::cuda()), id = empty(out_shape, DType::i64, Device::cuda());
        cpu::extreme(x, c.dims, is_max, v, i);
        gpu::extreme(xd, c.dims, is_max, vd, id);
        const std::string label = std::string(is_max ? "max " : "min ") + dtype_name(dt) + " " + c.name;
        check_equal(vd, v, label + " values");
        check_equal(id, i, label + " indices");
        Tensor only_i = empty(out_shape, DType::i64, Device::cuda()), only_v = empty(out_shape, dt, Device::cuda());
        gpu::extreme(xd, c.dims, is_max, Tensor(), only_i);
        gpu::extreme(xd, c.dims, is_max, only_v, Tensor());
        check_equal(only_i, i, label + " indices alone");
        check_equal(only_v, v, label + " values alone");
      }
    }
  }
  // NaN counts as extreme (its first occurrence); ±inf; a row of equal values.
  const Tensor x = from_buffer(std::vector<double>{1, NAN, 5, NAN, -INFINITY, 2, INFINITY, 2, 3, 3, 3, 3}.data(), {3, 4},
                               DType::f64);
  for (bool is_max : {true, false}) {
    for (int64_t dim : {0, 1}) {
      const Shape out_shape = kept_shape(x.shape(), {dim});
      Tensor v = empty(out_shape, DType::f64), i = empty(out_shape, DType::i64);
      Tensor vd = empty(out_shape, DType::f64, Device::cuda()), id = empty(out_shape, DType::i64, Device::cuda());
      cpu::extreme(x, {dim}, is_max, v, i);
      gpu::extreme(on_cuda(x), {dim}, is_max, vd, id);
      check_equal(vd, v, "extreme with NaN and infinities: values");
      check_equal(id, i, "extreme with NaN and infinities: indices");
    }
  }
}

TEST_CASE("logsumexp with infinite rows, var with too few positions" * needs_cuda()) {
  const Tensor x = from_buffer(std::vector<float>{-INFINITY, -INFINITY, -INFINITY, 1.f, -INFINITY, 2.f, INFINITY, 0.f,
                                                  -3.f, 80.f, 88.f, 89.f}.data(),
                               {4, 3}, DType::f32);
  Tensor want = empty({4}), got = empty({4}, DType::f32, Device::cuda());
  cpu::logsumexp(x, {1}, want);
  gpu::logsumexp(on_cuda(x), {1}, got);
  check_close(got, want, testing::kF32, "logsumexp rows with infinities");
  const Tensor one = uniform_cpu({4, 1}, DType::f32, 34);
  cpu::var(one, {1}, 1, want);
  gpu::var(on_cuda(one), {1}, 1, got);
  check_equal(got, want, "var of one position with correction 1 is NaN");
}

TEST_CASE("scatter_along_dim (max backward) against the CPU" * needs_cuda()) {
  for (DType dt : {DType::f32, DType::f64, DType::i64}) {
    for (int64_t dim : {0, 1, 2}) {
      const Shape shape{4, 5, 6};
      Shape line = shape;
      line[dim] = 1;
      const Tensor grad = uniform_cpu(line, dt, 35, -5, 5);
      const Tensor idx = int_sample(line, DType::i64, 36, 0, static_cast<double>(shape[dim]));
      Tensor want = zeros(shape, dt), got = zeros(shape, dt, Device::cuda());
      cpu::scatter_along_dim(grad, idx, dim, want);
      gpu::scatter_along_dim(on_cuda(grad), on_cuda(idx), dim, got);
      check_equal(got, want, std::string("scatter_along_dim ") + dtype_name(dt) + " dim " + std::to_string(dim));
    }
  }
  // A non-contiguous gradient (transposed), dim 0 of [5, 3, 4].
  const Tensor g = uniform_cpu({4, 3}, DType::f32, 37).t().unsqueeze(0);  // [1, 3, 4], strides [., 1, 3]
  const Tensor idx = int_sample({1, 3, 4}, DType::i64, 38, 0, 5);
  Tensor want = zeros({5, 3, 4}), got = zeros({5, 3, 4}, DType::f32, Device::cuda());
  cpu::scatter_along_dim(g, idx, 0, want);
  gpu::scatter_along_dim(on_cuda(uniform_cpu({4, 3}, DType::f32, 37)).t().unsqueeze(0), on_cuda(idx), 0, got);
  check_equal(got, want, "scatter_along_dim with a transposed gradient");
}

// ---- softmax ------------------------------------------------------------------------------------------------------------

TEST_CASE("softmax, log_softmax and their backward kernels against the CPU" * needs_cuda()) {
  // (shape, dim, what): warp rows, warp rows at 1000, block rows, column kernels, size-1 and empty.
  const std::vector<std::tuple<Shape, int64_t, std::string>> cases = {
      {{7, 10}, 1, "rows of 10 (warp)"},
      {{3, 1000}, 1, "rows of 1000 (warp)"},
      {{3, 5000}, 1, "rows of 5000 (block)"},
      {{4, 37, 5}, 1, "[4, 37, 5] over 1 (columns)"},
      {{9, 6}, 0, "[9, 6] over 0 (columns)"},
      {{2, 3, 1}, 1, "[2, 3, 1] over 1 (inner 1)"},
      {{1}, 0, "one element"},
      {{0, 4}, 1, "empty"},
  };
  for (DType dt : {DType::f32, DType::f64}) {
    for (const auto& [shape, dim, what] : cases) {
      // The CPU sums a row's float32 exponentials one after the other, the device in a tree: for 5000-long rows
      // the CPU's rounding error (about √n·ε ≈ 4e-6 relative, more in the tails) needs a looser 5e-5.
      Tolerance tol = tolerance_for(dt);
      if (dt == DType::f32 && shape.back() >= 5000) tol.rtol = 5e-5;
      const std::string label = std::string(dtype_name(dt)) + " " + what;
      const Tensor x = uniform_cpu(shape, dt, 40, -10, 10), g = uniform_cpu(shape, dt, 41, -1, 1);
      for (bool log : {false, true}) {
        Tensor y = empty(shape, dt), yd = empty(shape, dt, Device::cuda());
        if (log) {
          cpu::log_softmax(x, dim, y);
          gpu::log_softmax(on_cuda(x), dim, yd);
        } else {
          cpu::softmax(x, dim, y);
          gpu::softmax(on_cuda(x), dim, yd);
        }
        check_close(yd, y, tol, std::string(log ? "log_softmax " : "softmax ") + label);
        // Backward from the same (CPU) y on both sides.
        Tensor dx = empty(shape, dt), dxd = empty(shape, dt, Device::cuda());
        if (log) {
          cpu::log_softmax_backward(g, y, dim, dx);
          gpu::log_softmax_backward(on_cuda(g), on_cuda(y), dim, dxd);
        } else {
          cpu::softmax_backward(g, y, dim, dx);
          gpu::softmax_backward(on_cuda(g), on_cuda(y), dim, dxd);
        }
        check_close(dxd, dx, tol, std::string(log ? "log_softmax_backward " : "softmax_backward ") + label);
      }
    }
  }
  // -inf entries (masked positions) and a row of large values.
  const Tensor x = from_buffer(std::vector<float>{-INFINITY, 1.f, -INFINITY, 2.f, 1000.f, 1001.f, -1000.f, 999.f}.data(),
                               {2, 4}, DType::f32);
  for (int64_t dim : {0, 1}) {
    Tensor y = empty({2, 4}), yd = empty({2, 4}, DType::f32, Device::cuda());
    cpu::softmax(x, dim, y);
    gpu::softmax(on_cuda(x), dim, yd);
    check_close(yd, y, testing::kF32, "softmax with -inf and large values");
    cpu::log_softmax(x, dim, y);
    gpu::log_softmax(on_cuda(x), dim, yd);
    check_close(yd, y, testing::kF32, "log_softmax with -inf and large values");
  }
}

}  // TEST_SUITE

#endif  // HTP_WITH_CUDA
