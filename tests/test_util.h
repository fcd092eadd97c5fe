// Helpers shared by the kernel and autograd tests: fixed-seed inputs, element-by-element comparisons with a plain
// reference, error-message capture, and a scoped CPU thread count.
//
//   const Tensor x = testing::random_tensor({3, 4}, DType::f32, /*seed=*/1);
//   testing::check_close(k::exp(x), want, 2e-6);
//   CHECK(testing::contains(testing::error_of([&] { k::add(a, b); }), "broadcast"));
#pragma once
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "autograd/variable.h"
#include "kernels/cpu/parallel.h"
#include "tensor/creation.h"
#include "tensor/error.h"

namespace htp::testing {

// Uniform values in [lo, hi) from a fixed-seed 64-bit LCG, converted to `dtype` (the same seed gives the same values
// in every dtype, up to rounding).
inline Tensor random_tensor(const Shape& shape, DType dtype, uint64_t seed, double lo = -2.0, double hi = 2.0) {
  Tensor t = empty(shape, DType::f64);
  double* p = t.data<double>();
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 12345;
  for (int64_t i = 0; i < t.numel(); ++i) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    p[i] = lo + (hi - lo) * static_cast<double>(s >> 11) / static_cast<double>(1ull << 53);
  }
  return t.to(dtype);
}

// A float64 leaf that requires grad, holding the given values.
inline Variable leaf(const std::vector<double>& values, const Shape& shape) {
  return Variable(tensor(values, shape), true);
}

// Sum of the elementwise products of two tensors of the same size, in double.
inline double dot(const Tensor& a, const Tensor& b) {
  const std::vector<double> va = a.to_vector(), vb = b.to_vector();
  double s = 0;
  for (size_t i = 0; i < va.size(); ++i) s += va[i] * vb[i];
  return s;
}

// One check per element: |got - want| <= tol * max(1, |want|); a NaN or infinite `want` must be matched exactly.
inline void check_close(const Tensor& got, const std::vector<double>& want, double tol) {
  const std::vector<double> g = got.to_vector();
  REQUIRE(g.size() == want.size());
  for (size_t i = 0; i < g.size(); ++i) {
    if (std::isnan(want[i])) {
      CHECK_MESSAGE(std::isnan(g[i]), "element ", i, ": got ", g[i], ", want NaN");
    } else if (std::isinf(want[i])) {
      CHECK_MESSAGE(g[i] == want[i], "element ", i, ": got ", g[i], ", want ", want[i]);
    } else {
      CHECK_MESSAGE(std::abs(g[i] - want[i]) <= tol * std::max(1.0, std::abs(want[i])), "element ", i, ": got ", g[i],
                    ", want ", want[i]);
    }
  }
}

// One check for the whole tensor (for large outputs): every |got - want| <= tol * (1 + |want|); on failure it reports
// the number of mismatches and the first one.
inline void check_all_close(const Tensor& got, const std::vector<double>& want, double tol = 1e-5) {
  const std::vector<double> g = got.to_vector();
  REQUIRE(g.size() == want.size());
  int bad = 0;
  std::string first;
  for (size_t i = 0; i < g.size(); ++i)
    if (!(std::abs(g[i] - want[i]) <= tol * (1 + std::abs(want[i]))) && !bad++)
      first = "element " + std::to_string(i) + ": got " + std::to_string(g[i]) + ", want " + std::to_string(want[i]);
  CHECK_MESSAGE(bad == 0, bad, " mismatches, first ", first);
}

// One check per element with doctest::Approx(want).epsilon(tol): |got - want| < tol * (1 + max(|got|, |want|)).
inline void check_approx(const Tensor& got, const std::vector<double>& want, double tol = 1e-12) {
  const std::vector<double> g = got.to_vector();
  REQUIRE(g.size() == want.size());
  for (size_t i = 0; i < g.size(); ++i) CHECK(g[i] == doctest::Approx(want[i]).epsilon(tol));
}

// The message of the htp::Error that f() throws, or "(no error)".
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Restores the CPU thread count when the scope ends; ThreadCount(n) and set(n) change it meanwhile.
struct ThreadCount {
  int saved = kernels::cpu::num_threads();
  ThreadCount() = default;
  explicit ThreadCount(int n) { set(n); }
  ThreadCount(const ThreadCount&) = delete;
  ThreadCount& operator=(const ThreadCount&) = delete;
  ~ThreadCount() { kernels::cpu::set_num_threads(saved); }
  void set(int n) { kernels::cpu::set_num_threads(n); }
};

}  // namespace htp::testing
