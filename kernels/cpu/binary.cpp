// Binary CPU kernels: one functor per op over the shared elementwise loop (elementwise_loops.h).
#include "kernels/cpu/binary.h"

#include <cmath>
#include <type_traits>

#include "kernels/cpu/elementwise_loops.h"
#include "kernels/cpu/numeric.h"

namespace htp::kernels::cpu {
namespace {

// base^exp for integers by repeated squaring; negative exponents truncate toward zero.
template <class T>
T int_pow(T base, T exp) {
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

template <class T>
void binary_typed(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  auto run = [&](auto f) { map_elementwise<T, T, T>(out, {a, b}, f); };
  switch (op) {
    case BinaryOp::add: return run([](T x, T y) { return x + y; });
    case BinaryOp::sub: return run([](T x, T y) { return x - y; });
    case BinaryOp::mul: return run([](T x, T y) { return x * y; });
    case BinaryOp::div: return run([](T x, T y) { return x / y; });
    case BinaryOp::pow:
      if constexpr (std::is_floating_point_v<T>)
        return run([](T x, T y) { return std::pow(x, y); });
      else
        return run([](T x, T y) { return int_pow(x, y); });
    // NaN wins in either position.
    case BinaryOp::maximum: return run([](T x, T y) { return (x > y || is_nan(x)) ? x : y; });
    case BinaryOp::minimum: return run([](T x, T y) { return (x < y || is_nan(x)) ? x : y; });
  }
}

template <class T>
void compare_typed(CompareOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  auto run = [&](auto f) { map_elementwise<bool, T, T>(out, {a, b}, f); };
  switch (op) {
    case CompareOp::eq: return run([](T x, T y) { return x == y; });
    case CompareOp::ne: return run([](T x, T y) { return x != y; });
    case CompareOp::lt: return run([](T x, T y) { return x < y; });
    case CompareOp::le: return run([](T x, T y) { return x <= y; });
    case CompareOp::gt: return run([](T x, T y) { return x > y; });
    case CompareOp::ge: return run([](T x, T y) { return x >= y; });
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
    const T s = static_cast<T>(alpha);
    map_elementwise<T, T, T>(out, {a, b}, [s](T x, T y) { return x + s * y; });
  });
}

void compare(CompareOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  dispatch_numeric(a.dtype(), "compare", [&](auto tag) { compare_typed<decltype(tag)>(op, a, b, out); });
}

}  // namespace htp::kernels::cpu
