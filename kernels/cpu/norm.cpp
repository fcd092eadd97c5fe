// CPU batch norm and layer norm (math in kernels/norm.h).
//
// Batch norm, x as [N, C, S]: one task per channel (parallel over C). A channel's M = N * S elements are N
// contiguous runs of S; the statistics are two passes (mean, then the sum of squared deviations, which is exact
// where E[x^2] - mean^2 would cancel), and the output pass is y = x * scale_c + shift_c. The backward needs two sums
// per channel, sum(g) and sum(g * (x - mean)), then one elementwise pass.
// Layer norm, x as [M, D]: one task per row for the statistics, y and dx; dweight and dbias are sums over rows,
// computed per block of columns (each column's sum in a fixed row order, the inner loop over contiguous columns).
// Sums are accumulated in double with kLanes independent partial sums, so the loops vectorise without
// reassociating flags, and every result is the same for any thread count.
#include "kernels/cpu/norm.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/cpu/parallel.h"

namespace htp::kernels::cpu {
namespace {

constexpr int64_t kBlock = 256;  // columns per task for layer norm's dweight/dbias
constexpr int kLanes = 8;

// sum_{i < n} f(i) in double.
template <class F>
double lane_sum(int64_t n, F&& f) {
  double acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int k = 0; k < kLanes; ++k) acc[k] += f(i + k);
  double s = 0;
  for (; i < n; ++i) s += f(i);
  for (int k = 0; k < kLanes; ++k) s += acc[k];
  return s;
}

template <class T>
T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

// ---- batch norm ----------------------------------------------------------------------------------------------------

template <class T>
void bn_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                const Tensor& running_var, bool training, double momentum, double eps, const Tensor& y,
                const Tensor& save_mean, const Tensor& save_invstd) {
  const int64_t N = x.size(0), C = x.size(1), S = x.size(2), M = N * S;
  const T* xp = x.data<T>();
  T* yp = y.data<T>();
  const T* w = data_or_null<T>(weight);
  const T* b = data_or_null<T>(bias);
  T* rm = data_or_null<T>(running_mean);
  T* rv = data_or_null<T>(running_var);
  T* sm = save_mean.data<T>();
  T* si = save_invstd.data<T>();
  parallel_for(0, C, grain_for(M), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      double mean, invstd;
      if (training) {
        double s = 0;
        for (int64_t n = 0; n < N; ++n) {
          const T* row = xp + (n * C + c) * S;
          s += lane_sum(S, [&](int64_t i) { return static_cast<double>(row[i]); });
        }
        mean = s / static_cast<double>(M);
        double q = 0;
        for (int64_t n = 0; n < N; ++n) {
          const T* row = xp + (n * C + c) * S;
          q += lane_sum(S, [&](int64_t i) {
            const double d = static_cast<double>(row[i]) - mean;
            return d * d;
          });
        }
        const double var = q / static_cast<double>(M);
        invstd = 1.0 / std::sqrt(var + eps);
        if (rm) {
          rm[c] = static_cast<T>((1 - momentum) * rm[c] + momentum * mean);
          rv[c] = static_cast<T>((1 - momentum) * rv[c] + momentum * var * M / (M - 1));
        }
      } else {
        mean = rm[c];
        invstd = 1.0 / std::sqrt(static_cast<double>(rv[c]) + eps);
      }
      sm[c] = static_cast<T>(mean);
      si[c] = static_cast<T>(invstd);
      const double scale = invstd * (w ? w[c] : 1.0);
      const T sc = static_cast<T>(scale), sh = static_cast<T>((b ? b[c] : 0.0) - mean * scale);
      for (int64_t n = 0; n < N; ++n) {
        const T* xr = xp + (n * C + c) * S;
        T* yr = yp + (n * C + c) * S;
        for (int64_t i = 0; i < S; ++i) yr[i] = xr[i] * sc + sh;
      }
    }
  });
}

template <class T>
void bn_backward(const Tensor& grad_y, const Tensor& x, const Tensor& weight, const Tensor& save_mean,
                 const Tensor& save_invstd, bool training, const Tensor& dx, const Tensor& dweight,
                 const Tensor& dbias) {
  const int64_t N = x.size(0), C = x.size(1), S = x.size(2), M = N * S;
  const T* gp = grad_y.data<T>();
  const T* xp = x.data<T>();
  const T* w = data_or_null<T>(weight);
  const T* sm = save_mean.data<T>();
  const T* si = save_invstd.data<T>();
  T* dxp = data_or_null<T>(dx);
  T* dw = data_or_null<T>(dweight);
  T* db = data_or_null<T>(dbias);
  const bool need_sums = dw || db || (dxp && training);
  parallel_for(0, C, grain_for(M), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      const T mean = sm[c];
      const double invstd = si[c];
      double sum_g = 0, sum_gx = 0;  // sum(g), sum(g * (x - mean))
      if (need_sums) {
        for (int64_t n = 0; n < N; ++n) {
          const T* gr = gp + (n * C + c) * S;
          const T* xr = xp + (n * C + c) * S;
          sum_g += lane_sum(S, [&](int64_t i) { return static_cast<double>(gr[i]); });
          sum_gx += lane_sum(S, [&](int64_t i) { return static_cast<double>(gr[i]) * (xr[i] - mean); });
        }
      }
      if (dw) dw[c] = static_cast<T>(sum_gx * invstd);
      if (db) db[c] = static_cast<T>(sum_g);
      if (!dxp) continue;
      const double k = invstd * (w ? w[c] : 1.0);
      // training: dx = k * (g - sum_g / M - (x - mean) * invstd^2 * sum_gx / M); eval: dx = k * g
      const T kt = static_cast<T>(k);
      const T shift = training ? static_cast<T>(sum_g / M) : T(0);
      const T slope = training ? static_cast<T>(invstd * invstd * sum_gx / M) : T(0);
      for (int64_t n = 0; n < N; ++n) {
        const T* gr = gp + (n * C + c) * S;
        const T* xr = xp + (n * C + c) * S;
        T* dr = dxp + (n * C + c) * S;
        for (int64_t i = 0; i < S; ++i) dr[i] = kt * (gr[i] - shift - (xr[i] - mean) * slope);
      }
    }
  });
}

// ---- layer norm ----------------------------------------------------------------------------------------------------

template <class T>
void ln_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps, const Tensor& y,
                const Tensor& mean, const Tensor& rstd) {
  const int64_t M = x.size(0), D = x.size(1);
  const std::vector<T> ones(weight.defined() ? 0 : D, T(1)), zeros(bias.defined() ? 0 : D, T(0));
  const T* w = weight.defined() ? weight.data<T>() : ones.data();
  const T* b = bias.defined() ? bias.data<T>() : zeros.data();
  const T* xp = x.data<T>();
  T* yp = y.data<T>();
  T* mp = mean.data<T>();
  T* rp = rstd.data<T>();
  parallel_for(0, M, grain_for(D), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* xr = xp + r * D;
      T* yr = yp + r * D;
      const double mu = lane_sum(D, [&](int64_t i) { return static_cast<double>(xr[i]); }) / D;
      auto squared_deviation = [&](int64_t i) {
        const double d = static_cast<double>(xr[i]) - mu;
        return d * d;
      };
      const double var = lane_sum(D, squared_deviation) / D;
      const double inv = 1.0 / std::sqrt(var + eps);
      mp[r] = static_cast<T>(mu);
      rp[r] = static_cast<T>(inv);
      const T m = static_cast<T>(mu), s = static_cast<T>(inv);
      for (int64_t i = 0; i < D; ++i) yr[i] = (xr[i] - m) * s * w[i] + b[i];
    }
  });
}

template <class T>
void ln_backward(const Tensor& grad_y, const Tensor& x, const Tensor& mean, const Tensor& rstd, const Tensor& weight,
                 const Tensor& dx, const Tensor& dweight, const Tensor& dbias) {
  const int64_t M = x.size(0), D = x.size(1);
  const T* gp = grad_y.data<T>();
  const T* xp = x.data<T>();
  const T* mp = mean.data<T>();
  const T* rp = rstd.data<T>();
  if (dx.defined()) {
    const std::vector<T> ones(weight.defined() ? 0 : D, T(1));
    const T* w = weight.defined() ? weight.data<T>() : ones.data();
    T* dxp = dx.data<T>();
    parallel_for(0, M, grain_for(D), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const T* gr = gp + r * D;
        const T* xr = xp + r * D;
        T* dr = dxp + r * D;
        const T m = mp[r], s = rp[r];
        const double sum_gw = lane_sum(D, [&](int64_t i) { return static_cast<double>(gr[i]) * w[i]; });
        const double sum_gwx =
            lane_sum(D, [&](int64_t i) { return static_cast<double>(gr[i]) * w[i] * ((xr[i] - m) * s); });
        // dx = s * (g * w - mean(g * w) - xhat * mean(g * w * xhat))
        const T a = static_cast<T>(sum_gw / D), c = static_cast<T>(sum_gwx / D);
        for (int64_t i = 0; i < D; ++i) dr[i] = s * (gr[i] * w[i] - a - (xr[i] - m) * s * c);
      }
    });
  }
  if (!dweight.defined() && !dbias.defined()) return;
  T* dw = data_or_null<T>(dweight);
  T* db = data_or_null<T>(dbias);
  const int64_t blocks = (D + kBlock - 1) / kBlock;
  parallel_for(0, blocks, grain_for(M * std::min(D, kBlock)), [&](int64_t b0, int64_t b1) {
    for (int64_t blk = b0; blk < b1; ++blk) {
      const int64_t j0 = blk * kBlock, w = std::min(D - j0, kBlock);
      double acc_w[kBlock] = {}, acc_b[kBlock] = {};
      for (int64_t r = 0; r < M; ++r) {
        const T* gr = gp + r * D + j0;
        const T* xr = xp + r * D + j0;
        const T m = mp[r], s = rp[r];
        for (int64_t j = 0; j < w; ++j) {
          acc_w[j] += static_cast<double>(gr[j]) * ((xr[j] - m) * s);
          acc_b[j] += gr[j];
        }
      }
      for (int64_t j = 0; j < w; ++j) {
        if (dw) dw[j0 + j] = static_cast<T>(acc_w[j]);
        if (db) db[j0 + j] = static_cast<T>(acc_b[j]);
      }
    }
  });
}

}  // namespace

void batch_norm_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                        const Tensor& running_var, bool training, double momentum, double eps, const Tensor& y,
                        const Tensor& save_mean, const Tensor& save_invstd) {
  dispatch_floating(x.dtype(), "batch_norm", [&](auto tag) {
    bn_forward<decltype(tag)>(x, weight, bias, running_mean, running_var, training, momentum, eps, y, save_mean,
                              save_invstd);
  });
}

void batch_norm_backward(const Tensor& grad_y, const Tensor& x, const Tensor& weight, const Tensor& save_mean,
                         const Tensor& save_invstd, bool training, const Tensor& dx, const Tensor& dweight,
                         const Tensor& dbias) {
  dispatch_floating(x.dtype(), "batch_norm_backward", [&](auto tag) {
    bn_backward<decltype(tag)>(grad_y, x, weight, save_mean, save_invstd, training, dx, dweight, dbias);
  });
}

void layer_norm_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps, const Tensor& y,
                        const Tensor& mean, const Tensor& rstd) {
  dispatch_floating(x.dtype(), "layer_norm",
                    [&](auto tag) { ln_forward<decltype(tag)>(x, weight, bias, eps, y, mean, rstd); });
}

void layer_norm_backward(const Tensor& grad_y, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight, const Tensor& dx, const Tensor& dweight, const Tensor& dbias) {
  dispatch_floating(x.dtype(), "layer_norm_backward",
                    [&](auto tag) { ln_backward<decltype(tag)>(grad_y, x, mean, rstd, weight, dx, dweight, dbias); });
}

}  // namespace htp::kernels::cpu
