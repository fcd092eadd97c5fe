#include "tensor/creation.h"

#include <cmath>
#include <cstring>

namespace htp {

Tensor empty(const Shape& shape, DType dtype, Device device) {
  for (int64_t s : shape) HTP_CHECK(s >= 0, "empty: negative size in shape ", shape_str(shape));
  int64_t bytes = 0;
  HTP_CHECK(!__builtin_mul_overflow(shape_numel(shape), static_cast<int64_t>(dtype_size(dtype)), &bytes), "empty: ",
            dtype_name(dtype), shape_str(shape), " needs more than 2^63 bytes");
  Storage storage(static_cast<size_t>(bytes), device);
  return Tensor(std::move(storage), shape, contiguous_strides(shape), 0, dtype);
}

Tensor full(const Shape& shape, double value, DType dtype, Device device) {
  Tensor t = empty(shape, dtype, device);
  t.fill_(value);
  return t;
}
Tensor zeros(const Shape& shape, DType dtype, Device device) { return full(shape, 0.0, dtype, device); }
Tensor ones(const Shape& shape, DType dtype, Device device) { return full(shape, 1.0, dtype, device); }
Tensor empty_like(const Tensor& t) { return empty(t.shape(), t.dtype(), t.device()); }
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.dtype(), t.device()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), t.dtype(), t.device()); }
Tensor full_like(const Tensor& t, double value) { return full(t.shape(), value, t.dtype(), t.device()); }
Tensor scalar_tensor(double value, DType dtype, Device device) { return full({}, value, dtype, device); }

namespace {
// Fills a host tensor from f(i) for i in [0, n), then moves it to `device`.
template <class F>
Tensor generate(int64_t n, DType dtype, Device device, F&& f) {
  Tensor host = empty({n}, DType::f64);
  double* p = host.data<double>();
  for (int64_t i = 0; i < n; ++i) p[i] = f(i);
  return host.to(dtype).to(device);
}
}  // namespace

Tensor arange(double start, double end, double step, DType dtype, Device device) {
  HTP_CHECK(step != 0.0, "arange: step must be nonzero");
  HTP_CHECK((end - start) / step >= 0 || start == end, "arange: the range [", start, ", ", end,
            ") is empty or goes the wrong way for step ", step);
  const int64_t n = std::max<int64_t>(0, static_cast<int64_t>(std::ceil((end - start) / step)));
  return generate(n, dtype, device, [&](int64_t i) { return start + step * static_cast<double>(i); });
}

Tensor arange(int64_t end, DType dtype, Device device) { return arange(0.0, static_cast<double>(end), 1.0, dtype, device); }

Tensor linspace(double start, double end, int64_t steps, DType dtype, Device device) {
  HTP_CHECK(steps >= 0, "linspace: steps must be non-negative, got ", steps);
  if (steps == 1) return full({1}, start, dtype, device);
  const double step = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0.0;
  // Like PyTorch, fill the second half from the end so that the last point is exactly `end`.
  return generate(steps, dtype, device, [&](int64_t i) {
    return i < steps / 2 ? start + step * static_cast<double>(i) : end - step * static_cast<double>(steps - 1 - i);
  });
}

Tensor eye(int64_t n, int64_t m, DType dtype, Device device) {
  if (m == -1) m = n;
  HTP_CHECK(n >= 0 && m >= 0, "eye: sizes must be non-negative, got n = ", n, ", m = ", m);
  Tensor host = zeros({n, m}, dtype);
  Tensor diag = host.as_strided({std::min(n, m)}, {m + 1}, 0);
  diag.fill_(1.0);
  return host.to(device);
}

Tensor from_buffer(const void* data, const Shape& shape, DType dtype, Device device) {
  Tensor host = empty(shape, dtype);
  const size_t bytes = static_cast<size_t>(host.numel()) * dtype_size(dtype);
  HTP_CHECK(data != nullptr || bytes == 0, "from_buffer: null data for shape ", shape_str(shape));
  if (bytes) std::memcpy(host.raw_data(), data, bytes);
  return host.to(device);
}

}  // namespace htp
