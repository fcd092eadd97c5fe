// cuDNN's conv2d, the vendor alternative that kernels/cuda/conv.cu runs when kernels::implementation(
// OpFamily::conv2d) chooses it: the signatures and semantics of kernels/cuda/conv.h, for non-empty tensors on the
// current device (the caller holds a DeviceGuard). Only in builds with HTP_WITH_CUDNN.
#pragma once
#ifdef HTP_WITH_CUDNN
#include "kernels/conv.h"

namespace htp::kernels::cuda::cudnn {

void conv2d_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dParams& params,
                    const Tensor& out);
void conv2d_backward_input(const Tensor& grad_out, const Tensor& weight, const Conv2dParams& params,
                           const Tensor& grad_in);
void conv2d_backward_weight(const Tensor& grad_out, const Tensor& x, const Conv2dParams& params,
                            const Tensor& grad_weight);
void conv2d_backward_bias(const Tensor& grad_out, const Tensor& grad_bias);

}  // namespace htp::kernels::cuda::cudnn
#endif  // HTP_WITH_CUDNN
