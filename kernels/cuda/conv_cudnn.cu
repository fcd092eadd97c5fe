// conv2d through cuDNN's legacy convolution API (cudnnConvolutionForward / BackwardData / BackwardFilter /
// BackwardBias; deprecated in cuDNN 9 but shipped, and silent unless CUDNN_WARN_DEPRECATED is defined).
//
// Descriptors: NCHW tensors x, y and the bias [1, O, 1, 1], the filter [O, C/groups, kh, kw], a cross-correlation
// with the group count; one set per thread, re-set on each call (cheap host-side structs).
// Math: float32 uses CUDNN_FMA_MATH unless kernels::allow_tf32() (then CUDNN_TENSOR_OP_MATH, TF32 tensor cores).
// CUDNN_DEFAULT_MATH is not "no TF32": since cuDNN 8 it permits TF32 for float32 on sm_80+, which would break the
// float32 contract of kernels/implementation.h. float64 uses CUDNN_DEFAULT_MATH.
// Algorithm: the first of cuDNN's heuristic ranking (cudnnGetConvolution*Algorithm_v7) that reports success, needs
// at most kMaxWorkspace bytes and, for FMA math, runs FMA math; cached per (pass, device, dtype, math, shapes,
// params), and run with the math type it was ranked with. Its workspace comes from our caching allocator (a u8 tensor on the device, freed in stream order).
// Forward adds the bias with cudnnAddTensor after the convolution.
#ifdef HTP_WITH_CUDNN
#include "kernels/cuda/conv_cudnn.h"

#include <array>
#include <map>
#include <mutex>
#include <vector>

#include "kernels/cuda/cudnn_check.h"
#include "kernels/cuda/cudnn_handle.h"
#include "kernels/implementation.h"
#include "tensor/creation.h"

namespace htp::kernels::cuda::cudnn {
namespace {

constexpr size_t kMaxWorkspace = size_t{1} << 30;

enum class Pass { forward, backward_input, backward_weight };

cudnnDataType_t data_type(DType dt) { return dt == DType::f64 ? CUDNN_DATA_DOUBLE : CUDNN_DATA_FLOAT; }

cudnnMathType_t math_type(DType dt) {
  if (dt == DType::f64) return CUDNN_DEFAULT_MATH;
  return allow_tf32() ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH;
}

// alpha = 1 and beta = 0 in the type cuDNN reads them in: double for double data, float otherwise.
struct Scaling {
  double d1 = 1, d0 = 0;
  float f1 = 1, f0 = 0;
};
const Scaling kScaling;
const void* one(DType dt) { return dt == DType::f64 ? static_cast<const void*>(&kScaling.d1) : &kScaling.f1; }
const void* zero(DType dt) { return dt == DType::f64 ? static_cast<const void*>(&kScaling.d0) : &kScaling.f0; }

struct Descriptors {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr, bias = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;

  Descriptors() {
    const char* op = "conv2d (cuDNN descriptors)";
    HTP_CUDNN_CHECK(cudnnCreateTensorDescriptor(&x), op);
    HTP_CUDNN_CHECK(cudnnCreateTensorDescriptor(&y), op);
    HTP_CUDNN_CHECK(cudnnCreateTensorDescriptor(&bias), op);
    HTP_CUDNN_CHECK(cudnnCreateFilterDescriptor(&w), op);
    HTP_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&conv), op);
  }
  ~Descriptors() {  // at thread exit; host memory only, nothing to report
    cudnnDestroyTensorDescriptor(x);
    cudnnDestroyTensorDescriptor(y);
    cudnnDestroyTensorDescriptor(bias);
    cudnnDestroyFilterDescriptor(w);
    cudnnDestroyConvolutionDescriptor(conv);
  }
  Descriptors(const Descriptors&) = delete;
  Descriptors& operator=(const Descriptors&) = delete;
};

Descriptors& thread_descriptors() {
  thread_local Descriptors d;
  return d;
}

void set_tensor(cudnnTensorDescriptor_t d, const Shape& s, DType dt, const char* op) {
  HTP_CUDNN_CHECK(cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NCHW, data_type(dt), static_cast<int>(s[0]),
                                             static_cast<int>(s[1]), static_cast<int>(s[2]), static_cast<int>(s[3])),
                  op);
}

// The thread's descriptors set for x, weight and y shapes and `p`.
Descriptors& describe(const Shape& x, const Shape& w, const Shape& y, const Conv2dParams& p, DType dt,
                      const char* op) {
  Descriptors& d = thread_descriptors();
  set_tensor(d.x, x, dt, op);
  set_tensor(d.y, y, dt, op);
  HTP_CUDNN_CHECK(cudnnSetFilter4dDescriptor(d.w, data_type(dt), CUDNN_TENSOR_NCHW, static_cast<int>(w[0]),
                                             static_cast<int>(w[1]), static_cast<int>(w[2]), static_cast<int>(w[3])),
                  op);
  HTP_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(d.conv, static_cast<int>(p.padding[0]), static_cast<int>(p.padding[1]),
                                                  static_cast<int>(p.stride[0]), static_cast<int>(p.stride[1]),
                                                  static_cast<int>(p.dilation[0]), static_cast<int>(p.dilation[1]),
                                                  CUDNN_CROSS_CORRELATION, data_type(dt)),
                  op);
  HTP_CUDNN_CHECK(cudnnSetConvolutionGroupCount(d.conv, static_cast<int>(p.groups)), op);
  HTP_CUDNN_CHECK(cudnnSetConvolutionMathType(d.conv, math_type(dt)), op);
  return d;
}

void set_bias(Descriptors& d, int64_t channels, DType dt, const char* op) {
  set_tensor(d.bias, {1, channels, 1, 1}, dt, op);
}

// ---- algorithm choice, cached --------------------------------------------------------------------------------------

using Key = std::array<int64_t, 19>;

Key key_of(Pass pass, int device, DType dt, const Shape& x, const Shape& w, const Conv2dParams& p) {
  return {static_cast<int64_t>(pass), device, static_cast<int64_t>(dt), static_cast<int64_t>(math_type(dt)),
          x[0], x[1], x[2], x[3], w[0], w[1], w[2], w[3], p.stride[0], p.stride[1], p.padding[0], p.padding[1],
          p.dilation[0], p.dilation[1], p.groups};
}

// An algorithm (a cudnnConvolution*Algo_t value) and the math type it was ranked with, which the convolution
// descriptor must carry when it runs.
struct Choice {
  int algo;
  cudnnMathType_t math;
};

std::mutex g_cache_mutex;
std::map<Key, Choice> g_cache;

template <class Perf>
Choice first_usable(const std::vector<Perf>& perf, int returned, cudnnMathType_t math, const char* op) {
  for (int i = 0; i < returned; ++i) {
    const Perf& r = perf[static_cast<size_t>(i)];
    if (r.status == CUDNN_STATUS_SUCCESS && r.memory <= kMaxWorkspace &&
        (math != CUDNN_FMA_MATH || r.mathType == CUDNN_FMA_MATH))
      return {static_cast<int>(r.algo), r.mathType};
  }
  throw Error(detail::concat(op, ": cuDNN's heuristics offer no algorithm for this convolution (", returned,
                             " candidates, none usable)"));
}

// The first usable algorithm of cuDNN's heuristic ranking for `pass` on the described convolution.
Choice rank(Pass pass, const Descriptors& d, int device, cudnnMathType_t math, const char* op) {
  const cudnnHandle_t h = cudnn_handle(device);
  int count = 0, returned = 0;
  Choice choice{};
  switch (pass) {
    case Pass::forward: {
      HTP_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithmMaxCount(h, &count), op);
      std::vector<cudnnConvolutionFwdAlgoPerf_t> perf(static_cast<size_t>(count));
      HTP_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(h, d.x, d.w, d.conv, d.y, count, &returned, perf.data()),
                      op);
      choice = first_usable(perf, returned, math, op);
      break;
    }
    case Pass::backward_input: {
      HTP_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithmMaxCount(h, &count), op);
      std::vector<cudnnConvolutionBwdDataAlgoPerf_t> perf(static_cast<size_t>(count));
      HTP_CUDNN_CHECK(
          cudnnGetConvolutionBackwardDataAlgorithm_v7(h, d.w, d.y, d.conv, d.x, count, &returned, perf.data()), op);
      choice = first_usable(perf, returned, math, op);
      break;
    }
    case Pass::backward_weight: {
      HTP_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(h, &count), op);
      std::vector<cudnnConvolutionBwdFilterAlgoPerf_t> perf(static_cast<size_t>(count));
      HTP_CUDNN_CHECK(
          cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, d.x, d.y, d.conv, d.w, count, &returned, perf.data()), op);
      choice = first_usable(perf, returned, math, op);
      break;
    }
  }
  return choice;
}

// Asks cuDNN's heuristics for `pass` on the described convolution (once per key) and sets the descriptor's math type
// to the chosen algorithm's.
int algorithm(Pass pass, const Key& key, const Descriptors& d, int device, cudnnMathType_t math, const char* op) {
  Choice choice{};
  {
    const std::lock_guard<std::mutex> lock(g_cache_mutex);
    auto it = g_cache.find(key);
    if (it == g_cache.end()) it = g_cache.emplace(key, rank(pass, d, device, math, op)).first;
    choice = it->second;
  }
  HTP_CUDNN_CHECK(cudnnSetConvolutionMathType(d.conv, choice.math), op);
  return choice.algo;
}

// Scratch for cuDNN: `bytes` of device memory from our allocator (undefined when none is needed).
Tensor workspace(size_t bytes, Device device) {
  return bytes == 0 ? Tensor() : empty({static_cast<int64_t>(bytes)}, DType::u8, device);
}
void* data_or_null(const Tensor& t) { return t.defined() ? t.raw_data() : nullptr; }

}  // namespace

void conv2d_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dParams& params,
                    const Tensor& out) {
  const char* op = "conv2d (cuDNN)";
  const DType dt = x.dtype();
  const int device = x.device().index;
  Descriptors& d = describe(x.shape(), weight.shape(), out.shape(), params, dt, op);
  const cudnnHandle_t h = cudnn_handle(device);
  const auto algo = static_cast<cudnnConvolutionFwdAlgo_t>(
      algorithm(Pass::forward, key_of(Pass::forward, device, dt, x.shape(), weight.shape(), params), d, device,
                math_type(dt), op));
  size_t bytes = 0;
  HTP_CUDNN_CHECK(cudnnGetConvolutionForwardWorkspaceSize(h, d.x, d.w, d.conv, d.y, algo, &bytes), op);
  const Tensor ws = workspace(bytes, x.device());
  HTP_CUDNN_CHECK(cudnnConvolutionForward(h, one(dt), d.x, x.raw_data(), d.w, weight.raw_data(), d.conv, algo,
                                          data_or_null(ws), bytes, zero(dt), d.y, out.raw_data()),
                  op);
  if (bias.defined()) {
    set_bias(d, out.size(1), dt, op);
    HTP_CUDNN_CHECK(cudnnAddTensor(h, one(dt), d.bias, bias.raw_data(), one(dt), d.y, out.raw_data()), op);
  }
}

void conv2d_backward_input(const Tensor& grad_out, const Tensor& weight, const Conv2dParams& params,
                           const Tensor& grad_in) {
  const char* op = "conv2d_backward_input (cuDNN)";
  const DType dt = grad_out.dtype();
  const int device = grad_out.device().index;
  Descriptors& d = describe(grad_in.shape(), weight.shape(), grad_out.shape(), params, dt, op);
  const cudnnHandle_t h = cudnn_handle(device);
  const auto algo = static_cast<cudnnConvolutionBwdDataAlgo_t>(
      algorithm(Pass::backward_input, key_of(Pass::backward_input, device, dt, grad_in.shape(), weight.shape(), params),
                d, device, math_type(dt), op));
  size_t bytes = 0;
  HTP_CUDNN_CHECK(cudnnGetConvolutionBackwardDataWorkspaceSize(h, d.w, d.y, d.conv, d.x, algo, &bytes), op);
  const Tensor ws = workspace(bytes, grad_out.device());
  HTP_CUDNN_CHECK(cudnnConvolutionBackwardData(h, one(dt), d.w, weight.raw_data(), d.y, grad_out.raw_data(), d.conv,
                                               algo, data_or_null(ws), bytes, zero(dt), d.x, grad_in.raw_data()),
                  op);
}

void conv2d_backward_weight(const Tensor& grad_out, const Tensor& x, const Conv2dParams& params,
                            const Tensor& grad_weight) {
  const char* op = "conv2d_backward_weight (cuDNN)";
  const DType dt = grad_out.dtype();
  const int device = grad_out.device().index;
  Descriptors& d = describe(x.shape(), grad_weight.shape(), grad_out.shape(), params, dt, op);
  const cudnnHandle_t h = cudnn_handle(device);
  const auto algo = static_cast<cudnnConvolutionBwdFilterAlgo_t>(algorithm(
      Pass::backward_weight, key_of(Pass::backward_weight, device, dt, x.shape(), grad_weight.shape(), params), d,
      device, math_type(dt), op));
  size_t bytes = 0;
  HTP_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterWorkspaceSize(h, d.x, d.y, d.conv, d.w, algo, &bytes), op);
  const Tensor ws = workspace(bytes, grad_out.device());
  HTP_CUDNN_CHECK(cudnnConvolutionBackwardFilter(h, one(dt), d.x, x.raw_data(), d.y, grad_out.raw_data(), d.conv,
                                                 algo, data_or_null(ws), bytes, zero(dt), d.w, grad_weight.raw_data()),
                  op);
}

void conv2d_backward_bias(const Tensor& grad_out, const Tensor& grad_bias) {
  const char* op = "conv2d_backward_bias (cuDNN)";
  const DType dt = grad_out.dtype();
  Descriptors& d = thread_descriptors();
  set_tensor(d.y, grad_out.shape(), dt, op);
  set_bias(d, grad_out.size(1), dt, op);
  HTP_CUDNN_CHECK(cudnnConvolutionBackwardBias(cudnn_handle(grad_out.device().index), one(dt), d.y,
                                               grad_out.raw_data(), zero(dt), d.bias, grad_bias.raw_data()),
                  op);
}

}  // namespace htp::kernels::cuda::cudnn
#endif  // HTP_WITH_CUDNN
