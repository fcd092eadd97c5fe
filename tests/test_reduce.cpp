// Reduction kernels (kernels/reduce.h) against a plain loop over every element written here: single, multiple,
// negative and all dims, keepdim, non-contiguous and empty inputs, the parallel and kept-contiguous paths, thread
// count independence, max/min indices, sum_to, max_backward and the error messages.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "kernels/reduce.h"
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
constexpr double kInf = std::numeric_limits<double>::infinity();

// The values of x grouped by output: groups[o] lists, in row-major order, the elements reduced into output o
// (outputs row-major over the kept dims). `dims` empty = all.
std::vector<std::vector<double>> groups_of(const Tensor& x, std::vector<int64_t> dims) {
  const int64_t rank = x.dim();
  if (dims.empty())
    for (int64_t d = 0; d < rank; ++d) dims.push_back(d);
  for (int64_t& d : dims) d = (d + rank) % std::max<int64_t>(rank, 1);
  Shape kept;
  for (int64_t d = 0; d < rank; ++d)
    if (std::find(dims.begin(), dims.end(), d) == dims.end()) kept.push_back(x.shape()[d]);
  std::vector<std::vector<double>> groups(static_cast<size_t>(shape_numel(kept)));
  const std::vector<double> v = x.to_vector();
  for (int64_t flat = 0; flat < x.numel(); ++flat) {
    int64_t rest = flat, o = 0, scale = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      const int64_t idx = rest % x.shape()[d];
      rest /= x.shape()[d];
      if (std::find(dims.begin(), dims.end(), d) == dims.end()) {
        o += idx * scale;
        scale *= x.shape()[d];
      }
    }
    groups[o].push_back(v[flat]);
  }
  return groups;
}

Shape expected_shape(const Shape& s, std::vector<int64_t> dims, bool keepdim) {
  const int64_t rank = static_cast<int64_t>(s.size());
  if (dims.empty())
    for (int64_t d = 0; d < rank; ++d) dims.push_back(d);
  for (int64_t& d : dims) d = (d + rank) % std::max<int64_t>(rank, 1);
  Shape out;
  for (int64_t d = 0; d < rank; ++d) {
    if (std::find(dims.begin(), dims.end(), d) == dims.end())
      out.push_back(s[d]);
    else if (keepdim)
      out.push_back(1);
  }
  return out;
}

using GroupFn = std::function<double(const std::vector<double>&)>;

double ref_sum(const std::vector<double>& g) {
  double s = 0;
  for (double v : g) s += v;
  return s;
}
double ref_mean(const std::vector<double>& g) { return ref_sum(g) / static_cast<double>(g.size()); }
double ref_var(const std::vector<double>& g, bool unbiased) {
  const double m = ref_mean(g);
  double s = 0;
  for (double v : g) s += (v - m) * (v - m);
  const double n = static_cast<double>(g.size()) - (unbiased ? 1 : 0);
  return n > 0 ? s / n : kNaN;
}
double ref_pnorm(const std::vector<double>& g, double p) {
  double s = 0;
  for (double v : g) s += std::pow(std::abs(v), p);
  return std::pow(s, 1 / p);
}
double ref_max(const std::vector<double>& g) { return *std::max_element(g.begin(), g.end()); }
double ref_min(const std::vector<double>& g) { return *std::min_element(g.begin(), g.end()); }
double ref_logsumexp(const std::vector<double>& g) {
  double s = 0;
  for (double v : g) s += std::exp(v);
  return std::log(s);
}

struct ReduceCase {
  const char* name;
  std::function<Tensor(const Tensor&, const std::vector<int64_t>&, bool)> op;
  GroupFn ref;
};

std::vector<ReduceCase> reduce_cases() {
  return {
      {"sum", [](const Tensor& x, const auto& d, bool kd) { return k::sum(x, d, kd); }, ref_sum},
      {"mean", [](const Tensor& x, const auto& d, bool kd) { return k::mean(x, d, kd); }, ref_mean},
      {"var", [](const Tensor& x, const auto& d, bool kd) { return k::var(x, d, true, kd); },
       [](const auto& g) { return ref_var(g, true); }},
      {"var_biased", [](const Tensor& x, const auto& d, bool kd) { return k::var(x, d, false, kd); },
       [](const auto& g) { return ref_var(g, false); }},
      {"norm2", [](const Tensor& x, const auto& d, bool kd) { return k::norm(x, 2.0, d, kd); },
       [](const auto& g) { return ref_pnorm(g, 2); }},
      {"norm1", [](const Tensor& x, const auto& d, bool kd) { return k::norm(x, 1.0, d, kd); },
       [](const auto& g) { return ref_pnorm(g, 1); }},
      {"norm3", [](const Tensor& x, const auto& d, bool kd) { return k::norm(x, 3.0, d, kd); },
       [](const auto& g) { return ref_pnorm(g, 3); }},
      {"norm_inf", [](const Tensor& x, const auto& d, bool kd) { return k::norm(x, kInf, d, kd); },
       [](const auto& g) {
         double m = 0;
         for (double v : g) m = std::max(m, std::abs(v));
         return m;
       }},
      {"norm0", [](const Tensor& x, const auto& d, bool kd) { return k::norm(x, 0.0, d, kd); },
       [](const auto& g) { return double(std::count_if(g.begin(), g.end(), [](double v) { return v != 0; })); }},
      {"amax", [](const Tensor& x, const auto& d, bool kd) { return k::amax(x, d, kd); }, ref_max},
      {"amin", [](const Tensor& x, const auto& d, bool kd) { return k::amin(x, d, kd); }, ref_min},
      {"logsumexp", [](const Tensor& x, const auto& d, bool kd) { return k::logsumexp(x, d, kd); }, ref_logsumexp},
  };
}

void check_reduction(const ReduceCase& c, const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  INFO(c.name, " of ", x.describe(), " over dims ", shape_str(dims), " keepdim ", keepdim);
  const Tensor out = c.op(x, dims, keepdim);
  CHECK(out.shape() == expected_shape(x.shape(), dims, keepdim));
  CHECK(out.dtype() == x.dtype());
  std::vector<double> want;
  for (const auto& g : groups_of(x, dims)) want.push_back(c.ref(g));
  check_close(out, want, x.dtype() == DType::f32 ? 1e-6 : 1e-12);
}

}  // namespace

TEST_SUITE("kernels") {

TEST_CASE("reductions over single, multiple, negative and all dims, keepdim both ways") {
  const std::vector<std::vector<int64_t>> dim_sets = {{0}, {1}, {2}, {-1}, {0, 2}, {2, 0}, {-3, -2}, {}, {0, 1, 2}};
  for (DType dt : {DType::f32, DType::f64}) {
    // [7, 2, 6] over dim 0 takes the kept-contiguous path with a reduced length that is not a multiple of 4.
    for (const Tensor& x : {random_tensor({3, 4, 5}, dt, 1), random_tensor({7, 2, 6}, dt, 12)})
      for (const auto& c : reduce_cases())
        for (const auto& dims : dim_sets)
          for (bool keepdim : {false, true}) check_reduction(c, x, dims, keepdim);
  }
}

TEST_CASE("reductions of non-contiguous, size-1 and rank-0 inputs") {
  const Tensor base = random_tensor({6, 5, 4}, DType::f32, 2);
  const std::vector<Tensor> inputs = {
      base.permute({2, 0, 1}),                          // permuted
      base.slice(0, 1, 6, 2).slice(2, 0, 4, 3),         // stepped slices
      random_tensor({4, 1, 1}, DType::f32, 3).expand({4, 3, 7}),  // stride-0 dims
      random_tensor({1, 5, 1}, DType::f32, 4),
  };
  for (const Tensor& x : inputs)
    for (const auto& c : reduce_cases())
      for (const auto& dims : std::vector<std::vector<int64_t>>{{0}, {1}, {2}, {0, 2}, {}})
        for (bool keepdim : {false, true}) check_reduction(c, x, dims, keepdim);
  const Tensor s = scalar_tensor(2.5, DType::f64);
  for (const auto& c : reduce_cases()) {
    if (std::string(c.name) == "var") continue;  // one element: NaN, checked below
    check_reduction(c, s, {}, false);
    check_reduction(c, s, {0}, true);
  }
  CHECK(std::isnan(k::var(s).item<double>()));
}

TEST_CASE("reductions with empty tensors") {
  const Tensor x = zeros({3, 0, 2});
  CHECK(k::sum(x, {1}).shape() == Shape{3, 2});
  check_close(k::sum(x, {1}), std::vector<double>(6, 0.0), 0);
  check_close(k::mean(x, {1}), std::vector<double>(6, kNaN), 0);
  check_close(k::logsumexp(x, {1}), std::vector<double>(6, -kInf), 0);
  CHECK(k::sum(x, {0}).shape() == Shape{0, 2});
  CHECK(k::amax(x, {0}).shape() == Shape{0, 2});  // no output elements: nothing to reduce
  CHECK(k::max(x, 2).values.shape() == Shape{3, 0});
  CHECK(k::sum(x).item<float>() == 0.f);
  const std::string m = error_of([&] { k::amax(x, {1}); });
  CHECK(contains(m, "amax"));
  CHECK(contains(m, "float32[3, 0, 2]"));
}

TEST_CASE("large reductions: parallel units, kept-contiguous blocks and strided reduced dims") {
  ThreadCount threads(2);
  const Tensor x = random_tensor({17000, 300}, DType::f32, 5);  // R > one unit along dim 0, > one block along dim 1
  for (const auto& dims : std::vector<std::vector<int64_t>>{{0}, {1}, {}}) {
    for (const auto& c : reduce_cases()) {
      const std::string n = c.name;
      if (n != "sum" && n != "var" && n != "amax" && n != "logsumexp") continue;
      check_reduction(c, x, dims, false);
    }
  }
  check_reduction(reduce_cases()[0], x.t(), {0}, false);  // reduced dim strided in memory
}

TEST_CASE("float32 sums accumulate in double and do not depend on the thread count") {
  const Tensor x = random_tensor({1000003}, DType::f32, 6, 0.0, 1.0);
  const Tensor x2 = random_tensor({1000, 1003}, DType::f32, 7);
  double want = 0;
  for (double v : x.to_vector()) want += v;
  ThreadCount threads(1);
  const float one = k::sum(x).item<float>();
  const Tensor rows_one = k::sum(x2, {0}), cols_one = k::sum(x2.t(), {1}), mean_one = k::mean(x2, {1});
  threads.set(2);
  const float two = k::sum(x).item<float>();
  const Tensor rows_two = k::sum(x2, {0}), cols_two = k::sum(x2.t(), {1}), mean_two = k::mean(x2, {1});
  CHECK(std::memcmp(&one, &two, sizeof(float)) == 0);
  CHECK(std::memcmp(rows_one.raw_data(), rows_two.raw_data(), rows_one.numel() * sizeof(float)) == 0);
  CHECK(std::memcmp(cols_one.raw_data(), cols_two.raw_data(), cols_one.numel() * sizeof(float)) == 0);
  CHECK(std::memcmp(mean_one.raw_data(), mean_two.raw_data(), mean_one.numel() * sizeof(float)) == 0);
  CHECK(one == static_cast<float>(want));  // double accumulation: only the final rounding to float32
}

TEST_CASE("integer and bool sums give int64") {
  const Tensor i = tensor(std::vector<int32_t>{1, -2, 3, 2000000000, 2000000000, 5}, {2, 3});
  CHECK(k::sum(i).dtype() == DType::i64);
  CHECK(k::sum(i).item<int64_t>() == 4000000007);
  check_close(k::sum(i, {1}), {2, 4000000005}, 0);
  const Tensor b = tensor(std::vector<bool>{true, false, true, true}, {4});
  CHECK(k::sum(b).item<int64_t>() == 3);
}

TEST_CASE("max and min along a dim return values and first-occurrence indices") {
  const Tensor x = tensor(std::vector<double>{1, 5, 5, 2, 0, 0, 7, -1, 3, 3, 3, 3}, {3, 4});
  auto [v, i] = k::max(x, 1);
  check_close(v, {5, 7, 3}, 0);
  CHECK(i.dtype() == DType::i64);
  check_close(i, {1, 2, 0}, 0);
  auto [mv, mi] = k::min(x, -1, true);
  CHECK(mv.shape() == Shape{3, 1});
  check_close(mv, {1, -1, 3}, 0);
  check_close(mi, {0, 3, 0}, 0);
  check_close(k::argmax(x, 0), {2, 0, 1, 2}, 0);
  check_close(k::argmin(x.t(), 1, true), {1, 1, 2, 1}, 0);
  CHECK(k::argmin(x.t(), 1, true).shape() == Shape{4, 1});
  // Against the reference on a random non-contiguous tensor.
  const Tensor r = random_tensor({5, 6, 7}, DType::f32, 8).permute({1, 2, 0});
  for (int64_t d = 0; d < 3; ++d) {
    auto [rv, ri] = k::max(r, d);
    const auto groups = groups_of(r, {d});
    std::vector<double> want_v, want_i;
    for (const auto& g : groups) {
      const auto it = std::max_element(g.begin(), g.end());
      want_v.push_back(*it);
      want_i.push_back(static_cast<double>(it - g.begin()));
    }
    check_close(rv, want_v, 0);
    check_close(ri, want_i, 0);
  }
  // NaN counts as the maximum and the minimum; integers work.
  auto [nv, ni] = k::max(tensor(std::vector<double>{1, kNaN, 3}, {3}), 0);
  CHECK(std::isnan(nv.item<double>()));
  CHECK(ni.item<int64_t>() == 1);
  CHECK(std::isnan(k::amin(tensor(std::vector<double>{1, kNaN, 3}, {3})).item<double>()));
  CHECK(k::max(tensor(std::vector<int64_t>{4, 9, 2}, {3}), 0).indices.item<int64_t>() == 1);
  CHECK(k::amax(tensor(std::vector<int64_t>{4, 9, 2}, {3})).dtype() == DType::i64);
}

TEST_CASE("logsumexp is stable for large values and handles infinities") {
  check_close(k::logsumexp(tensor(std::vector<double>{1000, 1000}, {2})), {1000 + std::log(2.0)}, 1e-15);
  check_close(k::logsumexp(tensor(std::vector<double>{-kInf, -kInf}, {2})), {-kInf}, 0);
  check_close(k::logsumexp(tensor(std::vector<double>{1, kInf}, {2})), {kInf}, 0);
}

TEST_CASE("sum_to sums broadcast dims away") {
  const Tensor x = random_tensor({2, 3, 4}, DType::f64, 9);
  const auto g = groups_of(x, {0, 2});
  std::vector<double> want;
  for (const auto& grp : g) want.push_back(ref_sum(grp));
  const Tensor s = k::sum_to(x, {3, 1});
  CHECK(s.shape() == Shape{3, 1});
  check_close(s, want, 1e-14);
  CHECK(k::sum_to(x, {1, 4}).shape() == Shape{1, 4});
  check_close(k::sum_to(x, {4}), [&] {
    std::vector<double> w;
    for (const auto& grp : groups_of(x, {0, 1})) w.push_back(ref_sum(grp));
    return w;
  }(), 1e-14);
  check_close(k::sum_to(x.permute({2, 0, 1}), {1, 1, 3}), want, 1e-14);
  CHECK(k::sum_to(x, {}).shape() == Shape{});
  check_close(k::sum_to(x, {}), {ref_sum(x.to_vector())}, 1e-14);
  const Tensor same = k::sum_to(x, {2, 3, 4});
  CHECK(same.raw_data() == x.raw_data());
  const std::string m = error_of([&] { k::sum_to(x, {3, 2}); });
  CHECK(contains(m, "sum_to"));
  CHECK(contains(m, "[2, 3, 4]"));
  CHECK(contains(m, "[3, 2]"));
  CHECK(contains(error_of([&] { k::sum_to(x, {1, 2, 3, 4}); }), "[1, 2, 3, 4]"));
}

TEST_CASE("max_backward places the gradient at the indices") {
  const Tensor x = random_tensor({3, 4, 2}, DType::f64, 10);
  for (bool keepdim : {false, true}) {
    auto [v, i] = k::max(x, 1, keepdim);
    const Tensor g = random_tensor(v.shape(), DType::f64, 11);
    const Tensor out = k::max_backward(g, i, x.shape(), 1, keepdim);
    CHECK(out.shape() == x.shape());
    const std::vector<double> gv = g.to_vector(), iv = i.to_vector(), ov = out.to_vector();
    for (int64_t a = 0; a < 3; ++a)
      for (int64_t b = 0; b < 4; ++b)
        for (int64_t c = 0; c < 2; ++c)
          CHECK(ov[(a * 4 + b) * 2 + c] == (iv[a * 2 + c] == b ? gv[a * 2 + c] : 0.0));
  }
}

TEST_CASE("reduction error messages") {
  const Tensor x = zeros({2, 3});
  std::string m = error_of([&] { k::sum(x, {2}); });
  CHECK(contains(m, "sum"));
  CHECK(contains(m, "out of range"));
  m = error_of([&] { k::max(x, -3); });
  CHECK(contains(m, "max"));
  CHECK(contains(m, "-3"));
  m = error_of([&] { k::mean(x, {1, -1}); });
  CHECK(contains(m, "more than once"));
  m = error_of([&] { k::mean(tensor(std::vector<int64_t>{1, 2}, {2})); });
  CHECK(contains(m, "mean"));
  CHECK(contains(m, "int64[2]"));
  m = error_of([&] { k::norm(x, -1.0); });
  CHECK(contains(m, "norm"));
  CHECK(contains(m, "float32[2, 3]"));
}

}  // TEST_SUITE
