// How a kernel function reaches its device implementation.
//
// Every public kernel function (kernels/<family>.h, namespace htp::kernels) validates its arguments once — shapes,
// dtypes, devices, with errors that name the op and the offending tensors — allocates its outputs, and then calls
// the device implementation. CPU implementations live in kernels/cpu/<family>.cpp (namespace htp::kernels::cpu) and
// only compute: they may assume validated, well-formed arguments. CUDA twins with the same names and signatures live
// in kernels/cuda/<family>.{h,cu} (namespace htp::kernels::cuda).
//
//   HTP_DEVICE_CALL(op, device, fn, args...)  families with a CUDA twin: cpu::fn or, in a CUDA build, cuda::fn
//   HTP_CPU_CALL(op, device, fn, args...)     families without one yet: cpu::fn, and a clear error on other devices
#pragma once
#include "tensor/device.h"
#include "tensor/error.h"

namespace htp::kernels {

[[noreturn]] inline void no_kernel_for(const char* op, Device device) {
  throw Error(detail::concat(op, ": no kernel for device ", device.str(), " in this build"));
}

}  // namespace htp::kernels

#define HTP_CPU_CALL(op, device, fn, ...)           \
  do {                                              \
    if ((device).is_cpu())                          \
      ::htp::kernels::cpu::fn(__VA_ARGS__);         \
    else                                            \
      ::htp::kernels::no_kernel_for((op), (device)); \
  } while (0)

#ifdef HTP_WITH_CUDA
#define HTP_DEVICE_CALL(op, device, fn, ...)        \
  do {                                              \
    if ((device).is_cpu())                          \
      ::htp::kernels::cpu::fn(__VA_ARGS__);         \
    else if ((device).is_cuda())                    \
      ::htp::kernels::cuda::fn(__VA_ARGS__);        \
    else                                            \
      ::htp::kernels::no_kernel_for((op), (device)); \
  } while (0)
#else
#define HTP_DEVICE_CALL(op, device, fn, ...) HTP_CPU_CALL(op, device, fn, __VA_ARGS__)
#endif
