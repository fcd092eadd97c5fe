// Devices, streams and cuBLAS handles (see runtime.h). Per-device state is created lazily under std::call_once, so
// a process that never touches device 1 never creates anything there.
#include "kernels/cuda/runtime.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

#include "kernels/cuda/cuda_check.h"

namespace htp::kernels::cuda {
namespace {

struct DeviceState {
  std::once_flag props_once, stream_once, cublas_once;
  cudaDeviceProp props{};
  cudaStream_t stream = nullptr;
  cublasHandle_t cublas = nullptr;
};

// Never destroyed: streams and handles must outlive every static Tensor, and the driver reclaims them at exit.
std::vector<DeviceState>& states() {
  static auto* s = new std::vector<DeviceState>(static_cast<size_t>(cuda_device_count()));
  return *s;
}

DeviceState& state(int device) {
  check_device(device);
  return states()[static_cast<size_t>(device)];
}

}  // namespace

int cuda_device_count() {
  static const int count = [] {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
      // No driver, no device, or a driver too old for this runtime: a CPU-only process, not an error.
      (void)cudaGetLastError();  // clears the error so that it does not surface in a later check
      return 0;
    }
    return n;
  }();
  return count;
}

bool cuda_available() { return cuda_device_count() > 0; }

void check_device(int device) {
  const int n = cuda_device_count();
  HTP_CHECK(device >= 0 && device < n, "device cuda:", device, " is not available: this machine has ", n,
            " CUDA device(s)");
}

const cudaDeviceProp& device_properties(int device) {
  DeviceState& s = state(device);
  std::call_once(s.props_once, [&] { HTP_CUDA_CHECK(cudaGetDeviceProperties(&s.props, device), "device_properties"); });
  return s.props;
}

std::string device_name(int device) { return device_properties(device).name; }

cudaStream_t stream(int device) {
  DeviceState& s = state(device);
  std::call_once(s.stream_once, [&] {
    DeviceGuard guard(device);
    HTP_CUDA_CHECK(cudaStreamCreate(&s.stream), "stream");
  });
  return s.stream;
}

cublasHandle_t cublas_handle(int device) {
  DeviceState& s = state(device);
  std::call_once(s.cublas_once, [&] {
    DeviceGuard guard(device);
    HTP_CUBLAS_CHECK(cublasCreate(&s.cublas), "cublas_handle");
    HTP_CUBLAS_CHECK(cublasSetStream(s.cublas, stream(device)), "cublas_handle");
  });
  return s.cublas;
}

void synchronize(int device) {
  DeviceGuard guard(device);
  HTP_CUDA_CHECK(cudaStreamSynchronize(stream(device)), "synchronize");
}

DeviceGuard::DeviceGuard(int device) : device_(device) {
  check_device(device);
  HTP_CUDA_CHECK(cudaGetDevice(&previous_), "DeviceGuard");
  if (previous_ != device_) HTP_CUDA_CHECK(cudaSetDevice(device_), "DeviceGuard");
}

DeviceGuard::~DeviceGuard() {
  if (previous_ != device_) HTP_CUDA_WARN(cudaSetDevice(previous_));
}

int grid_size(int device, int64_t threads) {
  const cudaDeviceProp& p = device_properties(device);
  const int64_t resident = static_cast<int64_t>(p.multiProcessorCount) * (p.maxThreadsPerMultiProcessor / kThreads);
  const int64_t needed = (threads + kThreads - 1) / kThreads;
  return static_cast<int>(std::clamp<int64_t>(needed, 1, std::max<int64_t>(resident, 1)));
}

}  // namespace htp::kernels::cuda
