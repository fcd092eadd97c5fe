// Unary CPU kernels: one functor per op over the shared elementwise loop (elementwise_loops.h). Transcendental
// functions run in the tensor's dtype through <cmath>.
#include "kernels/cpu/unary.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "kernels/cpu/elementwise_loops.h"
#include "kernels/cpu/numeric.h"

namespace htp::kernels::cpu {
namespace {

// Costly functions hand out smaller chunks to the thread pool.
constexpr int64_t kTranscendentalGrain = 4096;

constexpr double kInvSqrt2 = 0.70710678118654752440;     // 1/√2
constexpr double kInvSqrt2Pi = 0.39894228040143267794;   // 1/√(2π)
constexpr double kSqrt2OverPi = 0.79788456080286535588;  // √(2/π)
constexpr double kGeluCubic = 0.044715;

template <class T>
T sign_of(T x) {
  if constexpr (std::is_unsigned_v<T>)
    return x > 0 ? T(1) : T(0);
  else
    return x > 0 ? T(1) : (x < 0 ? T(-1) : x);  // keeps ±0 and NaN
}

template <class T>
T abs_of(T x) {
  if constexpr (std::is_unsigned_v<T>)
    return x;
  else if constexpr (std::is_floating_point_v<T>)
    return std::abs(x);
  else
    return x < 0 ? static_cast<T>(-x) : x;
}

template <class T>
void integer_or_floating_unary(UnaryOp op, const Tensor& x, const Tensor& out) {
  auto run = [&](auto f, int64_t grain) { map_elementwise<T, T>(out, {x}, f, grain); };
  const int64_t g = kElementwiseGrain, tg = kTranscendentalGrain;
  switch (op) {
    case UnaryOp::neg: return run([](T v) { return static_cast<T>(-v); }, g);
    case UnaryOp::abs: return run([](T v) { return abs_of(v); }, g);
    case UnaryOp::sign: return run([](T v) { return sign_of(v); }, g);
    case UnaryOp::square: return run([](T v) { return static_cast<T>(v * v); }, g);
    case UnaryOp::relu: return run([](T v) { return (v > T(0) || is_nan(v)) ? v : T(0); }, g);
    default: break;
  }
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case UnaryOp::exp: return run([](T v) { return std::exp(v); }, tg);
      case UnaryOp::log: return run([](T v) { return std::log(v); }, tg);
      case UnaryOp::sqrt: return run([](T v) { return std::sqrt(v); }, g);
      case UnaryOp::rsqrt: return run([](T v) { return T(1) / std::sqrt(v); }, g);
      case UnaryOp::sigmoid: return run([](T v) { return T(1) / (T(1) + std::exp(-v)); }, tg);
      case UnaryOp::tanh: return run([](T v) { return std::tanh(v); }, tg);
      case UnaryOp::gelu: return run([](T v) { return T(0.5) * v * (T(1) + std::erf(v * T(kInvSqrt2))); }, tg);
      case UnaryOp::gelu_tanh:
        return run([](T v) {
          return T(0.5) * v * (T(1) + std::tanh(T(kSqrt2OverPi) * (v + T(kGeluCubic) * v * v * v)));
        }, tg);
      default: break;
    }
  }
  throw Error(detail::concat("unary: the op needs a floating tensor, got ", x.describe()));
}

// Clamp bound for integer T: ceil(lo) / floor(hi), saturated to T's range (infinite bounds included).
template <class T>
T integer_bound(double v, bool lower) {
  const double r = lower ? std::ceil(v) : std::floor(v);
  const double lo = static_cast<double>(std::numeric_limits<T>::lowest());
  const double hi = static_cast<double>(std::numeric_limits<T>::max());
  if (r <= lo) return std::numeric_limits<T>::lowest();
  if (r >= hi) return std::numeric_limits<T>::max();
  return static_cast<T>(r);
}

}  // namespace

void unary(UnaryOp op, const Tensor& x, const Tensor& out) {
  dispatch_numeric(x.dtype(), "unary", [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>)
      throw Error(detail::concat("unary: bool tensors are not supported, got ", x.describe()));
    else
      integer_or_floating_unary<T>(op, x, out);
  });
}

void softplus(const Tensor& x, double beta, double threshold, const Tensor& out) {
  dispatch_floating(x.dtype(), "softplus", [&](auto tag) {
    using T = decltype(tag);
    const T b = static_cast<T>(beta), th = static_cast<T>(threshold);
    map_elementwise<T, T>(out, {x}, [b, th](T v) {
      const T bx = b * v;
      return bx > th ? v : std::log1p(std::exp(bx)) / b;
    }, kTranscendentalGrain);
  });
}

void clamp(const Tensor& x, double lo, double hi, const Tensor& out) {
  dispatch_numeric(x.dtype(), "clamp", [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      throw Error(detail::concat("clamp: bool tensors are not supported, got ", x.describe()));
    } else {
      T l, h;
      if constexpr (std::is_floating_point_v<T>) {
        l = static_cast<T>(lo);
        h = static_cast<T>(hi);
      } else {
        l = integer_bound<T>(lo, true);
        h = integer_bound<T>(hi, false);
      }
      map_elementwise<T, T>(out, {x}, [l, h](T v) { return std::min(std::max(v, l), h); });
    }
  });
}

void where(const Tensor& cond, const Tensor& a, const Tensor& b, const Tensor& out) {
  dispatch_numeric(out.dtype(), "where", [&](auto tag) {
    using T = decltype(tag);
    map_elementwise<T, bool, T, T>(out, {cond, a, b}, [](bool c, T x, T y) { return c ? x : y; });
  });
}

void unary_backward(UnaryBackwardOp op, const Tensor& grad, const Tensor& saved, const Tensor& out) {
  dispatch_floating(out.dtype(), "unary_backward", [&](auto tag) {
    using T = decltype(tag);
    auto run = [&](auto f) { map_elementwise<T, T, T>(out, {grad, saved}, f, kTranscendentalGrain); };
    switch (op) {
      case UnaryBackwardOp::abs: return run([](T g, T x) { return x > 0 ? g : (x < 0 ? -g : T(0)); });
      case UnaryBackwardOp::sqrt: return run([](T g, T y) { return g / (T(2) * y); });
      case UnaryBackwardOp::rsqrt: return run([](T g, T y) { return T(-0.5) * g * y * y * y; });
      case UnaryBackwardOp::relu: return run([](T g, T s) { return s > 0 ? g : T(0); });
      case UnaryBackwardOp::sigmoid: return run([](T g, T y) { return g * y * (T(1) - y); });
      case UnaryBackwardOp::tanh: return run([](T g, T y) { return g * (T(1) - y * y); });
      case UnaryBackwardOp::gelu:
        return run([](T g, T x) {
          const T cdf = T(0.5) * (T(1) + std::erf(x * T(kInvSqrt2)));
          const T pdf = T(kInvSqrt2Pi) * std::exp(T(-0.5) * x * x);
          return g * (cdf + x * pdf);
        });
      case UnaryBackwardOp::gelu_tanh:
        return run([](T g, T x) {
          const T t = std::tanh(T(kSqrt2OverPi) * (x + T(kGeluCubic) * x * x * x));
          const T du = T(kSqrt2OverPi) * (T(1) + T(3 * kGeluCubic) * x * x);
          return g * (T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t * t) * du);
        });
    }
  });
}

void softplus_backward(const Tensor& grad, const Tensor& x, double beta, double threshold, const Tensor& out) {
  dispatch_floating(out.dtype(), "softplus_backward", [&](auto tag) {
    using T = decltype(tag);
    const T b = static_cast<T>(beta), th = static_cast<T>(threshold);
    map_elementwise<T, T, T>(out, {grad, x}, [b, th](T g, T v) {
      const T bx = b * v;
      return bx > th ? g : g / (T(1) + std::exp(-bx));
    }, kTranscendentalGrain);
  });
}

void clamp_backward(const Tensor& grad, const Tensor& x, double lo, double hi, const Tensor& out) {
  dispatch_floating(out.dtype(), "clamp_backward", [&](auto tag) {
    using T = decltype(tag);
    const T l = static_cast<T>(lo), h = static_cast<T>(hi);
    map_elementwise<T, T, T>(out, {grad, x}, [l, h](T g, T v) { return (v >= l && v <= h) ? g : T(0); });
  });
}

}  // namespace htp::kernels::cpu
