// Binary CUDA kernels: one functor per op over the elementwise launcher (elementwise.cuh), each the formula of
// kernels/cpu/binary.cpp. add_scaled's a + s·b may be computed as one fused multiply-add (nvcc's default contraction).
#include "kernels/cuda/binary.h"

#include <type_traits>

#include "kernels/cuda/elementwise.cuh"
#include "kernels/cuda/math.cuh"

namespace htp::kernels::cuda {
namespace {

struct Add {
  template <class T>
  __device__ T operator()(T x, T y) const { return x + y; }
};
struct Sub {
  template <class T>
  __device__ T operator()(T x, T y) const { return x - y; }
};
struct Mul {
  template <class T>
  __device__ T operator()(T x, T y) const { return x * y; }
};
struct Div {
  template <class T>
  __device__ T operator()(T x, T y) const { return x / y; }
};
// Floating pow through CUDA's powf/pow; integers by repeated squaring, negative exponents truncating toward zero.
struct Pow {
  template <class T>
  __device__ T operator()(T base, T exp) const {
    if constexpr (std::is_floating_point_v<T>) {
      return math::pow(base, exp);
    } else {
      if constexpr (std::is_signed_v<T>) {
        if (exp < 0) {
          if (base == 1) return 1;
          if (base == -1) return (exp % 2 == 0) ? 1 : -1;
          return 0;
        }
      }
      T result = 1;
      while (exp > 0) {
        if (exp & 1) result = static_cast<T>(result * base);
        base = static_cast<T>(base * base);
        exp >>= 1;
      }
      return result;
    }
  }
};
// NaN wins in either position.
struct Maximum {
  template <class T>
  __device__ T operator()(T x, T y) const { return (x > y || math::is_nan(x)) ? x : y; }
};
struct Minimum {
  template <class T>
  __device__ T operator()(T x, T y) const { return (x < y || math::is_nan(x)) ? x : y; }
};

template <class T>
struct AddScaled {
  T alpha;
  __device__ T operator()(T x, T y) const { return x + alpha * y; }
};

struct Eq {
  template <class T>
  __device__ bool operator()(T x, T y) const { return x == y; }
};
struct Ne {
  template <class T>
  __device__ bool operator()(T x, T y) const { return x != y; }
};
struct Lt {
  template <class T>
  __device__ bool operator()(T x, T y) const { return x < y; }
};
struct Le {
  template <class T>
  __device__ bool operator()(T x, T y) const { return x <= y; }
};
struct Gt {
  template <class T>
  __device__ bool operator()(T x, T y) const { return x > y; }
};
struct Ge {
  template <class T>
  __device__ bool operator()(T x, T y) const { return x >= y; }
};

template <class T>
void binary_typed(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  auto run = [&](auto f) { launch_elementwise<T, T, T>("binary", out, {a, b}, f); };
  switch (op) {
    case BinaryOp::add: return run(Add{});
    case BinaryOp::sub: return run(Sub{});
    case BinaryOp::mul: return run(Mul{});
    case BinaryOp::div: return run(Div{});
    case BinaryOp::pow: return run(Pow{});
    case BinaryOp::maximum: return run(Maximum{});
    case BinaryOp::minimum: return run(Minimum{});
  }
}

template <class T>
void compare_typed(CompareOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  auto run = [&](auto f) { launch_elementwise<bool, T, T>("compare", out, {a, b}, f); };
  switch (op) {
    case CompareOp::eq: return run(Eq{});
    case CompareOp::ne: return run(Ne{});
    case CompareOp::lt: return run(Lt{});
    case CompareOp::le: return run(Le{});
    case CompareOp::gt: return run(Gt{});
    case CompareOp::ge: return run(Ge{});
  }
}

}  // namespace

void binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  dispatch_numeric(out.dtype(), "binary", [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>)
      throw Error("binary: bool tensors are not supported by arithmetic kernels");
    else
      binary_typed<T>(op, a, b, out);
  });
}

void add_scaled(const Tensor& a, const Tensor& b, double alpha, const Tensor& out) {
  dispatch_floating(out.dtype(), "add_scaled", [&](auto tag) {
    using T = decltype(tag);
    launch_elementwise<T, T, T>("add_scaled", out, {a, b}, AddScaled<T>{static_cast<T>(alpha)});
  });
}

void compare(CompareOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  dispatch_numeric(a.dtype(), "compare", [&](auto tag) { compare_typed<decltype(tag)>(op, a, b, out); });
}

}  // namespace htp::kernels::cuda
