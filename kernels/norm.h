// Normalisation kernels: batch norm (per channel) and layer norm (per row over the last dims). Float32 and float64;
// every tensor argument of one call has the input's dtype and device.
//
// batch_norm, x of shape [N, C] or [N, C, *]; statistics per channel c over its M = N * prod(*) elements:
//   training: mean_c = sum(x) / M, var_c = sum((x - mean_c)^2) / M (biased), invstd_c = 1 / sqrt(var_c + eps),
//             and, when running statistics are given, in place (like PyTorch):
//             running_mean = (1 - momentum) * running_mean + momentum * mean_c
//             running_var  = (1 - momentum) * running_var  + momentum * var_c * M / (M - 1)   (unbiased)
//   eval:     mean_c = running_mean_c, invstd_c = 1 / sqrt(running_var_c + eps)
//   y = (x - mean_c) * invstd_c * weight_c + bias_c        (weight 1 and bias 0 when undefined)
// The forward returns the mean and invstd it normalised with (shape [C]) in both modes; backward takes them back.
// Backward, with g = grad_y and xhat = (x - mean_c) * invstd_c, sums over a channel's M elements:
//   dweight_c = sum(g * xhat), dbias_c = sum(g)
//   training: dx = weight_c * invstd_c * (g - dbias_c / M - xhat * dweight_c / M)   (mean and var depend on x)
//   eval:     dx = weight_c * invstd_c * g
//
// layer_norm over the last K = len(normalized_shape) dims: each row of D = prod(normalized_shape) elements has
//   mean, rstd = 1 / sqrt(var + eps) (biased var);  y = (x - mean) * rstd * weight + bias  (weight, bias of shape
//   normalized_shape, optional). mean and rstd have shape x.shape[:-K] + [1] * K.
// Backward, with xhat = (x - mean) * rstd and gw = g * weight, means over the row's D elements:
//   dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat)),  dweight = sum over rows of g * xhat,  dbias = sum of g
#pragma once
#include "tensor/tensor.h"

namespace htp::kernels {

struct NormForward {
  Tensor y;
  Tensor mean;  // the statistics y was normalised with (see above for their shapes)
  Tensor invstd;
};

struct NormGrads {
  Tensor dx, dweight, dbias;  // undefined where not requested
};

struct NormGradMask {
  bool x = true, weight = true, bias = true;
};

// weight, bias, running_mean, running_var: [C] or undefined. Eval needs the running statistics.
NormForward batch_norm_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                               const Tensor& running_var, bool training, double momentum, double eps);
// save_mean, save_invstd: the forward's mean and invstd; `training` must be the forward's mode.
NormGrads batch_norm_backward(const Tensor& grad_y, const Tensor& x, const Tensor& weight, const Tensor& save_mean,
                              const Tensor& save_invstd, bool training, NormGradMask mask = {});

// weight, bias: of shape normalized_shape, or undefined.
NormForward layer_norm_forward(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                               double eps);
NormGrads layer_norm_backward(const Tensor& grad_y, const Tensor& x, const Shape& normalized_shape, const Tensor& mean,
                              const Tensor& rstd, const Tensor& weight, NormGradMask mask = {});

}  // namespace htp::kernels
