// batch norm through cuDNN's legacy batch-normalisation API (cudnnBatchNormalizationForwardTraining /
// ForwardInference / Backward; deprecated in cuDNN 9 but shipped, and silent unless CUDNN_WARN_DEPRECATED is
// defined). What runs, the conventions relied on and the fallbacks to ours: kernels/cuda/norm_cudnn.h.
//
// Descriptors: one set per thread (x as NCHW [N, C, S, 1], the per-channel tensors as [1, C, 1, 1]), re-set on each
// call (cheap host-side structs), like conv_cudnn.cu's. All calls go through cudnn_handle(device), bound to
// stream(device), so they are ordered with our kernels and with the allocator's stream-ordered frees of the
// ones / zeros / scratch tensors made here.
#ifdef HTP_WITH_CUDNN
#include "kernels/cuda/norm_cudnn.h"

#include <climits>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/cudnn_check.h"
#include "kernels/cuda/cudnn_handle.h"
#include "kernels/cuda/math.cuh"
#include "kernels/cuda/runtime.h"
#include "tensor/creation.h"

namespace htp::kernels::cuda::cudnn {
namespace {

// Passed as the backward's epsilon: cuDNN normalises with the saved invstd we give it (see the header), so the value
// does not enter the math; it only has to be one cuDNN accepts.
constexpr double kBackwardEpsilon = CUDNN_BN_MIN_EPSILON > 1e-5 ? CUDNN_BN_MIN_EPSILON : 1e-5;

cudnnDataType_t data_type(DType dt) { return dt == DType::f64 ? CUDNN_DATA_DOUBLE : CUDNN_DATA_FLOAT; }

// alpha = 1 and beta = 0 in the type cuDNN reads them in: double for double data, float otherwise.
struct Scaling {
  double d1 = 1, d0 = 0;
  float f1 = 1, f0 = 0;
};
const Scaling kScaling;
const void* one(DType dt) { return dt == DType::f64 ? static_cast<const void*>(&kScaling.d1) : &kScaling.f1; }
const void* zero(DType dt) { return dt == DType::f64 ? static_cast<const void*>(&kScaling.d0) : &kScaling.f0; }

struct Descriptors {
  cudnnTensorDescriptor_t x = nullptr, param = nullptr;

  Descriptors() {
    const char* op = "batch_norm (cuDNN descriptors)";
    HTP_CUDNN_CHECK(cudnnCreateTensorDescriptor(&x), op);
    HTP_CUDNN_CHECK(cudnnCreateTensorDescriptor(&param), op);
  }
  ~Descriptors() {  // at thread exit; host memory only, nothing to report
    cudnnDestroyTensorDescriptor(x);
    cudnnDestroyTensorDescriptor(param);
  }
  Descriptors(const Descriptors&) = delete;
  Descriptors& operator=(const Descriptors&) = delete;
};

// The thread's descriptors set for x as [N, C, S] (NCHW [N, C, S, 1]) and its per-channel tensors [1, C, 1, 1].
Descriptors& describe(const Tensor& x, const char* op) {
  thread_local Descriptors d;
  const cudnnDataType_t dt = data_type(x.dtype());
  const int n = static_cast<int>(x.size(0)), c = static_cast<int>(x.size(1)), s = static_cast<int>(x.size(2));
  HTP_CUDNN_CHECK(cudnnSetTensor4dDescriptor(d.x, CUDNN_TENSOR_NCHW, dt, n, c, s, 1), op);
  HTP_CUDNN_CHECK(cudnnSetTensor4dDescriptor(d.param, CUDNN_TENSOR_NCHW, dt, 1, c, 1, 1), op);
  return d;
}

// `t`, or a [C] tensor of `value` on x's device when t is undefined (a missing weight or bias).
Tensor or_constant(const Tensor& t, double value, const Tensor& x) {
  if (t.defined()) return t;
  return value == 1.0 ? ones({x.size(1)}, x.dtype(), x.device()) : zeros({x.size(1)}, x.dtype(), x.device());
}

// `t`, or uninitialised scratch of `shape` for an output cuDNN writes but nobody asked for.
Tensor or_scratch(const Tensor& t, const Shape& shape, const Tensor& x) {
  return t.defined() ? t : empty(shape, x.dtype(), x.device());
}

// Eval mode: cuDNN's inference returns y only; the statistics y was normalised with, as ours computes them.
template <class T>
__global__ void __launch_bounds__(kThreads) eval_stats_kernel(const T* running_mean, const T* running_var, double eps,
                                                              int64_t C, T* save_mean, T* save_invstd) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < C; c += step) {
    save_mean[c] = running_mean[c];
    save_invstd[c] = static_cast<T>(1.0 / math::sqrt(static_cast<double>(running_var[c]) + eps));
  }
}

bool shape_supported(const Tensor& x) {
  if (x.dtype() != DType::f32 && x.dtype() != DType::f64) return false;
  if (x.dim() != 3 || x.numel() == 0) return false;
  return x.numel() <= INT_MAX;  // then every dimension and stride fits an int too
}

void write_eval_stats(const Tensor& running_mean, const Tensor& running_var, double eps, const Tensor& save_mean,
                      const Tensor& save_invstd) {
  const int device = save_mean.device().index;
  const int64_t C = save_mean.numel();
  dispatch_floating(save_mean.dtype(), "batch_norm (cuDNN)", [&](auto tag) {
    using T = decltype(tag);
    eval_stats_kernel<T><<<grid_size(device, C), kThreads, 0, stream(device)>>>(
        running_mean.data<T>(), running_var.data<T>(), eps, C, save_mean.data<T>(), save_invstd.data<T>());
  });
  check_launch("batch_norm (cuDNN)");
}

}  // namespace

bool batch_norm_forward_supported(const Tensor& x, double eps) {
  return shape_supported(x) && eps >= CUDNN_BN_MIN_EPSILON;  // false for a NaN eps too
}

bool batch_norm_backward_supported(const Tensor& x, bool training) { return training && shape_supported(x); }

void batch_norm_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                        const Tensor& running_var, bool training, double momentum, double eps, const Tensor& y,
                        const Tensor& save_mean, const Tensor& save_invstd) {
  const char* op = "batch_norm (cuDNN)";
  const DType dt = x.dtype();
  const cudnnHandle_t h = cudnn_handle(x.device().index);
  const Descriptors& d = describe(x, op);
  const Tensor w = or_constant(weight, 1.0, x), b = or_constant(bias, 0.0, x);
  if (training) {
    // Null running statistics: cuDNN skips the update (both must be null together; kernels/norm.cpp checks that).
    void* rm = running_mean.defined() ? running_mean.raw_data() : nullptr;
    void* rv = running_var.defined() ? running_var.raw_data() : nullptr;
    HTP_CUDNN_CHECK(cudnnBatchNormalizationForwardTraining(h, CUDNN_BATCHNORM_SPATIAL, one(dt), zero(dt), d.x,
                                                           x.raw_data(), d.x, y.raw_data(), d.param, w.raw_data(),
                                                           b.raw_data(), momentum, rm, rv, eps, save_mean.raw_data(),
                                                           save_invstd.raw_data()),
                    op);
  } else {
    HTP_CUDNN_CHECK(cudnnBatchNormalizationForwardInference(h, CUDNN_BATCHNORM_SPATIAL, one(dt), zero(dt), d.x,
                                                            x.raw_data(), d.x, y.raw_data(), d.param, w.raw_data(),
                                                            b.raw_data(), running_mean.raw_data(),
                                                            running_var.raw_data(), eps),
                    op);
    write_eval_stats(running_mean, running_var, eps, save_mean, save_invstd);
  }
}

void batch_norm_backward(const Tensor& grad_y, const Tensor& x, const Tensor& weight, const Tensor& save_mean,
                         const Tensor& save_invstd, bool training, const Tensor& dx, const Tensor& dweight,
                         const Tensor& dbias) {
  const char* op = "batch_norm_backward (cuDNN)";
  HTP_CHECK(training, op, ": cuDNN's backward is the training-mode one (the eval-mode backward runs ours)");
  if (!dx.defined() && !dweight.defined() && !dbias.defined()) return;
  const DType dt = x.dtype();
  const cudnnHandle_t h = cudnn_handle(x.device().index);
  const Descriptors& d = describe(x, op);
  const Tensor w = or_constant(weight, 1.0, x);
  const Shape channels{x.size(1)};
  const Tensor gx = or_scratch(dx, x.shape(), x), gw = or_scratch(dweight, channels, x),
               gb = or_scratch(dbias, channels, x);
  HTP_CUDNN_CHECK(cudnnBatchNormalizationBackward(h, CUDNN_BATCHNORM_SPATIAL, one(dt), zero(dt), one(dt), zero(dt),
                                                  d.x, x.raw_data(), d.x, grad_y.raw_data(), d.x, gx.raw_data(),
                                                  d.param, w.raw_data(), gw.raw_data(), gb.raw_data(),
                                                  kBackwardEpsilon, save_mean.raw_data(), save_invstd.raw_data()),
                  op);
}

}  // namespace htp::kernels::cuda::cudnn
#endif  // HTP_WITH_CUDNN
