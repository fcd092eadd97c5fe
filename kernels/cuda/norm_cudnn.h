// cuDNN's batch norm, the vendor alternative that kernels/cuda/norm.cu runs when kernels::implementation(
// OpFamily::batch_norm) chooses it (HTP_BATCH_NORM=cudnn) and forward_supported / backward_supported say that cuDNN
// gives our exact semantics (kernels/norm.h) for the case. The signatures and arguments of kernels/cuda/norm.h:
// contiguous x, y, grad_y, dx as [N, C, S] and per-channel tensors as [C], on the current device (the caller holds a
// DeviceGuard). Only in builds with HTP_WITH_CUDNN.
//
// Mapping: [N, C, S] is cuDNN's NCHW [N, C, S, 1] (a 2-D input [N, C] arrives as [N, C, 1] and is [N, C, 1, 1]),
// CUDNN_BATCHNORM_SPATIAL (statistics per channel over N x H x W), per-channel tensors [1, C, 1, 1] in x's dtype.
//   training forward  cudnnBatchNormalizationForwardTraining, exponentialAverageFactor = momentum; cuDNN updates the
//                     running statistics in place (both null when undefined) and writes resultSaveMean /
//                     resultSaveInvVariance straight into save_mean / save_invstd.
//   eval forward      cudnnBatchNormalizationForwardInference for y; save_mean = running_mean and save_invstd =
//                     1 / sqrt(running_var + eps) (in double, like ours) by a small kernel: cuDNN returns neither.
//   training backward cudnnBatchNormalizationBackward with the saved mean and invstd.
// Missing weight / bias: ones / zeros on the device; unrequested gradients: scratch outputs (cuDNN writes all three).
//
// Conventions, which make cuDNN's results ours (the header comments in cudnn_ops.h name the arguments but do not
// state them; they are cuDNN's documented / observed behaviour, to be confirmed on a GPU by
// tests/test_cuda_norm_cudnn.cpp):
//   - resultSaveInvVariance is, despite its name, 1 / sqrt(var + eps) of the biased batch variance: our invstd.
//   - the running variance is updated with the unbiased batch variance var * M / (M - 1), like ours (and PyTorch's,
//     whose cuDNN path gives the same running_var as its native one), so cuDNN's running-stat update is used as is.
//   - the backward normalises with savedMean / savedInvVariance when they are given (always, here); its epsilon
//     argument ("the forward's") is not known to our backward and is passed as kBackwardEpsilon, unused by the math.
//
// Falls back to ours (the predicates return false) for:
//   - a dtype other than float32 / float64 (the public kernel admits no other anyway),
//   - an empty input (N, C or S zero: cuDNN rejects zero dimensions),
//   - more than INT_MAX elements (the legacy descriptors take int dimensions and strides),
//   - eps < CUDNN_BN_MIN_EPSILON (0 in cuDNN 9, 1e-5 before) or NaN,
//   - the eval-mode backward: cuDNN's backward always differentiates through the batch statistics, while ours gives
//     dx = weight * invstd * g there.
#pragma once
#ifdef HTP_WITH_CUDNN
#include "tensor/tensor.h"

namespace htp::kernels::cuda::cudnn {

// Whether cuDNN runs this forward (x as [N, C, S]) with our semantics.
bool batch_norm_forward_supported(const Tensor& x, double eps);
// Whether cuDNN runs this backward with our semantics (training mode only).
bool batch_norm_backward_supported(const Tensor& x, bool training);

void batch_norm_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                        const Tensor& running_var, bool training, double momentum, double eps, const Tensor& y,
                        const Tensor& save_mean, const Tensor& save_invstd);
void batch_norm_backward(const Tensor& grad_y, const Tensor& x, const Tensor& weight, const Tensor& save_mean,
                         const Tensor& save_invstd, bool training, const Tensor& dx, const Tensor& dweight,
                         const Tensor& dbias);

}  // namespace htp::kernels::cuda::cudnn
#endif  // HTP_WITH_CUDNN
