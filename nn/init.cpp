#include "nn/init.h"

#include <cmath>
#include <numbers>

#include "tensor/creation.h"
#include "tensor/random.h"

namespace htp::nn::init {
namespace {

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

// Φ⁻¹(u) for u in (0, 1): Acklam's rational approximation refined by two Newton steps on Φ (double accuracy).
double normal_quantile(double u) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  double x;
  if (u < 0.02425) {
    const double q = std::sqrt(-2 * std::log(u));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (u > 1 - 0.02425) {
    const double q = std::sqrt(-2 * std::log(1 - u));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else {
    const double q = u - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  for (int i = 0; i < 2; ++i) {
    const double density = std::exp(-0.5 * x * x) / std::sqrt(2 * std::numbers::pi);
    if (density > 0) x -= (normal_cdf(x) - u) / density;
  }
  return x;
}

void check_floating(const Tensor& t, const char* fn) {
  HTP_CHECK(t.defined(), "nn::init::", fn, ": undefined tensor");
  HTP_CHECK(is_floating(t.dtype()), "nn::init::", fn, ": needs a floating tensor, got ", t.describe());
}

double kaiming_std(const Tensor& t, double a, FanMode mode, Nonlinearity nonlinearity, const char* fn) {
  check_floating(t, fn);
  const Fans fans = compute_fans(t.shape());
  const int64_t fan = mode == FanMode::fan_in ? fans.fan_in : fans.fan_out;
  HTP_CHECK(fan > 0, "nn::init::", fn, ": zero fan for ", t.describe());
  return calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan));
}

}  // namespace

Fans compute_fans(const Shape& shape) {
  HTP_CHECK(shape.size() >= 2, "nn::init: fan in and fan out need a tensor of rank >= 2, got shape ", shape_str(shape));
  int64_t receptive = 1;
  for (size_t i = 2; i < shape.size(); ++i) receptive *= shape[i];
  return {shape[1] * receptive, shape[0] * receptive};
}

double calculate_gain(Nonlinearity nonlinearity, double negative_slope) {
  switch (nonlinearity) {
    case Nonlinearity::linear:
    case Nonlinearity::sigmoid:
      return 1.0;
    case Nonlinearity::tanh:
      return 5.0 / 3.0;
    case Nonlinearity::relu:
      return std::numbers::sqrt2;
    case Nonlinearity::leaky_relu:
      return std::sqrt(2.0 / (1.0 + negative_slope * negative_slope));
  }
  return 1.0;
}

Tensor kaiming_uniform_(Tensor t, double a, FanMode mode, Nonlinearity nonlinearity, Generator* gen) {
  const double bound = std::sqrt(3.0) * kaiming_std(t, a, mode, nonlinearity, "kaiming_uniform_");
  return uniform_(std::move(t), -bound, bound, gen);
}

Tensor kaiming_normal_(Tensor t, double a, FanMode mode, Nonlinearity nonlinearity, Generator* gen) {
  const double std = kaiming_std(t, a, mode, nonlinearity, "kaiming_normal_");
  return normal_(std::move(t), 0.0, std, gen);
}

Tensor trunc_normal_(Tensor t, double mean, double std, double a, double b, Generator* gen) {
  check_floating(t, "trunc_normal_");
  HTP_CHECK(std > 0 && a < b, "nn::init::trunc_normal_: needs std > 0 and a < b, got std ", std, ", [", a, ", ", b,
            "]");
  const double lo = normal_cdf((a - mean) / std), hi = normal_cdf((b - mean) / std);
  Tensor u = uniform_(empty(t.shape(), DType::f64), lo, hi, gen);
  double* p = u.data<double>();
  for (int64_t i = 0; i < u.numel(); ++i) {
    // Keep u inside (0, 1) so that the quantile stays finite, then clamp to [a, b] against rounding (as timm does).
    const double ui = std::min(std::max(p[i], 1e-300), 1.0 - 1e-16);
    p[i] = std::min(std::max(mean + std * normal_quantile(ui), a), b);
  }
  t.copy_(u);
  return t;
}

Tensor zeros_(Tensor t) { return constant_(std::move(t), 0.0); }
Tensor ones_(Tensor t) { return constant_(std::move(t), 1.0); }
Tensor constant_(Tensor t, double value) {
  check_floating(t, "constant_");
  t.fill_(value);
  return t;
}

void default_linear_init(Tensor weight, Tensor bias, Generator* gen) {
  kaiming_uniform_(weight, std::sqrt(5.0), FanMode::fan_in, Nonlinearity::leaky_relu, gen);
  if (!bias.defined()) return;
  const int64_t fan_in = compute_fans(weight.shape()).fan_in;
  const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
  uniform_(std::move(bias), -bound, bound, gen);
}

}  // namespace htp::nn::init
