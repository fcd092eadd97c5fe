// CUDA twins of kernels/cpu/interpolate.h: same names, signatures and semantics (math in kernels/interpolate.h),
// contiguous float32 / float64 tensors on one CUDA device, outputs preallocated and fully overwritten.
#pragma once
#include "tensor/tensor.h"

namespace htp::kernels::cuda {

void interpolate_bilinear_forward(const Tensor& x, bool align_corners, const Tensor& out);
void interpolate_bilinear_backward(const Tensor& grad_out, bool align_corners, const Tensor& grad_in);

}  // namespace htp::kernels::cuda
