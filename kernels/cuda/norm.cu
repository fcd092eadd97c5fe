// CUDA batch norm and layer norm (math in kernels/norm.h), deterministic: no atomics, every sum in an order fixed by
// the shape alone, accumulated in double like the CPU (kernels/cpu/norm.cpp).
//
// Batch norm, x as [N, C, S]; a channel's M = N * S elements are cut into U = ceil(M / kUnit) units:
//   forward   stats kernel: one block per (channel, unit), two passes over the unit (sum, then squared deviations
//             from the unit's mean), each reduced by warp shuffles and then across the block's warps in warp order;
//             partials (count, mean, M2) per unit. finish kernel: one thread per channel merges its units in unit
//             order (Chan et al.'s pairwise update, exact where E[x^2] - mean^2 would cancel), updates the running
//             statistics, writes mean/invstd and the per-channel scale and shift. apply kernel: y = x * scale + shift.
//             Eval mode skips the stats kernel.
//   backward  sums kernel: sum(g) and sum(g * (x - mean)) per (channel, unit), the same block reduction; finish
//             kernel: dweight, dbias and the dx coefficients per channel; dx kernel: one elementwise pass.
// Layer norm, x as [M, D]: one group per row, a warp for D <= kWarpRowMax, else the whole block; the row's sums go
//   through a butterfly of warp shuffles and, for a block, the warp results in warp order. Forward: sum, squared
//   deviations, then y in one kernel. Backward dx likewise. dweight/dbias are column sums over rows: one thread per
//   (row unit, column), neighbouring threads on neighbouring columns, rows in order; a finish kernel adds each
//   column's units in unit order.
// The per-element formulas are the CPU's, in its dtype and order, with exact:: operations (no fused multiply-add),
// so y and dx match the CPU's bits whenever the per-channel / per-row statistics round to the same values (they are
// double sums in a different order, so they can differ in the last bit of a double, rarely in the result).
// Batch norm runs cuDNN instead when kernels::implementation(OpFamily::batch_norm) chooses the vendor in a build with
// cuDNN and the case is one cuDNN does with our semantics (kernels/cuda/norm_cudnn.h lists the fallbacks to ours).
#include "kernels/cuda/norm.h"

#include <algorithm>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/exact_ops.cuh"
#include "kernels/cuda/math.cuh"
#include "kernels/cuda/runtime.h"
#include "tensor/creation.h"
#ifdef HTP_WITH_CUDNN
#include "kernels/cuda/norm_cudnn.h"
#include "kernels/implementation.h"
#endif

namespace htp::kernels::cuda {
namespace {

constexpr int64_t kUnit = 16384;       // batch norm: elements of a channel per (channel, unit) block
constexpr int64_t kRowUnit = 64;       // layer norm dweight/dbias: rows per partial column sum
constexpr int64_t kWarpRowMax = 1024;  // layer norm: longest row handled by one warp
constexpr int kWarps = kThreads / 32;
constexpr unsigned kFullMask = 0xffffffffu;

template <class T>
const T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}
template <class T>
T* mutable_or_null(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

// Every thread of a kGroupWarps-warp group gets the sum of the group's v (a multi-warp group is the whole block;
// smem holds one slot per warp).
template <int kGroupWarps>
__device__ __forceinline__ double group_sum(double v, double* smem) {
#pragma unroll
  for (int mask = 16; mask > 0; mask /= 2) v += __shfl_xor_sync(kFullMask, v, mask);
  if constexpr (kGroupWarps == 1) {
    return v;
  } else {
    static_assert(kGroupWarps == kWarps, "a multi-warp group is the whole block");
    if (threadIdx.x % 32 == 0) smem[threadIdx.x / 32] = v;
    __syncthreads();
    double r = smem[0];
#pragma unroll
    for (int w = 1; w < kGroupWarps; ++w) r += smem[w];
    __syncthreads();  // the slots are reused by the next reduction
    return r;
  }
}

// ---- batch norm ------------------------------------------------------------------------------------------------

// Element m of channel c in [N, C, S].
__device__ __forceinline__ int64_t channel_offset(int64_t m, int64_t c, int64_t C, int64_t S) {
  const int64_t n = m / S;
  return (n * C + c) * S + (m - n * S);
}

struct Moments {
  double count, mean, m2;  // m2: sum of squared deviations from mean
};

template <class T>
__global__ void __launch_bounds__(kThreads) bn_stats_kernel(const T* x, int64_t C, int64_t S, int64_t M, int64_t U,
                                                            Moments* partial) {
  __shared__ double smem[kWarps];
  for (int64_t item = blockIdx.x; item < C * U; item += gridDim.x) {  // block-uniform
    const int64_t c = item / U, u = item % U;
    const int64_t begin = u * kUnit, end = min(M, begin + kUnit);
    double s = 0;
    for (int64_t m = begin + threadIdx.x; m < end; m += kThreads)
      s += static_cast<double>(x[channel_offset(m, c, C, S)]);
    const double count = static_cast<double>(end - begin);
    const double mean = group_sum<kWarps>(s, smem) / count;
    double q = 0;
    for (int64_t m = begin + threadIdx.x; m < end; m += kThreads) {
      const double d = static_cast<double>(x[channel_offset(m, c, C, S)]) - mean;
      q += d * d;
    }
    q = group_sum<kWarps>(q, smem);
    if (threadIdx.x == 0) partial[c * U + u] = {count, mean, q};
  }
}

template <class T>
struct BnParams {
  const T* weight;  // null: 1
  const T* bias;    // null: 0
  T* running_mean;  // null: no running statistics
  T* running_var;
  T* save_mean;
  T* save_invstd;
  T* scale;  // per channel: y = x * scale + shift
  T* shift;
};

template <class T>
__global__ void __launch_bounds__(kThreads) bn_finish_kernel(const Moments* partial, int64_t C, int64_t M, int64_t U,
                                                             bool training, double momentum, double eps,
                                                             BnParams<T> p) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < C; c += step) {
    double mean, invstd;
    if (training) {
      Moments a = partial[c * U];
      for (int64_t u = 1; u < U; ++u) {
        const Moments b = partial[c * U + u];
        const double n = a.count + b.count, delta = b.mean - a.mean;
        a = {n, a.mean + delta * (b.count / n), a.m2 + b.m2 + delta * delta * (a.count * b.count / n)};
      }
      mean = a.mean;
      const double var = a.m2 / static_cast<double>(M);
      invstd = 1.0 / math::sqrt(var + eps);
      if (p.running_mean) {  // (1 - momentum) * r + momentum * stat, rounded like the CPU's
        const double keep = 1 - momentum;
        p.running_mean[c] = static_cast<T>(
            exact::add(exact::mul(keep, static_cast<double>(p.running_mean[c])), exact::mul(momentum, mean)));
        const double unbiased = exact::mul(momentum, var) * static_cast<double>(M) / static_cast<double>(M - 1);
        p.running_var[c] =
            static_cast<T>(exact::add(exact::mul(keep, static_cast<double>(p.running_var[c])), unbiased));
      }
    } else {
      mean = p.running_mean[c];
      invstd = 1.0 / math::sqrt(static_cast<double>(p.running_var[c]) + eps);
    }
    p.save_mean[c] = static_cast<T>(mean);
    p.save_invstd[c] = static_cast<T>(invstd);
    const double scale = invstd * (p.weight ? static_cast<double>(p.weight[c]) : 1.0);
    p.scale[c] = static_cast<T>(scale);
    p.shift[c] = static_cast<T>(exact::sub(p.bias ? static_cast<double>(p.bias[c]) : 0.0, exact::mul(mean, scale)));
  }
}

template <class T>
__global__ void __launch_bounds__(kThreads) bn_apply_kernel(const T* x, T* y, int64_t n, int64_t C, int64_t S,
                                                            const T* scale, const T* shift) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    const int64_t c = (i / S) % C;
    y[i] = exact::add(exact::mul(x[i], scale[c]), shift[c]);
  }
}

struct GradSums {
  double g, gx;  // sum(g), sum(g * (x - mean))
};

template <class T>
__global__ void __launch_bounds__(kThreads) bn_grad_sums_kernel(const T* g, const T* x, const T* save_mean, int64_t C,
                                                                int64_t S, int64_t M, int64_t U, GradSums* partial) {
  __shared__ double smem[kWarps];
  for (int64_t item = blockIdx.x; item < C * U; item += gridDim.x) {  // block-uniform
    const int64_t c = item / U, u = item % U;
    const int64_t begin = u * kUnit, end = min(M, begin + kUnit);
    const T mean = save_mean[c];
    double sg = 0, sgx = 0;
    for (int64_t m = begin + threadIdx.x; m < end; m += kThreads) {
      const int64_t k = channel_offset(m, c, C, S);
      sg += static_cast<double>(g[k]);
      sgx += static_cast<double>(g[k]) * static_cast<double>(exact::sub(x[k], mean));
    }
    sg = group_sum<kWarps>(sg, smem);
    sgx = group_sum<kWarps>(sgx, smem);
    if (threadIdx.x == 0) partial[c * U + u] = {sg, sgx};
  }
}

template <class T>
struct BnGradParams {
  const T* weight;  // null: 1
  const T* save_invstd;
  T* dweight;  // null: not requested
  T* dbias;
  T* coef;  // 3 per channel: dx = k * (g - shift - (x - mean) * slope)
};

template <class T>
__global__ void __launch_bounds__(kThreads) bn_grad_finish_kernel(const GradSums* partial, int64_t C, int64_t M,
                                                                  int64_t U, bool training, BnGradParams<T> p) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < C; c += step) {
    GradSums s{0, 0};
    if (partial) {
      s = partial[c * U];
      for (int64_t u = 1; u < U; ++u) s = {s.g + partial[c * U + u].g, s.gx + partial[c * U + u].gx};
    }
    const double invstd = p.save_invstd[c];
    if (p.dweight) p.dweight[c] = static_cast<T>(s.gx * invstd);
    if (p.dbias) p.dbias[c] = static_cast<T>(s.g);
    if (!p.coef) continue;
    p.coef[3 * c] = static_cast<T>(invstd * (p.weight ? static_cast<double>(p.weight[c]) : 1.0));
    p.coef[3 * c + 1] = training ? static_cast<T>(s.g / static_cast<double>(M)) : T(0);
    p.coef[3 * c + 2] = training ? static_cast<T>(invstd * invstd * s.gx / static_cast<double>(M)) : T(0);
  }
}

template <class T>
__global__ void __launch_bounds__(kThreads) bn_dx_kernel(const T* g, const T* x, T* dx, int64_t n, int64_t C,
                                                         int64_t S, const T* save_mean, const T* coef) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    const int64_t c = (i / S) % C;
    const T k = coef[3 * c], shift = coef[3 * c + 1], slope = coef[3 * c + 2];
    dx[i] = exact::mul(k, exact::sub(exact::sub(g[i], shift), exact::mul(exact::sub(x[i], save_mean[c]), slope)));
  }
}

// ---- layer norm ------------------------------------------------------------------------------------------------

template <int kGroupWarps, class T>
__global__ void __launch_bounds__(kThreads) ln_forward_kernel(const T* x, const T* w, const T* b, double eps, T* y,
                                                              T* mean, T* rstd, int64_t rows, int64_t D) {
  __shared__ double smem[kWarps];
  constexpr int kGroup = 32 * kGroupWarps, kRowsPerBlock = kThreads / kGroup;
  const int t = threadIdx.x % kGroup;
  for (int64_t r = static_cast<int64_t>(blockIdx.x) * kRowsPerBlock + threadIdx.x / kGroup; r < rows;
       r += static_cast<int64_t>(gridDim.x) * kRowsPerBlock) {  // group-uniform
    const T* xr = x + r * D;
    T* yr = y + r * D;
    double s = 0;
    for (int64_t i = t; i < D; i += kGroup) s += static_cast<double>(xr[i]);
    const double mu = group_sum<kGroupWarps>(s, smem) / static_cast<double>(D);
    double q = 0;
    for (int64_t i = t; i < D; i += kGroup) {
      const double d = static_cast<double>(xr[i]) - mu;
      q += d * d;
    }
    const double inv = 1.0 / math::sqrt(group_sum<kGroupWarps>(q, smem) / static_cast<double>(D) + eps);
    if (t == 0) {
      mean[r] = static_cast<T>(mu);
      rstd[r] = static_cast<T>(inv);
    }
    const T m = static_cast<T>(mu), sc = static_cast<T>(inv);
    for (int64_t i = t; i < D; i += kGroup)
      yr[i] = exact::add(exact::mul(exact::mul(exact::sub(xr[i], m), sc), w ? w[i] : T(1)), b ? b[i] : T(0));
  }
}

template <int kGroupWarps, class T>
__global__ void __launch_bounds__(kThreads) ln_dx_kernel(const T* g, const T* x, const T* mean, const T* rstd,
                                                         const T* w, T* dx, int64_t rows, int64_t D) {
  __shared__ double smem[kWarps];
  constexpr int kGroup = 32 * kGroupWarps, kRowsPerBlock = kThreads / kGroup;
  const int t = threadIdx.x % kGroup;
  for (int64_t r = static_cast<int64_t>(blockIdx.x) * kRowsPerBlock + threadIdx.x / kGroup; r < rows;
       r += static_cast<int64_t>(gridDim.x) * kRowsPerBlock) {  // group-uniform
    const T* gr = g + r * D;
    const T* xr = x + r * D;
    T* dr = dx + r * D;
    const T m = mean[r], s = rstd[r];
    double sum_gw = 0, sum_gwx = 0;
    for (int64_t i = t; i < D; i += kGroup) {
      const double gw = static_cast<double>(gr[i]) * static_cast<double>(w ? w[i] : T(1));
      sum_gw += gw;
      sum_gwx += gw * static_cast<double>(exact::mul(exact::sub(xr[i], m), s));
    }
    const T a = static_cast<T>(group_sum<kGroupWarps>(sum_gw, smem) / static_cast<double>(D));
    const T c = static_cast<T>(group_sum<kGroupWarps>(sum_gwx, smem) / static_cast<double>(D));
    // dx = s * (g * w - mean(g * w) - xhat * mean(g * w * xhat))
    for (int64_t i = t; i < D; i += kGroup) {
      const T gw = exact::mul(gr[i], w ? w[i] : T(1));
      dr[i] = exact::mul(s, exact::sub(exact::sub(gw, a), exact::mul(exact::mul(exact::sub(xr[i], m), s), c)));
    }
  }
}

// Partial column sums over rows [u * kRowUnit, (u + 1) * kRowUnit): pw = sum g * xhat, pb = sum g.
template <class T>
__global__ void __launch_bounds__(kThreads) ln_param_partial_kernel(const T* g, const T* x, const T* mean,
                                                                    const T* rstd, int64_t rows, int64_t D, int64_t U,
                                                                    double* pw, double* pb) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t item = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; item < U * D; item += step) {
    const int64_t u = item / D, j = item - u * D;
    const int64_t end = min(rows, (u + 1) * kRowUnit);
    double aw = 0, ab = 0;
    for (int64_t r = u * kRowUnit; r < end; ++r) {
      const T gv = g[r * D + j];
      aw += static_cast<double>(gv) * static_cast<double>(exact::mul(exact::sub(x[r * D + j], mean[r]), rstd[r]));
      ab += static_cast<double>(gv);
    }
    pw[item] = aw;
    pb[item] = ab;
  }
}

template <class T>
__global__ void __launch_bounds__(kThreads) ln_param_finish_kernel(const double* pw, const double* pb, int64_t D,
                                                                   int64_t U, T* dw, T* db) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t j = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; j < D; j += step) {
    double aw = 0, ab = 0;
    for (int64_t u = 0; u < U; ++u) {
      aw += pw[u * D + j];
      ab += pb[u * D + j];
    }
    if (dw) dw[j] = static_cast<T>(aw);
    if (db) db[j] = static_cast<T>(ab);
  }
}

// ---- host side -------------------------------------------------------------------------------------------------

Tensor scratch(int64_t bytes, const Tensor& like) { return empty({bytes}, DType::u8, like.device()); }

template <class T>
void bn_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                const Tensor& running_var, bool training, double momentum, double eps, const Tensor& y,
                const Tensor& save_mean, const Tensor& save_invstd) {
  const int64_t N = x.size(0), C = x.size(1), S = x.size(2), M = N * S;
  if (C == 0) return;
  const int device = x.device().index;
  const cudaStream_t s = stream(device);
  const int64_t U = std::max<int64_t>(1, (M + kUnit - 1) / kUnit);
  const Tensor partial = training ? scratch(C * U * static_cast<int64_t>(sizeof(Moments)), x) : Tensor();
  const Tensor coef = empty({2 * C}, x.dtype(), x.device());
  Moments* pp = training ? static_cast<Moments*>(partial.raw_data()) : nullptr;
  if (training) {
    bn_stats_kernel<<<grid_size(device, C * U * kThreads), kThreads, 0, s>>>(x.data<T>(), C, S, M, U, pp);
    check_launch("batch_norm");
  }
  const BnParams<T> p{data_or_null<T>(weight), data_or_null<T>(bias), mutable_or_null<T>(running_mean),
                      mutable_or_null<T>(running_var), save_mean.data<T>(), save_invstd.data<T>(), coef.data<T>(),
                      coef.data<T>() + C};
  bn_finish_kernel<<<grid_size(device, C), kThreads, 0, s>>>(pp, C, M, U, training, momentum, eps, p);
  check_launch("batch_norm");
  if (x.numel() == 0) return;
  bn_apply_kernel<<<grid_size(device, x.numel()), kThreads, 0, s>>>(x.data<T>(), y.data<T>(), x.numel(), C, S, p.scale,
                                                                    p.shift);
  check_launch("batch_norm");
}

template <class T>
void bn_backward(const Tensor& grad_y, const Tensor& x, const Tensor& weight, const Tensor& save_mean,
                 const Tensor& save_invstd, bool training, const Tensor& dx, const Tensor& dweight,
                 const Tensor& dbias) {
  const int64_t N = x.size(0), C = x.size(1), S = x.size(2), M = N * S;
  if (C == 0) return;
  const int device = x.device().index;
  const cudaStream_t s = stream(device);
  const int64_t U = std::max<int64_t>(1, (M + kUnit - 1) / kUnit);
  const bool need_sums = dweight.defined() || dbias.defined() || (dx.defined() && training);
  const Tensor partial = need_sums ? scratch(C * U * static_cast<int64_t>(sizeof(GradSums)), x) : Tensor();
  GradSums* pp = need_sums ? static_cast<GradSums*>(partial.raw_data()) : nullptr;
  if (need_sums) {
    bn_grad_sums_kernel<<<grid_size(device, C * U * kThreads), kThreads, 0, s>>>(
        grad_y.data<T>(), x.data<T>(), save_mean.data<T>(), C, S, M, U, pp);
    check_launch("batch_norm_backward");
  }
  const Tensor coef = dx.defined() ? empty({3 * C}, x.dtype(), x.device()) : Tensor();
  const BnGradParams<T> p{data_or_null<T>(weight), save_invstd.data<T>(), mutable_or_null<T>(dweight),
                          mutable_or_null<T>(dbias), mutable_or_null<T>(coef)};
  bn_grad_finish_kernel<<<grid_size(device, C), kThreads, 0, s>>>(pp, C, M, U, training, p);
  check_launch("batch_norm_backward");
  if (!dx.defined() || x.numel() == 0) return;
  bn_dx_kernel<<<grid_size(device, x.numel()), kThreads, 0, s>>>(grad_y.data<T>(), x.data<T>(), dx.data<T>(),
                                                                 x.numel(), C, S, save_mean.data<T>(), p.coef);
  check_launch("batch_norm_backward");
}

template <class T>
void ln_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps, const Tensor& y,
                const Tensor& mean, const Tensor& rstd) {
  const int64_t M = x.size(0), D = x.size(1);
  if (M == 0) return;
  const int device = x.device().index;
  const cudaStream_t s = stream(device);
  const T* w = data_or_null<T>(weight);
  const T* b = data_or_null<T>(bias);
  if (D <= kWarpRowMax)
    ln_forward_kernel<1, T><<<grid_size(device, M * 32), kThreads, 0, s>>>(x.data<T>(), w, b, eps, y.data<T>(),
                                                                           mean.data<T>(), rstd.data<T>(), M, D);
  else
    ln_forward_kernel<kWarps, T><<<grid_size(device, M * kThreads), kThreads, 0, s>>>(
        x.data<T>(), w, b, eps, y.data<T>(), mean.data<T>(), rstd.data<T>(), M, D);
  check_launch("layer_norm");
}

template <class T>
void ln_backward(const Tensor& grad_y, const Tensor& x, const Tensor& mean, const Tensor& rstd, const Tensor& weight,
                 const Tensor& dx, const Tensor& dweight, const Tensor& dbias) {
  const int64_t M = x.size(0), D = x.size(1);
  const int device = x.device().index;
  const cudaStream_t s = stream(device);
  const T* w = data_or_null<T>(weight);
  if (dx.defined() && M > 0) {
    if (D <= kWarpRowMax)
      ln_dx_kernel<1, T><<<grid_size(device, M * 32), kThreads, 0, s>>>(grad_y.data<T>(), x.data<T>(), mean.data<T>(),
                                                                        rstd.data<T>(), w, dx.data<T>(), M, D);
    else
      ln_dx_kernel<kWarps, T><<<grid_size(device, M * kThreads), kThreads, 0, s>>>(
          grad_y.data<T>(), x.data<T>(), mean.data<T>(), rstd.data<T>(), w, dx.data<T>(), M, D);
    check_launch("layer_norm_backward");
  }
  if ((!dweight.defined() && !dbias.defined()) || D == 0) return;
  const int64_t U = std::max<int64_t>(1, (M + kRowUnit - 1) / kRowUnit);
  const Tensor partial = empty({2 * U * D}, DType::f64, x.device());
  double* pw = partial.data<double>();
  double* pb = pw + U * D;
  ln_param_partial_kernel<<<grid_size(device, U * D), kThreads, 0, s>>>(grad_y.data<T>(), x.data<T>(), mean.data<T>(),
                                                                       rstd.data<T>(), M, D, U, pw, pb);
  check_launch("layer_norm_backward");
  ln_param_finish_kernel<<<grid_size(device, D), kThreads, 0, s>>>(pw, pb, D, U, mutable_or_null<T>(dweight),
                                                                   mutable_or_null<T>(dbias));
  check_launch("layer_norm_backward");
}

}  // namespace

void batch_norm_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                        const Tensor& running_var, bool training, double momentum, double eps, const Tensor& y,
                        const Tensor& save_mean, const Tensor& save_invstd) {
  DeviceGuard guard(x.device().index);
#ifdef HTP_WITH_CUDNN
  if (implementation(OpFamily::batch_norm) == Implementation::vendor && cudnn::batch_norm_forward_supported(x, eps))
    return cudnn::batch_norm_forward(x, weight, bias, running_mean, running_var, training, momentum, eps, y, save_mean,
                                     save_invstd);
#endif
  dispatch_floating(x.dtype(), "batch_norm", [&](auto tag) {
    bn_forward<decltype(tag)>(x, weight, bias, running_mean, running_var, training, momentum, eps, y, save_mean,
                              save_invstd);
  });
}

void batch_norm_backward(const Tensor& grad_y, const Tensor& x, const Tensor& weight, const Tensor& save_mean,
                         const Tensor& save_invstd, bool training, const Tensor& dx, const Tensor& dweight,
                         const Tensor& dbias) {
  DeviceGuard guard(x.device().index);
#ifdef HTP_WITH_CUDNN
  if (implementation(OpFamily::batch_norm) == Implementation::vendor &&
      cudnn::batch_norm_backward_supported(x, training))
    return cudnn::batch_norm_backward(grad_y, x, weight, save_mean, save_invstd, training, dx, dweight, dbias);
#endif
  dispatch_floating(x.dtype(), "batch_norm_backward", [&](auto tag) {
    bn_backward<decltype(tag)>(grad_y, x, weight, save_mean, save_invstd, training, dx, dweight, dbias);
  });
}

void layer_norm_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps, const Tensor& y,
                        const Tensor& mean, const Tensor& rstd) {
  DeviceGuard guard(x.device().index);
  dispatch_floating(x.dtype(), "layer_norm",
                    [&](auto tag) { ln_forward<decltype(tag)>(x, weight, bias, eps, y, mean, rstd); });
}

void layer_norm_backward(const Tensor& grad_y, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight, const Tensor& dx, const Tensor& dweight, const Tensor& dbias) {
  DeviceGuard guard(x.device().index);
  dispatch_floating(x.dtype(), "layer_norm_backward",
                    [&](auto tag) { ln_backward<decltype(tag)>(grad_y, x, mean, rstd, weight, dx, dweight, dbias); });
}

}  // namespace htp::kernels::cuda
