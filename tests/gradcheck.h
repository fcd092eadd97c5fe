// Float64 finite-difference gradient check (PyTorch gradcheck practice, dlib's random projection).
//
// The scalar objective is L = <f(inputs), R> with a fixed random R, so one backward pass gives the whole
// vector-Jacobian product; it is compared element by element with central differences
// (L(x + eps) - L(x - eps)) / (2 eps). An element fails when |analytic - numeric| > atol + rtol * |numeric|.
//
//   CHECK_GRADCHECK([](const variable_list& v) { return mul(v[0], v[1]); }, {randn_f64({3, 4}), randn_f64({4})});
//
// Inputs are Variables: those with requires_grad are checked (helpers below make f64 leaves that require grad);
// others (indices, masks) are passed as constants.
#pragma once
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <sstream>
#include <string>

#include "autograd/engine.h"
#include "tensor/creation.h"
#include "test_util.h"

namespace htp::testing {

struct GradcheckResult {
  bool ok = true;
  std::string message;
};

inline double dot_with(const Tensor& y, const std::vector<double>& r) {
  std::vector<double> v = y.to_vector();
  double s = 0;
  for (size_t i = 0; i < v.size(); ++i) s += v[i] * r[i];
  return s;
}

inline GradcheckResult gradcheck(const std::function<Variable(const variable_list&)>& f, variable_list inputs,
                                 double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3) {
  GradcheckResult res;
  for (const Variable& v : inputs)
    if (v.requires_grad() && v.dtype() != DType::f64) return {false, "gradcheck: inputs that require grad must be float64"};
  Variable y = f(inputs);
  if (!y.requires_grad()) return {false, "gradcheck: the output does not require grad (no graph was recorded)"};
  // Deterministic pseudo-random projection R in [-1, 1] (fixed LCG so that failures reproduce).
  std::vector<double> r(static_cast<size_t>(y.numel()));
  uint64_t state = 0x9E3779B97F4A7C15ull;
  for (double& x : r) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    x = static_cast<double>(state >> 11) / static_cast<double>(1ull << 53) * 2.0 - 1.0;
  }
  Tensor seed = from_buffer(r.data(), y.shape(), DType::f64).to(y.dtype());
  variable_list checked;
  for (const Variable& v : inputs)
    if (v.requires_grad()) checked.push_back(v);
  tensor_list analytic = grad({y}, checked, {seed}, {}, /*allow_unused=*/true);
  std::ostringstream msg;
  int failures = 0;
  for (size_t k = 0; k < checked.size(); ++k) {
    Tensor x = checked[k].data();
    HTP_CHECK(x.is_contiguous(), "gradcheck: inputs must be contiguous");
    double* p = x.data<double>();
    std::vector<double> a = analytic[k].defined() ? analytic[k].to_vector() : std::vector<double>(x.numel(), 0.0);
    if (static_cast<int64_t>(a.size()) != x.numel()) {
      msg << "input " << k << ": gradient has " << a.size() << " elements, input has " << x.numel() << "\n";
      ++failures;
      continue;
    }
    for (int64_t i = 0; i < x.numel(); ++i) {
      const double orig = p[i];
      double lp, lm;
      {
        NoGradGuard ng;
        p[i] = orig + eps;
        lp = dot_with(f(inputs).data(), r);
        p[i] = orig - eps;
        lm = dot_with(f(inputs).data(), r);
        p[i] = orig;
      }
      const double numeric = (lp - lm) / (2 * eps);
      if (!(std::abs(a[i] - numeric) <= atol + rtol * std::abs(numeric))) {
        if (failures < 10)
          msg << "input " << k << " element " << i << ": analytic " << a[i] << " vs numeric " << numeric << "\n";
        ++failures;
      }
    }
  }
  if (failures) {
    res.ok = false;
    res.message = "gradcheck failed at " + std::to_string(failures) + " element(s):\n" + msg.str();
  }
  return res;
}

// A float64 leaf that requires grad, filled from a fixed-seed LCG in [lo, hi) (random_tensor's values).
inline Variable leaf_f64(const Shape& shape, uint64_t seed = 1, double lo = -1.0, double hi = 1.0) {
  return Variable(random_tensor(shape, DType::f64, seed, lo, hi), true);
}

}  // namespace htp::testing

#define CHECK_GRADCHECK(...)                                   \
  do {                                                         \
    auto gc_result_ = ::htp::testing::gradcheck(__VA_ARGS__);  \
    CHECK_MESSAGE(gc_result_.ok, gc_result_.message);          \
  } while (0)
