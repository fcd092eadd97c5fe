// CPU normalisation kernels (math in kernels/norm.h). kernels/norm.cpp validates the arguments and passes contiguous
// tensors of one float dtype, reshaped: batch norm's x, y, grad_y, dx as [N, C, S] and its per-channel tensors as [C];
// layer norm's x, y, grad_y, dx as [M, D], weight/bias/dweight/dbias as [D] and mean/rstd as [M].
// Optional inputs (weight, bias, running statistics) and unrequested outputs are undefined tensors.
#pragma once
#include "tensor/tensor.h"

namespace htp::kernels::cpu {

// Writes y, save_mean and save_invstd; in training also updates running_mean/running_var in place when defined.
void batch_norm_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                        const Tensor& running_var, bool training, double momentum, double eps, const Tensor& y,
                        const Tensor& save_mean, const Tensor& save_invstd);
void batch_norm_backward(const Tensor& grad_y, const Tensor& x, const Tensor& weight, const Tensor& save_mean,
                         const Tensor& save_invstd, bool training, const Tensor& dx, const Tensor& dweight,
                         const Tensor& dbias);

void layer_norm_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps, const Tensor& y,
                        const Tensor& mean, const Tensor& rstd);
void layer_norm_backward(const Tensor& grad_y, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight, const Tensor& dx, const Tensor& dweight, const Tensor& dbias);

}  // namespace htp::kernels::cpu
