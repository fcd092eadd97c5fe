// The CUDA allocator, installed for DeviceType::CUDA at start-up (kernels/cuda/device_backend.cu). See allocator.cu.
#pragma once
#include "tensor/allocator.h"

namespace htp::kernels::cuda {

Allocator& cuda_allocator();  // the process-wide instance (never destroyed)

}  // namespace htp::kernels::cuda
