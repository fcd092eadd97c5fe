// Differentiable reductions (autograd/functions/reduce.h): float64 gradchecks over single, multiple, negative
// and all dims with keepdim both ways, on contiguous and permuted inputs; tie conventions of max/min/amax/amin;
// indices and argmax as plain tensors.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "autograd/functions/elementwise.h"
#include "autograd/functions/reduce.h"
#include "autograd/functions/views.h"
#include "gradcheck.h"
#include "tensor/creation.h"
#include "test_util.h"

using namespace htp;
using testing::leaf;
using testing::leaf_f64;

namespace {

using Reduction = std::function<Variable(const Variable&, const std::vector<int64_t>&, bool)>;

}  // namespace

TEST_SUITE("gradcheck") {

TEST_CASE("reductions over any dims") {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<std::pair<const char*, Reduction>> ops = {
      {"sum", [](const Variable& x, const auto& d, bool k) { return sum(x, d, k); }},
      {"mean", [](const Variable& x, const auto& d, bool k) { return mean(x, d, k); }},
      {"var", [](const Variable& x, const auto& d, bool k) { return var(x, d, true, k); }},
      {"var biased", [](const Variable& x, const auto& d, bool k) { return var(x, d, false, k); }},
      {"norm 2", [](const Variable& x, const auto& d, bool k) { return norm(x, 2.0, d, k); }},
      {"norm 1", [](const Variable& x, const auto& d, bool k) { return norm(x, 1.0, d, k); }},
      {"norm 3", [](const Variable& x, const auto& d, bool k) { return norm(x, 3.0, d, k); }},
      {"norm 1.5", [](const Variable& x, const auto& d, bool k) { return norm(x, 1.5, d, k); }},
      {"norm inf", [inf](const Variable& x, const auto& d, bool k) { return norm(x, inf, d, k); }},
      {"amax", [](const Variable& x, const auto& d, bool k) { return amax(x, d, k); }},
      {"amin", [](const Variable& x, const auto& d, bool k) { return amin(x, d, k); }},
      {"logsumexp", [](const Variable& x, const auto& d, bool k) { return logsumexp(x, d, k); }},
  };
  const std::vector<std::vector<int64_t>> dim_sets = {{0}, {-1}, {0, 2}, {}};
  for (const auto& [name, f] : ops) {
    for (const auto& dims : dim_sets) {
      for (bool keepdim : {false, true}) {
        CAPTURE(name);
        CAPTURE(shape_str(dims));
        CAPTURE(keepdim);
        CHECK_GRADCHECK([&](const variable_list& v) { return f(v[0], dims, keepdim); }, {leaf_f64({2, 3, 4}, 1)});
      }
    }
    CAPTURE(name);
    CHECK_GRADCHECK([&](const variable_list& v) { return f(permute(v[0], {2, 0, 1}), {1}, false); },
                    {leaf_f64({2, 3, 4}, 2)});
  }
}

TEST_CASE("max and min along a dim, sum_to, and compositions") {
  for (int64_t dim : {0, 1, -1}) {
    for (bool keepdim : {false, true}) {
      CAPTURE(dim);
      CAPTURE(keepdim);
      CHECK_GRADCHECK([&](const variable_list& v) { return max(v[0], dim, keepdim).values; }, {leaf_f64({3, 4, 2}, 3)});
      CHECK_GRADCHECK([&](const variable_list& v) { return min(v[0], dim, keepdim).values; }, {leaf_f64({3, 4, 2}, 4)});
    }
  }
  for (const Shape& target : std::vector<Shape>{{3, 1}, {1, 4}, {4}, {}, {2, 3, 4}}) {
    CAPTURE(shape_str(target));
    CHECK_GRADCHECK([&](const variable_list& v) { return sum_to(v[0], target); }, {leaf_f64({2, 3, 4}, 5)});
  }
  // Layer-norm-like composition: (x - mean) / sqrt(var + eps).
  CHECK_GRADCHECK([](const variable_list& v) {
    return div(sub(v[0], mean(v[0], {-1}, true)), sqrt(add(var(v[0], {-1}, false, true), 1e-5)));
  }, {leaf_f64({3, 5}, 6)});
}

}  // TEST_SUITE

TEST_SUITE("autograd") {

TEST_CASE("max/min route the gradient to the returned index; amax/amin split it among ties") {
  Variable x = leaf({1, 3, 3, 2, 0, 0}, {2, 3});
  IndexedValues m = max(x, 1);
  CHECK(m.indices.to_vector() == std::vector<double>{1, 0});
  CHECK(grad({sum(m.values)}, {x})[0].to_vector() == std::vector<double>{0, 1, 0, 1, 0, 0});
  IndexedValues n = min(x, 1, true);
  CHECK(n.indices.shape() == Shape{2, 1});
  CHECK(grad({sum(n.values)}, {x})[0].to_vector() == std::vector<double>{1, 0, 0, 0, 1, 0});
  CHECK(grad({sum(amax(x, {1}))}, {x})[0].to_vector() == std::vector<double>{0, 0.5, 0.5, 1, 0, 0});
  CHECK(grad({sum(amin(x, {1}))}, {x})[0].to_vector() == std::vector<double>{1, 0, 0, 0, 0.5, 0.5});
  CHECK(grad({amax(x)}, {x})[0].to_vector() == std::vector<double>{0, 0.5, 0.5, 0, 0, 0});
  // The inf-norm splits among ties of |x| and carries the sign.
  Variable y = leaf({-2, 2, 1}, {3});
  CHECK(grad({norm(y, std::numeric_limits<double>::infinity())}, {y})[0].to_vector() ==
        std::vector<double>{-0.5, 0.5, 0});
  // The 2-norm of zeros has gradient 0 (not NaN).
  Variable z(zeros({3}, DType::f64), true);
  CHECK(grad({norm(z)}, {z})[0].to_vector() == std::vector<double>{0, 0, 0});
}

TEST_CASE("argmax and argmin are plain tensors; sum of a leaf records SumBackward") {
  Variable x = leaf({1, 5, 2, 7, 0, 3}, {2, 3});
  const Tensor am = argmax(x, 1);
  CHECK(am.dtype() == DType::i64);
  CHECK(am.to_vector() == std::vector<double>{1, 0});
  CHECK(argmin(x, 0, true).to_vector() == std::vector<double>{0, 1, 0});
  Variable s = sum(x, {0});
  REQUIRE(s.grad_fn() != nullptr);
  CHECK(s.grad_fn()->name() == "SumBackward");
  CHECK(sum_to(x, {2, 3}).is_same(x));  // nothing to sum: the same variable
}

}  // TEST_SUITE
