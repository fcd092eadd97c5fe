// Checking CUDA runtime and cuBLAS calls: every call's status goes through one of these.
//
//   HTP_CUDA_CHECK(cudaMemcpyAsync(...), "copy");   throws htp::Error on failure
//   HTP_CUBLAS_CHECK(cublasSgemm(...), "matmul");   the same for cuBLAS statuses
//   kernel<<<grid, block, 0, s>>>(...); check_launch("softmax");   after every kernel launch
//   HTP_CUDA_WARN(cudaFreeAsync(p, s));             destructors and other places that must not throw: a message on
//                                                   stderr, silent during process shutdown (the runtime is unloading)
//
// A message names the op, the failed call's text, the CUDA error name and description, and file:line, e.g.
//   softmax: CUDA call cudaMemcpyAsync(...) failed: an illegal memory access was encountered
//   (cudaErrorIllegalAddress) at kernels/cuda/softmax.cu:120
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <cstdio>
#include <source_location>

#include "tensor/error.h"

namespace htp::kernels::cuda::check_detail {

[[noreturn, gnu::cold]] inline void throw_cuda_error(cudaError_t err, const char* call, const char* file, int line,
                                                     const char* op) {
  throw Error(htp::detail::concat(op, ": CUDA call ", call, " failed: ", cudaGetErrorString(err), " (",
                                  cudaGetErrorName(err), ") at ", file, ":", line));
}

[[noreturn, gnu::cold]] inline void throw_cublas_error(cublasStatus_t status, const char* call, const char* file,
                                                       int line, const char* op) {
  throw Error(htp::detail::concat(op, ": cuBLAS call ", call, " failed: ", cublasGetStatusString(status), " (",
                                  cublasGetStatusName(status), ") at ", file, ":", line));
}

[[gnu::cold]] inline void warn_cuda_error(cudaError_t err, const char* call, const char* file, int line) noexcept {
  if (err == cudaErrorCudartUnloading) return;  // static destructors after the runtime shut down: nothing to free
  std::fprintf(stderr, "howtoprobe: CUDA call %s failed: %s (%s) at %s:%d\n", call, cudaGetErrorString(err),
               cudaGetErrorName(err), file, line);
}

}  // namespace htp::kernels::cuda::check_detail

#define HTP_CUDA_CHECK(call, op)                                                               \
  do {                                                                                         \
    const cudaError_t htp_err_ = (call);                                                       \
    if (htp_err_ != cudaSuccess)                                                               \
      ::htp::kernels::cuda::check_detail::throw_cuda_error(htp_err_, #call, __FILE__, __LINE__, (op)); \
  } while (0)

#define HTP_CUBLAS_CHECK(call, op)                                                                 \
  do {                                                                                             \
    const cublasStatus_t htp_status_ = (call);                                                     \
    if (htp_status_ != CUBLAS_STATUS_SUCCESS)                                                      \
      ::htp::kernels::cuda::check_detail::throw_cublas_error(htp_status_, #call, __FILE__, __LINE__, (op)); \
  } while (0)

#define HTP_CUDA_WARN(call)                                                                  \
  do {                                                                                       \
    const cudaError_t htp_err_ = (call);                                                     \
    if (htp_err_ != cudaSuccess) ::htp::kernels::cuda::check_detail::warn_cuda_error(htp_err_, #call, __FILE__, __LINE__); \
  } while (0)

namespace htp::kernels::cuda {

// After a kernel launch: a bad configuration (or an earlier asynchronous error) becomes an htp::Error naming `op`.
inline void check_launch(const char* op, std::source_location where = std::source_location::current()) {
  const cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess) check_detail::throw_cuda_error(err, "kernel launch", where.file_name(), static_cast<int>(where.line()), op);
}

}  // namespace htp::kernels::cuda
