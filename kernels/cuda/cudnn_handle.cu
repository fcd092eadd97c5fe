// Per-device cuDNN handles (see cudnn_handle.h), created under std::call_once like runtime.cu's cuBLAS handles.
#ifdef HTP_WITH_CUDNN
#include "kernels/cuda/cudnn_handle.h"

#include <mutex>

#include "kernels/cuda/cudnn_check.h"
#include "kernels/cuda/runtime.h"

namespace htp::kernels::cuda {
namespace {

struct HandleSlot {
  std::once_flag once;
  cudnnHandle_t handle = nullptr;
};

// Never destroyed: handles must outlive every static Tensor, and the driver reclaims them at exit.
HandleSlot& slot(int device) {
  static HandleSlot* const slots = new HandleSlot[static_cast<size_t>(cuda_device_count())];
  check_device(device);
  return slots[device];
}

}  // namespace

cudnnHandle_t cudnn_handle(int device) {
  HandleSlot& s = slot(device);
  std::call_once(s.once, [&] {
    DeviceGuard guard(device);
    HTP_CUDNN_CHECK(cudnnCreate(&s.handle), "cudnn_handle");
    HTP_CUDNN_CHECK(cudnnSetStream(s.handle, stream(device)), "cudnn_handle");
  });
  return s.handle;
}

}  // namespace htp::kernels::cuda
#endif  // HTP_WITH_CUDNN
