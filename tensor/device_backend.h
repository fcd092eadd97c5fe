// What tensor/ needs from a non-CPU backend: copies (within the device and to/from the host, with dtype conversion)
// and fills. The CUDA backend registers itself at start-up; without it, using a CUDA tensor is a clear error.
#pragma once
#include "tensor/device.h"

namespace htp {

class Tensor;

class DeviceBackend {
 public:
  virtual ~DeviceBackend() = default;
  // dst and src have the same shape; either may be on the host; strides and dtypes may differ.
  virtual void copy(const Tensor& dst, const Tensor& src) = 0;
  virtual void fill(const Tensor& dst, double value) = 0;
  virtual void synchronize(Device device) = 0;
};

DeviceBackend& device_backend(DeviceType type);  // throws when no backend is registered for `type`
void register_device_backend(DeviceType type, DeviceBackend* backend);

}  // namespace htp
