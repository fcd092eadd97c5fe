// Element types as device code sees them, and the conversions of Tensor::copy_ on the device.
//
// DType -> device type: f32 float, f64 double, i64 int64_t, i32 int32_t, u8 uint8_t, bool bool, f16 __half,
// bf16 __nv_bfloat16 (same sizes and bit layouts as htp::half / htp::bfloat16, which are host-only).
// convert<D>(v) follows tensor/tensor.cpp's convert exactly: f16/bf16 go through float (both ways, rounding to
// nearest even); to bool is v != 0; everything else is static_cast.
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <type_traits>

#include "tensor/dtype.h"

namespace htp::kernels::cuda {

template <class T>
struct Tag {
  using type = T;
};

// f(Tag<T>{}) with T the device type of dt.
template <class F>
decltype(auto) dispatch_device_type(DType dt, F&& f) {
  switch (dt) {
    case DType::f32: return f(Tag<float>{});
    case DType::f64: return f(Tag<double>{});
    case DType::i64: return f(Tag<int64_t>{});
    case DType::i32: return f(Tag<int32_t>{});
    case DType::u8: return f(Tag<uint8_t>{});
    case DType::boolean: return f(Tag<bool>{});
    case DType::f16: return f(Tag<__half>{});
    case DType::bf16: return f(Tag<__nv_bfloat16>{});
  }
  throw Error("unknown dtype");
}

template <class T>
inline constexpr bool is_half_like_v = std::is_same_v<T, __half> || std::is_same_v<T, __nv_bfloat16>;

template <class D, class S>
__device__ __forceinline__ D convert(S v) {
  if constexpr (std::is_same_v<D, S>) {
    return v;
  } else if constexpr (std::is_same_v<S, __half>) {
    return convert<D>(__half2float(v));
  } else if constexpr (std::is_same_v<S, __nv_bfloat16>) {
    return convert<D>(__bfloat162float(v));
  } else if constexpr (std::is_same_v<D, __half>) {
    return __float2half_rn(static_cast<float>(v));
  } else if constexpr (std::is_same_v<D, __nv_bfloat16>) {
    return __float2bfloat16_rn(static_cast<float>(v));
  } else if constexpr (std::is_same_v<D, bool>) {
    return v != S(0);
  } else {
    return static_cast<D>(v);
  }
}

}  // namespace htp::kernels::cuda
