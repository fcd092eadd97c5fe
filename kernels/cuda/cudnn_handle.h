// One cuDNN handle per device, bound to stream(device) (kernels/cuda/runtime.h), created on first use and never
// destroyed (like the cuBLAS handles: the driver reclaims them at exit). Every cuDNN call for device d goes through
// cudnn_handle(d) with d current (DeviceGuard), so it is ordered with the rest of d's work. Only in builds with
// HTP_WITH_CUDNN.
#pragma once
#ifdef HTP_WITH_CUDNN
#include <cudnn.h>

namespace htp::kernels::cuda {

cudnnHandle_t cudnn_handle(int device);

}  // namespace htp::kernels::cuda
#endif  // HTP_WITH_CUDNN
