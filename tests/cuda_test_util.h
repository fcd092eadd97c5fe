// Helpers for the "cuda" test suite. Its cases compile in every CUDA build and run only where a device is present:
//
//   TEST_CASE("copies" * htp::testing::needs_cuda()) { ... }
//
// needs_cuda() marks a case skipped (doctest counts it in its "skipped" total) when there is no device, and prints
// "CUDA tests skipped: no CUDA device found" once, so that the skip is visible in the output.
#pragma once
#ifdef HTP_WITH_CUDA
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "kernels/cuda/runtime.h"
#include "tensor/creation.h"
#include "tensor/random.h"

namespace htp::testing {

inline doctest::skip needs_cuda() {
  const bool available = kernels::cuda::cuda_available();
  static const bool reported = [&] {
    if (!available) std::printf("CUDA tests skipped: no CUDA device found\n");
    return true;
  }();
  (void)reported;
  return doctest::skip(!available);
}

// Uniform values in [lo, hi) of `dtype` on the CPU, from a fixed seed.
inline Tensor uniform_cpu(const Shape& shape, DType dtype, uint64_t seed, double lo = -3.0, double hi = 3.0) {
  Generator gen(seed);
  return uniform_(empty(shape, DType::f64), lo, hi, &gen).to(dtype);
}

// Tolerances of a CUDA result against the CPU's: |got - want| <= atol + rtol |want|.
struct Tolerance {
  double rtol, atol;
};
// float32: the relative 1e-5, plus an absolute 1e-6 for results that come out of a cancellation (e.g. gelu
// near -4: 1 + erf(x) ~ 1e-8 carries the absolute error of erf, a few ulp of 1, not a relative one).
inline constexpr Tolerance kF32{1e-5, 1e-6};
// float64: CUDA's and glibc's double functions are within 1-2 ulp of each other.
inline constexpr Tolerance kF64{1e-12, 1e-13};
inline Tolerance tolerance_for(DType dt) { return dt == DType::f64 ? kF64 : kF32; }

// Every element of `got` (any device) matches `want`: equal NaN-ness, equal infinities, finite values within tol.
// Reports the first mismatch with its flat index.
inline void check_close(const Tensor& got, const Tensor& want, Tolerance tol, const std::string& what) {
  INFO(what);
  REQUIRE(got.shape() == want.shape());
  const std::vector<double> g = got.to_vector(), w = want.to_vector();
  for (size_t i = 0; i < g.size(); ++i) {
    const bool ok = (std::isnan(g[i]) && std::isnan(w[i])) || g[i] == w[i] ||
                    (std::isfinite(w[i]) && std::abs(g[i] - w[i]) <= tol.atol + tol.rtol * std::abs(w[i]));
    if (!ok) {
      FAIL_CHECK("element ", i, ": got ", g[i], ", want ", w[i]);
      return;
    }
  }
}

// Bitwise-equal values (integers, bools, copies, conversions).
inline void check_equal(const Tensor& got, const Tensor& want, const std::string& what) {
  check_close(got, want, {0.0, 0.0}, what);
}

}  // namespace htp::testing
#endif  // HTP_WITH_CUDA
