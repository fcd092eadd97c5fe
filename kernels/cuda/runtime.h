// The CUDA runtime as the rest of the engine sees it: which devices exist, one stream (and one cuBLAS handle) per
// device, and the launch geometry shared by our kernels.
//
// Every kernel, copy and stream-ordered allocation for device d runs on stream(d), so work on one device is ordered
// without events and memory freed with cudaFreeAsync on that stream is safe to reuse on it. The stream is a blocking
// one (cudaStreamCreate): it also orders itself with the legacy default stream, so a stray call on stream 0 cannot
// race with our work. Code that launches on device d first makes d current with DeviceGuard.
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <cstdint>
#include <string>

namespace htp::kernels::cuda {

int cuda_device_count();  // 0 when there is no driver or no device; never throws
bool cuda_available();    // cuda_device_count() > 0; never throws

void check_device(int device);  // throws htp::Error unless 0 <= device < cuda_device_count()
const cudaDeviceProp& device_properties(int device);
std::string device_name(int device);

cudaStream_t stream(int device);           // our stream on `device`, created on first use
cublasHandle_t cublas_handle(int device);  // a cuBLAS handle bound to stream(device), created on first use
void synchronize(int device);              // waits for everything queued on stream(device)

// Makes `device` current for the scope (cudaSetDevice) and restores the previous device on exit.
class DeviceGuard {
 public:
  explicit DeviceGuard(int device);
  ~DeviceGuard();
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = 0;
  int device_ = 0;
};

// Threads per block of the elementwise, reduction and softmax kernels: 8 warps, enough to hide latency while leaving
// 8 resident blocks per multiprocessor on sm_80/sm_90 (2048 threads).
inline constexpr int kThreads = 256;

// Blocks of kThreads for `threads` threads of work, capped at what `device` holds resident at once (the kernels
// use grid-stride loops, so the cap only bounds the grid, never the work done).
int grid_size(int device, int64_t threads);

}  // namespace htp::kernels::cuda
