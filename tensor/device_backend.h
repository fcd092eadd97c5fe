// What tensor/ needs from a non-CPU backend: copies (within the device and to/from the host, with dtype conversion),
// fills, and optionally random fills generated on the device. The CUDA backend registers itself at start-up; without
// it, using a CUDA tensor is a clear error.
#pragma once
#include "tensor/device.h"
#include "tensor/philox.h"

namespace htp {

class Tensor;

class DeviceBackend {
 public:
  virtual ~DeviceBackend() = default;
  // dst and src have the same shape; either may be on the host; strides and dtypes may differ.
  virtual void copy(const Tensor& dst, const Tensor& src) = 0;
  virtual void fill(const Tensor& dst, double value) = 0;
  virtual void synchronize(Device device) = 0;
  // Random fills on the device with tensor/random.h's mappings for the random call's stream `s`: dst contiguous and
  // floating; element i is lo + (hi - lo) * u_i or mean + std * z_i, computed in double and rounded to dst's dtype.
  // They return false when the backend does not generate on the device (tensor/random.cpp then generates on the
  // host and copies).
  virtual bool fill_uniform(const Tensor& /*dst*/, const PhiloxStream& /*s*/, double /*lo*/, double /*hi*/) {
    return false;
  }
  virtual bool fill_normal(const Tensor& /*dst*/, const PhiloxStream& /*s*/, double /*mean*/, double /*std*/) {
    return false;
  }
};

DeviceBackend& device_backend(DeviceType type);  // throws when no backend is registered for `type`
void register_device_backend(DeviceType type, DeviceBackend* backend);

}  // namespace htp
