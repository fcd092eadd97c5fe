// CUDA twins of kernels/cpu/conv.h: same names, signatures and semantics (math and shapes in kernels/conv.h).
// Arguments are validated, contiguous, float32 or float64, on one CUDA device; outputs are preallocated and fully
// overwritten. Our kernels (implicit GEMM, kernels/cuda/conv.cu) run unless kernels::implementation(OpFamily::conv2d)
// chooses the vendor and the build has cuDNN (kernels/cuda/conv_cudnn.h).
#pragma once
#include "kernels/conv.h"

namespace htp::kernels::cuda {

void conv2d_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dParams& params,
                    const Tensor& out);
void conv2d_backward_input(const Tensor& grad_out, const Tensor& weight, const Conv2dParams& params,
                           const Tensor& grad_in);
void conv2d_backward_weight(const Tensor& grad_out, const Tensor& x, const Conv2dParams& params,
                            const Tensor& grad_weight);
void conv2d_backward_bias(const Tensor& grad_out, const Tensor& grad_bias);

}  // namespace htp::kernels::cuda
