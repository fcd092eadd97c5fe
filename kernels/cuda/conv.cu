// CUDA conv2d (math and shapes: kernels/conv.h): cuDNN when kernels::implementation(OpFamily::conv2d) chooses the
// vendor in a build with cuDNN (kernels/cuda/conv_cudnn.cu), else our kernels:
//   forward, backward input, backward weight: one implicit GEMM each (kernels/cuda/conv_gemm.cuh), reading x, weight
//     and grad_out through the index maps of kernels/cuda/conv_operands.cuh, the GEMM views of kernels/cpu/conv.h
//     with no im2col buffer. Groups are the grid's z dimension.
//   backward weight reduces over batch x OH x OW, usually far longer than its M x N output: it is split over
//     `splits` blocks per output tile (split-K), each writing its own partial [O, K] slice of a scratch buffer, and a
//     second kernel sums the slices in split order. No float atomics: the result is deterministic on a given device
//     (the split count depends on its multiprocessor count).
//   backward bias: one block per output channel, a fixed-shape tree over batch x OH x OW.
// Tiles: forward and backward input take the largest tile (128x128, or 64x128 when a group has at most 64 rows) that
// still gives every multiprocessor a block, else 64x64; backward weight takes 128x128 or 64x128 by its rows and gets
// its parallelism from split-K; float64 always uses 64x64x16. Accumulation is in the tensor's dtype, with FMA
// instructions only: kernels::allow_tf32() changes cuDNN's math (conv_cudnn.cu), not ours.
// Backward input gathers from grad_out per input pixel; with stride s, only 1 in s_h s_w of the taps it visits hits
// an output pixel (the others read 0), so strided layers do s_h s_w times the useful multiply-adds.
#include "kernels/cuda/conv.h"

#include <algorithm>
#include <climits>
#include <type_traits>

#include "kernels/cuda/conv_gemm.cuh"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/runtime.h"
#include "kernels/implementation.h"
#include "tensor/creation.h"
#ifdef HTP_WITH_CUDNN
#include "kernels/cuda/conv_cudnn.h"
#endif

namespace htp::kernels::cuda {
namespace {

using conv::ConvGeometry;
using conv::GemmExtent;
using conv::NchwStore;

constexpr int64_t kMinSplitLength = 256;  // split-K: reduction elements per split, at least
constexpr int64_t kMaxSplits = 256;

int64_t cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

int multiprocessors(int device) { return device_properties(device).multiProcessorCount; }

// One convolution's sizes as ints; throws when an extent or a per-image offset that the kernels index with 32-bit
// ints does not fit.
ConvGeometry geometry(const Shape& x, const Shape& w, const Shape& y, const Conv2dParams& p, const char* op) {
  const int64_t N = x[0], C = x[1], H = x[2], W = x[3], O = w[0], OH = y[2], OW = y[3];
  const int64_t largest = std::max({N * OH * OW, N * H * W, C * H * W, O * OH * OW, O * w[1] * w[2] * w[3]});
  const int64_t reach = std::max({H + 2 * p.padding[0], W + 2 * p.padding[1], p.stride[0] * OH, p.stride[1] * OW,
                                  p.dilation[0] * w[2], p.dilation[1] * w[3]});
  HTP_CHECK(largest <= INT_MAX && reach <= INT_MAX / 8, op, ": input ", shape_str(x), ", weight ", shape_str(w),
            " and output ", shape_str(y), " exceed the 32-bit indexing of the CUDA kernels");
  ConvGeometry s{};
  s.N = static_cast<int>(N), s.C = static_cast<int>(C), s.H = static_cast<int>(H), s.W = static_cast<int>(W);
  s.O = static_cast<int>(O), s.OH = static_cast<int>(OH), s.OW = static_cast<int>(OW);
  s.kh = static_cast<int>(w[2]), s.kw = static_cast<int>(w[3]);
  s.sh = static_cast<int>(p.stride[0]), s.sw = static_cast<int>(p.stride[1]);
  s.ph = static_cast<int>(p.padding[0]), s.pw = static_cast<int>(p.padding[1]);
  s.dh = static_cast<int>(p.dilation[0]), s.dw = static_cast<int>(p.dilation[1]);
  s.G = static_cast<int>(p.groups), s.Cg = s.C / s.G, s.Og = s.O / s.G;
  s.HW = s.H * s.W, s.P = s.OH * s.OW, s.khw = s.kh * s.kw, s.K = s.Cg * s.khw;
  return s;
}

enum class TileChoice { t128, t64x128, t64 };

// The largest tile that still gives every multiprocessor a block (M rows per group, N columns, Z groups x splits).
TileChoice choose_tile(int64_t M, int64_t N, int64_t Z, int device) {
  const int64_t sms = multiprocessors(device);
  if (M > 64 && cdiv(M, 128) * cdiv(N, 128) * Z >= sms) return TileChoice::t128;
  if (M <= 64 && cdiv(M, 64) * cdiv(N, 128) * Z >= sms) return TileChoice::t64x128;
  return TileChoice::t64;
}

// f(TileT{}) for the chosen tile; float64 always takes the 64x64x16 tile.
template <class T, class F>
void with_tile(TileChoice choice, F&& f) {
  if constexpr (std::is_same_v<T, double>) {
    f(conv::Tile64{});
  } else {
    switch (choice) {
      case TileChoice::t128: return f(conv::Tile128{});
      case TileChoice::t64x128: return f(conv::Tile64x128{});
      case TileChoice::t64: return f(conv::Tile64{});
    }
  }
}

template <class T, class TileT, class A, class B>
void run_gemm(const A& a, const B& b, const NchwStore<T>& epi, const GemmExtent& e, int groups, int device,
              const char* op) {
  const int64_t gy = cdiv(e.M, TileT::BM), gz = static_cast<int64_t>(groups) * e.splits;
  HTP_CHECK(gy <= 65535 && gz <= 65535, op, ": ", e.M, " rows per group and ", gz,
            " groups x splits exceed the CUDA grid");
  const dim3 grid(static_cast<unsigned>(cdiv(e.N, TileT::BN)), static_cast<unsigned>(gy), static_cast<unsigned>(gz));
  conv::implicit_gemm_kernel<T, TileT><<<grid, conv::kGemmThreads, 0, stream(device)>>>(a, b, epi, e);
  check_launch(op);
}

// ---- forward: Y_g[Og, N P] = W_g[Og, K] X_g[K, N P] + bias -----------------------------------------------------

template <class T>
void forward_ours(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dParams& params,
                  const Tensor& out) {
  const char* op = "conv2d";
  const ConvGeometry s = geometry(x.shape(), weight.shape(), out.shape(), params, op);
  const int device = x.device().index;
  const GemmExtent e{s.Og, s.N * s.P, s.K, 1, s.K};
  const NchwStore<T> epi{out.data<T>(), bias.defined() ? bias.data<T>() : nullptr, 0, s.O, s.Og, s.P};
  with_tile<T>(choose_tile(e.M, e.N, s.G, device), [&](auto tile) {
    using TileT = decltype(tile);
    const conv::RunRows<T, TileT::BM, TileT::BK> a{weight.data<T>(), s.Og, s.K, 0, s.K,
                                                   static_cast<int64_t>(s.Og) * s.K};
    const conv::PatchRows<T, TileT::BN, TileT::BK> b{x.data<T>(), s, s.N * s.P};
    run_gemm<T, TileT>(a, b, epi, e, s.G, device, op);
  });
}

// ---- backward input: GX_g[Cg, N H W] = W_g^T[Cg, Og kh kw] GY_g[Og kh kw, N H W] (gathered) ------------------------

template <class T>
void backward_input_ours(const Tensor& grad_out, const Tensor& weight, const Conv2dParams& params,
                         const Tensor& grad_in) {
  const char* op = "conv2d_backward_input";
  const ConvGeometry s = geometry(grad_in.shape(), weight.shape(), grad_out.shape(), params, op);
  const int device = grad_out.device().index;
  const int reduction = s.Og * s.khw;
  const GemmExtent e{s.Cg, s.N * s.HW, reduction, 1, reduction};
  const NchwStore<T> epi{grad_in.data<T>(), nullptr, 0, s.C, s.Cg, s.HW};
  with_tile<T>(choose_tile(e.M, e.N, s.G, device), [&](auto tile) {
    using TileT = decltype(tile);
    const conv::RunRows<T, TileT::BM, TileT::BK> a{weight.data<T>(), s.Cg, s.khw, static_cast<int64_t>(s.K), s.khw,
                                                   static_cast<int64_t>(s.Og) * s.K};
    const conv::GradRows<T, TileT::BN, TileT::BK> b{grad_out.data<T>(), s, s.N * s.HW};
    run_gemm<T, TileT>(a, b, epi, e, s.G, device, op);
  });
}

// ---- backward weight: GW_g[Og, K] = GY_g[Og, N P] X_g^T[N P, K], split over N P ------------------------------------

template <class T>
__global__ void __launch_bounds__(kThreads) sum_splits_kernel(const T* partial, T* out, int64_t count, int splits) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += step) {
    T acc = partial[i];
    for (int s = 1; s < splits; ++s) acc += partial[s * count + i];
    out[i] = acc;
  }
}

// Splits of a reduction of `length` for `tiles` output tiles: enough blocks for two per multiprocessor, each split
// at least kMinSplitLength long.
int split_count(int64_t tiles, int64_t length, int groups, int device) {
  const int64_t want = cdiv(2 * static_cast<int64_t>(multiprocessors(device)), tiles);
  const int64_t most = std::min({kMaxSplits, std::max<int64_t>(1, length / kMinSplitLength),
                                 std::max<int64_t>(1, 65535 / groups)});
  return static_cast<int>(std::clamp<int64_t>(want, 1, most));
}

template <class T>
void backward_weight_ours(const Tensor& grad_out, const Tensor& x, const Conv2dParams& params,
                          const Tensor& grad_weight) {
  const char* op = "conv2d_backward_weight";
  const ConvGeometry s = geometry(x.shape(), grad_weight.shape(), grad_out.shape(), params, op);
  const int device = x.device().index;
  const int length = s.N * s.P;
  with_tile<T>(s.Og > 64 ? TileChoice::t128 : TileChoice::t64x128, [&](auto tile) {
    using TileT = decltype(tile);
    const int64_t tiles = cdiv(s.Og, TileT::BM) * cdiv(s.K, TileT::BN) * s.G;
    int splits = length > 0 ? split_count(tiles, length, s.G, device) : 1;
    const int chunk = static_cast<int>(cdiv(cdiv(length, splits), TileT::BK) * TileT::BK);
    if (length > 0) splits = static_cast<int>(cdiv(length, chunk));
    const GemmExtent e{s.Og, s.K, length, splits, chunk};
    const conv::RunRows<T, TileT::BM, TileT::BK> a{grad_out.data<T>(), s.Og, s.P, static_cast<int64_t>(s.O) * s.P,
                                                   s.P, static_cast<int64_t>(s.Og) * s.P};
    const conv::PatchCols<T, TileT::BN, TileT::BK> b{x.data<T>(), s, s.K};
    const int64_t count = static_cast<int64_t>(s.O) * s.K;
    if (splits == 1) {
      run_gemm<T, TileT>(a, b, NchwStore<T>{grad_weight.data<T>(), nullptr, 0, s.O, s.Og, s.K}, e, s.G, device, op);
      return;
    }
    const Tensor partial = empty({splits * count}, grad_weight.dtype(), grad_weight.device());
    run_gemm<T, TileT>(a, b, NchwStore<T>{partial.data<T>(), nullptr, count, s.O, s.Og, s.K}, e, s.G, device, op);
    sum_splits_kernel<T><<<grid_size(device, count), kThreads, 0, stream(device)>>>(
        partial.data<T>(), grad_weight.data<T>(), count, splits);
    check_launch(op);
  });
}

// ---- backward bias: gb[o] = sum over n, p of gy[n, o, p] -----------------------------------------------------------

template <class T>
__global__ void __launch_bounds__(kThreads) bias_grad_kernel(const T* gy, T* gb, int64_t N, int64_t O, int64_t P) {
  __shared__ T warp_sums[kThreads / 32];
  for (int64_t o = blockIdx.x; o < O; o += gridDim.x) {
    T acc = 0;
    for (int64_t e = threadIdx.x; e < N * P; e += kThreads) {
      const int64_t n = e / P;
      acc += gy[(n * O + o) * P + (e - n * P)];
    }
#pragma unroll
    for (int mask = 16; mask > 0; mask /= 2) acc += __shfl_xor_sync(0xffffffffu, acc, mask);
    if (threadIdx.x % 32 == 0) warp_sums[threadIdx.x / 32] = acc;
    __syncthreads();
    if (threadIdx.x == 0) {
      T total = warp_sums[0];
      for (int w = 1; w < kThreads / 32; ++w) total += warp_sums[w];
      gb[o] = total;
    }
    __syncthreads();  // warp_sums is reused by the next channel
  }
}

template <class T>
void backward_bias_ours(const Tensor& grad_out, const Tensor& grad_bias) {
  const int device = grad_out.device().index;
  const int64_t N = grad_out.size(0), O = grad_out.size(1), P = grad_out.size(2) * grad_out.size(3);
  const int blocks = grid_size(device, O * kThreads);
  bias_grad_kernel<T><<<blocks, kThreads, 0, stream(device)>>>(grad_out.data<T>(), grad_bias.data<T>(), N, O, P);
  check_launch("conv2d_backward_bias");
}

#ifdef HTP_WITH_CUDNN
bool cudnn_chosen() { return implementation(OpFamily::conv2d) == Implementation::vendor; }
#endif

}  // namespace

void conv2d_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dParams& params,
                    const Tensor& out) {
  if (out.numel() == 0) return;
  DeviceGuard guard(x.device().index);
#ifdef HTP_WITH_CUDNN
  if (cudnn_chosen() && x.numel() > 0 && weight.numel() > 0) return cudnn::conv2d_forward(x, weight, bias, params, out);
#endif
  dispatch_floating(x.dtype(), "conv2d",
                    [&](auto tag) { forward_ours<decltype(tag)>(x, weight, bias, params, out); });
}

void conv2d_backward_input(const Tensor& grad_out, const Tensor& weight, const Conv2dParams& params,
                           const Tensor& grad_in) {
  if (grad_in.numel() == 0) return;
  DeviceGuard guard(grad_out.device().index);
#ifdef HTP_WITH_CUDNN
  if (cudnn_chosen() && grad_out.numel() > 0 && weight.numel() > 0)
    return cudnn::conv2d_backward_input(grad_out, weight, params, grad_in);
#endif
  dispatch_floating(grad_out.dtype(), "conv2d_backward_input",
                    [&](auto tag) { backward_input_ours<decltype(tag)>(grad_out, weight, params, grad_in); });
}

void conv2d_backward_weight(const Tensor& grad_out, const Tensor& x, const Conv2dParams& params,
                            const Tensor& grad_weight) {
  if (grad_weight.numel() == 0) return;
  DeviceGuard guard(grad_out.device().index);
#ifdef HTP_WITH_CUDNN
  if (cudnn_chosen() && grad_out.numel() > 0 && x.numel() > 0)
    return cudnn::conv2d_backward_weight(grad_out, x, params, grad_weight);
#endif
  dispatch_floating(grad_out.dtype(), "conv2d_backward_weight",
                    [&](auto tag) { backward_weight_ours<decltype(tag)>(grad_out, x, params, grad_weight); });
}

void conv2d_backward_bias(const Tensor& grad_out, const Tensor& grad_bias) {
  if (grad_bias.numel() == 0) return;
  DeviceGuard guard(grad_out.device().index);
#ifdef HTP_WITH_CUDNN
  if (cudnn_chosen() && grad_out.numel() > 0) return cudnn::conv2d_backward_bias(grad_out, grad_bias);
#endif
  dispatch_floating(grad_out.dtype(), "conv2d_backward_bias",
                    [&](auto tag) { backward_bias_ours<decltype(tag)>(grad_out, grad_bias); });
}

}  // namespace htp::kernels::cuda
