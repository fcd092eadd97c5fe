// Checking cuDNN calls, like HTP_CUDA_CHECK / HTP_CUBLAS_CHECK (kernels/cuda/cuda_check.h) for the runtime and cuBLAS:
//
//   HTP_CUDNN_CHECK(cudnnConvolutionForward(...), "conv2d");   throws htp::Error on failure
//
// The message names the op, the failed call's text, cuDNN's status string and file:line, e.g.
//   conv2d: cuDNN call cudnnConvolutionForward(...) failed: CUDNN_STATUS_BAD_PARAM at kernels/cuda/conv_cudnn.cu:140
// Only for code built with HTP_WITH_CUDNN.
#pragma once
#include <cudnn.h>

#include "tensor/error.h"

namespace htp::kernels::cuda::check_detail {

[[noreturn, gnu::cold]] inline void throw_cudnn_error(cudnnStatus_t status, const char* call, const char* file, int line,
                                                      const char* op) {
  throw Error(htp::detail::concat(op, ": cuDNN call ", call, " failed: ", cudnnGetErrorString(status), " at ", file, ":",
                                  line));
}

}  // namespace htp::kernels::cuda::check_detail

#define HTP_CUDNN_CHECK(call, op)                                                                    \
  do {                                                                                               \
    const cudnnStatus_t htp_status_ = (call);                                                        \
    if (htp_status_ != CUDNN_STATUS_SUCCESS)                                                         \
      ::htp::kernels::cuda::check_detail::throw_cudnn_error(htp_status_, #call, __FILE__, __LINE__, (op)); \
  } while (0)
