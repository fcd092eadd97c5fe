// Element types. f32 is the default compute type, f64 exists for gradient checks and references (CPU), integer types
// hold labels and indices, u8 images, boolean masks. f16/bf16 are storage types (converted on load; the CUDA
// backend computes with them).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "tensor/error.h"
#include "tensor/half.h"

namespace htp {

enum class DType : uint8_t { f32, f64, i64, i32, u8, boolean, f16, bf16 };

size_t dtype_size(DType dt);
const char* dtype_name(DType dt);  // "float32", "float64", "int64", "int32", "uint8", "bool", "float16", "bfloat16"
bool is_floating(DType dt);        // f32, f64, f16, bf16
bool is_integral(DType dt);        // i64, i32, u8 (not bool)

// Result type of a binary op, following PyTorch's rules for tensors of equal standing:
// bool < u8 < i32 < i64 < f16/bf16 < f32 < f64; f16 with bf16 gives f32.
DType promote_types(DType a, DType b);

template <class T> struct dtype_of;
template <> struct dtype_of<float> { static constexpr DType value = DType::f32; };
template <> struct dtype_of<double> { static constexpr DType value = DType::f64; };
template <> struct dtype_of<int64_t> { static constexpr DType value = DType::i64; };
template <> struct dtype_of<int32_t> { static constexpr DType value = DType::i32; };
template <> struct dtype_of<uint8_t> { static constexpr DType value = DType::u8; };
template <> struct dtype_of<bool> { static constexpr DType value = DType::boolean; };
template <> struct dtype_of<half> { static constexpr DType value = DType::f16; };
template <> struct dtype_of<bfloat16> { static constexpr DType value = DType::bf16; };
template <class T> inline constexpr DType dtype_v = dtype_of<T>::value;

// dispatch_*(dt, op, f) calls f(T{}) with T the C++ type of dt; `op` names the caller in the error for other dtypes.
//   dispatch_floating(x.dtype(), "exp", [&](auto tag) { using T = decltype(tag); ... });
template <class F>
decltype(auto) dispatch_floating(DType dt, const char* op, F&& f) {
  switch (dt) {
    case DType::f32: return f(float{});
    case DType::f64: return f(double{});
    default: throw Error(detail::concat(op, ": expected a float32 or float64 tensor, got ", dtype_name(dt)));
  }
}

// Numeric types that kernels compute in (everything but f16/bf16).
template <class F>
decltype(auto) dispatch_numeric(DType dt, const char* op, F&& f) {
  switch (dt) {
    case DType::f32: return f(float{});
    case DType::f64: return f(double{});
    case DType::i64: return f(int64_t{});
    case DType::i32: return f(int32_t{});
    case DType::u8: return f(uint8_t{});
    case DType::boolean: return f(bool{});
    default: throw Error(detail::concat(op, ": ", dtype_name(dt), " tensors are storage-only here; convert with .to(DType::f32)"));
  }
}

template <class F>
decltype(auto) dispatch_all(DType dt, F&& f) {
  switch (dt) {
    case DType::f32: return f(float{});
    case DType::f64: return f(double{});
    case DType::i64: return f(int64_t{});
    case DType::i32: return f(int32_t{});
    case DType::u8: return f(uint8_t{});
    case DType::boolean: return f(bool{});
    case DType::f16: return f(half{});
    case DType::bf16: return f(bfloat16{});
  }
  throw Error("unknown dtype");
}

}  // namespace htp
