#include "tensor/device_backend.h"

#include "tensor/error.h"

namespace htp {
namespace {
DeviceBackend* g_backends[2] = {nullptr, nullptr};
}

DeviceBackend& device_backend(DeviceType type) {
  DeviceBackend* b = g_backends[static_cast<int>(type)];
  if (!b)
    throw Error(std::string("no backend for device type ") + (type == DeviceType::CUDA ? "cuda" : "cpu") +
                ": this build has no CUDA backend, or no GPU was found");
  return *b;
}

void register_device_backend(DeviceType type, DeviceBackend* backend) { g_backends[static_cast<int>(type)] = backend; }

}  // namespace htp
