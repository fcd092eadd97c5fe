// Creating tensors. Every function takes the dtype (default float32) and device (default CPU) last.
#pragma once
#include <initializer_list>
#include <vector>

#include "tensor/tensor.h"

namespace htp {

Tensor empty(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu());  // uninitialised
Tensor zeros(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu());
Tensor ones(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu());
Tensor full(const Shape& shape, double value, DType dtype = DType::f32, Device device = Device::cpu());
Tensor empty_like(const Tensor& t);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);
Tensor scalar_tensor(double value, DType dtype = DType::f32, Device device = Device::cpu());  // rank 0

// [start, end) in steps of `step` (like torch.arange: ceil((end - start) / step) elements).
Tensor arange(double start, double end, double step = 1.0, DType dtype = DType::f32, Device device = Device::cpu());
Tensor arange(int64_t end, DType dtype = DType::i64, Device device = Device::cpu());
// `steps` points from start to end inclusive.
Tensor linspace(double start, double end, int64_t steps, DType dtype = DType::f32, Device device = Device::cpu());
Tensor eye(int64_t n, int64_t m = -1, DType dtype = DType::f32, Device device = Device::cpu());

// Copies `shape`'s worth of elements of `dtype` from host memory at `data`.
Tensor from_buffer(const void* data, const Shape& shape, DType dtype, Device device = Device::cpu());

// Convenience for tests and small constants: tensor({1, 2, 3}) or tensor(values, {2, 3}).
template <class T>
Tensor tensor(const std::vector<T>& values, const Shape& shape) {
  HTP_CHECK(shape_numel(shape) == static_cast<int64_t>(values.size()), "tensor: ", values.size(),
            " values do not fill shape ", shape_str(shape));
  if constexpr (std::is_same_v<T, bool>) {
    std::vector<uint8_t> bytes(values.begin(), values.end());
    return from_buffer(bytes.data(), shape, DType::boolean);
  } else {
    return from_buffer(values.data(), shape, dtype_v<T>);
  }
}
inline Tensor tensor(std::initializer_list<float> values) {
  return tensor(std::vector<float>(values), Shape{static_cast<int64_t>(values.size())});
}

}  // namespace htp
