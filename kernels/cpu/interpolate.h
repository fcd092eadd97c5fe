// CPU bilinear resampling (math: kernels/interpolate.h). Arguments are validated, inputs contiguous, float32 or
// float64; outputs preallocated and fully overwritten. Planes (n, c) are split over the thread pool.
#pragma once
#include "tensor/tensor.h"

namespace htp::kernels::cpu {

void interpolate_bilinear_forward(const Tensor& x, bool align_corners, const Tensor& out);
void interpolate_bilinear_backward(const Tensor& grad_out, bool align_corners, const Tensor& grad_in);

}  // namespace htp::kernels::cpu
