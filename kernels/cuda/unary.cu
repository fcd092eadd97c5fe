// Unary CUDA kernels: one functor per op over the elementwise launcher (elementwise.cuh), each the same formula, in
// the same order of operations, as kernels/cpu/unary.cpp. The compiler may contract a * b + c into one fused
// multiply-add (nvcc's default), which the CPU build does not: results can differ from the CPU's in the last bits.
#include "kernels/cuda/unary.h"

#include <cmath>
#include <limits>
#include <type_traits>

#include "kernels/cuda/elementwise.cuh"
#include "kernels/cuda/math.cuh"

namespace htp::kernels::cuda {
namespace {

constexpr double kInvSqrt2 = 0.70710678118654752440;     // 1/√2
constexpr double kInvSqrt2Pi = 0.39894228040143267794;   // 1/√(2π)
constexpr double kSqrt2OverPi = 0.79788456080286535588;  // √(2/π)
constexpr double kGeluCubic = 0.044715;

// ---- forward ---------------------------------------------------------------------------------------------------------

struct Neg {
  template <class T>
  __device__ T operator()(T v) const { return static_cast<T>(-v); }
};
struct Abs {
  template <class T>
  __device__ T operator()(T v) const {
    if constexpr (std::is_unsigned_v<T>)
      return v;
    else if constexpr (std::is_floating_point_v<T>)
      return math::fabs(v);
    else
      return v < 0 ? static_cast<T>(-v) : v;
  }
};
struct Sign {
  template <class T>
  __device__ T operator()(T v) const {
    if constexpr (std::is_unsigned_v<T>)
      return v > 0 ? T(1) : T(0);
    else
      return v > 0 ? T(1) : (v < 0 ? T(-1) : v);  // keeps ±0 and NaN
  }
};
struct Square {
  template <class T>
  __device__ T operator()(T v) const { return static_cast<T>(v * v); }
};
struct Relu {
  template <class T>
  __device__ T operator()(T v) const { return (v > T(0) || math::is_nan(v)) ? v : T(0); }
};
struct Exp {
  template <class T>
  __device__ T operator()(T v) const { return math::exp(v); }
};
struct Log {
  template <class T>
  __device__ T operator()(T v) const { return math::log(v); }
};
struct Sqrt {
  template <class T>
  __device__ T operator()(T v) const { return math::sqrt(v); }
};
struct Rsqrt {
  template <class T>
  __device__ T operator()(T v) const { return T(1) / math::sqrt(v); }
};
struct Sigmoid {
  template <class T>
  __device__ T operator()(T v) const { return T(1) / (T(1) + math::exp(-v)); }
};
struct Tanh {
  template <class T>
  __device__ T operator()(T v) const { return math::tanh(v); }
};
struct Gelu {
  template <class T>
  __device__ T operator()(T v) const { return T(0.5) * v * (T(1) + math::erf(v * T(kInvSqrt2))); }
};
struct GeluTanh {
  template <class T>
  __device__ T operator()(T v) const {
    return T(0.5) * v * (T(1) + math::tanh(T(kSqrt2OverPi) * (v + T(kGeluCubic) * v * v * v)));
  }
};

template <class T>
struct Softplus {
  T beta, threshold;
  __device__ T operator()(T v) const {
    const T bx = beta * v;
    return bx > threshold ? v : math::log1p(math::exp(bx)) / beta;
  }
};

// std::min(std::max(v, lo), hi) spelled out: NaN stays NaN.
template <class T>
struct Clamp {
  T lo, hi;
  __device__ T operator()(T v) const {
    const T r = v < lo ? lo : v;
    return hi < r ? hi : r;
  }
};

struct Where {
  template <class T>
  __device__ T operator()(bool c, T a, T b) const { return c ? a : b; }
};

// ---- backward --------------------------------------------------------------------------------------------------------

struct AbsBackward {
  template <class T>
  __device__ T operator()(T g, T x) const { return x > 0 ? g : (x < 0 ? -g : T(0)); }
};
struct SqrtBackward {
  template <class T>
  __device__ T operator()(T g, T y) const { return g / (T(2) * y); }
};
struct RsqrtBackward {
  template <class T>
  __device__ T operator()(T g, T y) const { return T(-0.5) * g * y * y * y; }
};
struct ReluBackward {
  template <class T>
  __device__ T operator()(T g, T s) const { return s > 0 ? g : T(0); }
};
struct SigmoidBackward {
  template <class T>
  __device__ T operator()(T g, T y) const { return g * y * (T(1) - y); }
};
struct TanhBackward {
  template <class T>
  __device__ T operator()(T g, T y) const { return g * (T(1) - y * y); }
};
struct GeluBackward {
  template <class T>
  __device__ T operator()(T g, T x) const {
    const T cdf = T(0.5) * (T(1) + math::erf(x * T(kInvSqrt2)));
    const T pdf = T(kInvSqrt2Pi) * math::exp(T(-0.5) * x * x);
    return g * (cdf + x * pdf);
  }
};
struct GeluTanhBackward {
  template <class T>
  __device__ T operator()(T g, T x) const {
    const T t = math::tanh(T(kSqrt2OverPi) * (x + T(kGeluCubic) * x * x * x));
    const T du = T(kSqrt2OverPi) * (T(1) + T(3 * kGeluCubic) * x * x);
    return g * (T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t * t) * du);
  }
};

template <class T>
struct SoftplusBackward {
  T beta, threshold;
  __device__ T operator()(T g, T v) const {
    const T bx = beta * v;
    return bx > threshold ? g : g / (T(1) + math::exp(-bx));
  }
};

template <class T>
struct ClampBackward {
  T lo, hi;
  __device__ T operator()(T g, T v) const { return (v >= lo && v <= hi) ? g : T(0); }
};

// ---- dispatch ----------------------------------------------------------------------------------------------------------

template <class T>
void integer_or_floating_unary(UnaryOp op, const Tensor& x, const Tensor& out) {
  auto run = [&](auto f) { launch_elementwise<T, T>("unary", out, {x}, f); };
  switch (op) {
    case UnaryOp::neg: return run(Neg{});
    case UnaryOp::abs: return run(Abs{});
    case UnaryOp::sign: return run(Sign{});
    case UnaryOp::square: return run(Square{});
    case UnaryOp::relu: return run(Relu{});
    default: break;
  }
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case UnaryOp::exp: return run(Exp{});
      case UnaryOp::log: return run(Log{});
      case UnaryOp::sqrt: return run(Sqrt{});
      case UnaryOp::rsqrt: return run(Rsqrt{});
      case UnaryOp::sigmoid: return run(Sigmoid{});
      case UnaryOp::tanh: return run(Tanh{});
      case UnaryOp::gelu: return run(Gelu{});
      case UnaryOp::gelu_tanh: return run(GeluTanh{});
      default: break;
    }
  }
  throw Error(detail::concat("unary: the op needs a floating tensor, got ", x.describe()));
}

// Clamp bound for integer T: ceil(lo) / floor(hi), saturated to T's range (infinite bounds included); as on the CPU.
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
    launch_elementwise<T, T>("softplus", out, {x}, Softplus<T>{static_cast<T>(beta), static_cast<T>(threshold)});
  });
}

void clamp(const Tensor& x, double lo, double hi, const Tensor& out) {
  dispatch_numeric(x.dtype(), "clamp", [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      throw Error(detail::concat("clamp: bool tensors are not supported, got ", x.describe()));
    } else if constexpr (std::is_floating_point_v<T>) {
      launch_elementwise<T, T>("clamp", out, {x}, Clamp<T>{static_cast<T>(lo), static_cast<T>(hi)});
    } else {
      launch_elementwise<T, T>("clamp", out, {x}, Clamp<T>{integer_bound<T>(lo, true), integer_bound<T>(hi, false)});
    }
  });
}

void where(const Tensor& cond, const Tensor& a, const Tensor& b, const Tensor& out) {
  dispatch_numeric(out.dtype(), "where", [&](auto tag) {
    using T = decltype(tag);
    launch_elementwise<T, bool, T, T>("where", out, {cond, a, b}, Where{});
  });
}

void unary_backward(UnaryBackwardOp op, const Tensor& grad, const Tensor& saved, const Tensor& out) {
  dispatch_floating(out.dtype(), "unary_backward", [&](auto tag) {
    using T = decltype(tag);
    auto run = [&](auto f) { launch_elementwise<T, T, T>("unary_backward", out, {grad, saved}, f); };
    switch (op) {
      case UnaryBackwardOp::abs: return run(AbsBackward{});
      case UnaryBackwardOp::sqrt: return run(SqrtBackward{});
      case UnaryBackwardOp::rsqrt: return run(RsqrtBackward{});
      case UnaryBackwardOp::relu: return run(ReluBackward{});
      case UnaryBackwardOp::sigmoid: return run(SigmoidBackward{});
      case UnaryBackwardOp::tanh: return run(TanhBackward{});
      case UnaryBackwardOp::gelu: return run(GeluBackward{});
      case UnaryBackwardOp::gelu_tanh: return run(GeluTanhBackward{});
    }
  });
}

void softplus_backward(const Tensor& grad, const Tensor& x, double beta, double threshold, const Tensor& out) {
  dispatch_floating(out.dtype(), "softplus_backward", [&](auto tag) {
    using T = decltype(tag);
    launch_elementwise<T, T, T>("softplus_backward", out, {grad, x},
                                SoftplusBackward<T>{static_cast<T>(beta), static_cast<T>(threshold)});
  });
}

void clamp_backward(const Tensor& grad, const Tensor& x, double lo, double hi, const Tensor& out) {
  dispatch_floating(out.dtype(), "clamp_backward", [&](auto tag) {
    using T = decltype(tag);
    launch_elementwise<T, T, T>("clamp_backward", out, {grad, x}, ClampBackward<T>{static_cast<T>(lo), static_cast<T>(hi)});
  });
}

}  // namespace htp::kernels::cuda
