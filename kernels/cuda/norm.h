// CUDA twins of kernels/cpu/norm.h: same names, signatures and semantics (math in kernels/norm.h), the same
// contiguous reshaped arguments ([N, C, S] / [C] for batch norm, [M, D] / [D] / [M] for layer norm) on one CUDA device.
#pragma once
#include "tensor/tensor.h"

namespace htp::kernels::cuda {

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

}  // namespace htp::kernels::cuda
