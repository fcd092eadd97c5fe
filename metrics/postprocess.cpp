#include "metrics/postprocess.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/pool.h"
#include "kernels/reduce.h"
#include "kernels/unary.h"
#include "metrics/map_checks.h"
#include "tensor/creation.h"

namespace htp::metrics {

namespace {

// The map as [N, 1, H, W] for the pooling kernel.
Tensor as_planes(const Tensor& maps) {
  return maps.dim() == 2 ? maps.reshape({1, 1, maps.size(0), maps.size(1)})
                         : maps.reshape({maps.size(0), 1, maps.size(1), maps.size(2)});
}

int64_t reflect(int64_t i, int64_t n) { return i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i); }

std::vector<double> gaussian_kernel(int64_t kernel, double sigma) {
  std::vector<double> g(static_cast<size_t>(kernel));
  const double half = 0.5 * static_cast<double>(kernel - 1);
  double total = 0;
  for (int64_t i = 0; i < kernel; ++i) {
    const double x = (static_cast<double>(i) - half) / sigma;
    g[static_cast<size_t>(i)] = std::exp(-0.5 * x * x);
    total += g[static_cast<size_t>(i)];
  }
  for (double& v : g) v /= total;
  return g;
}

}  // namespace

Tensor channel_sum(const Tensor& attribution) {
  HTP_CHECK(attribution.defined() && (attribution.dim() == 3 || attribution.dim() == 4),
            "channel_sum: expected an attribution [C, H, W] or [N, C, H, W], got ",
            attribution.defined() ? attribution.describe() : std::string("an undefined tensor"));
  return kernels::sum(attribution, {-3});
}

Tensor positive_part(const Tensor& map) {
  detail::check_maps(map, "positive_part");
  return kernels::relu(map);
}

Tensor mean_smooth(const Tensor& map, int64_t kernel) {
  detail::check_maps(map, "mean_smooth");
  HTP_CHECK(kernel >= 1 && kernel % 2 == 1, "mean_smooth: the kernel size must be odd and positive, got ", kernel);
  kernels::AvgPool2dParams params;
  params.kernel = {kernel, kernel};
  params.stride = {1, 1};
  params.padding = {kernel / 2, kernel / 2};
  params.count_include_pad = true;
  return kernels::avg_pool2d_forward(as_planes(map), params).reshape(map.shape());
}

Tensor gaussian_smooth(const Tensor& map, int64_t kernel, double sigma) {
  detail::check_maps(map, "gaussian_smooth");
  HTP_CHECK(kernel >= 1 && kernel % 2 == 1, "gaussian_smooth: the kernel size must be odd and positive, got ", kernel);
  HTP_CHECK(sigma > 0, "gaussian_smooth: sigma must be positive, got ", sigma);
  const int64_t H = map.size(-2), W = map.size(-1), planes = map.numel() / (H * W), pad = kernel / 2;
  HTP_CHECK(pad < H && pad < W, "gaussian_smooth: reflect padding of ", pad, " (kernel ", kernel,
            ") needs a map larger than ", pad, " in both dims, got ", map.describe());
  const std::vector<double> g = gaussian_kernel(kernel, sigma);
  const std::vector<double> x = map.to_vector();
  std::vector<double> mid(static_cast<size_t>(H * W)), out(x.size()), padded(static_cast<size_t>(W + 2 * pad));
  for (int64_t p = 0; p < planes; ++p) {
    const double* in = x.data() + p * H * W;
    for (int64_t i = 0; i < H; ++i) {  // along the width, through a reflect-padded copy of the row
      for (int64_t j = -pad; j < W + pad; ++j) padded[static_cast<size_t>(j + pad)] = in[i * W + reflect(j, W)];
      for (int64_t j = 0; j < W; ++j) {
        double s = 0;
        for (int64_t a = 0; a < kernel; ++a) s += g[static_cast<size_t>(a)] * padded[static_cast<size_t>(j + a)];
        mid[static_cast<size_t>(i * W + j)] = s;
      }
    }
    double* res = out.data() + p * H * W;
    for (int64_t i = 0; i < H; ++i)  // along the height, a weighted sum of reflected rows
      for (int64_t a = 0; a < kernel; ++a) {
        const double w = g[static_cast<size_t>(a)];
        const double* row = mid.data() + reflect(i + a - pad, H) * W;
        for (int64_t j = 0; j < W; ++j) res[i * W + j] += w * row[j];
      }
  }
  return tensor(out, map.shape()).to(map.dtype()).to(map.device());
}

int64_t gaussian_kernel_for_side(int64_t side) {
  HTP_CHECK(side >= 1, "gaussian_kernel_for_side: the side must be positive, got ", side);
  int64_t k = 129 * side / 448;  // floor(129 · side / 448), then down to an odd number
  if (k % 2 == 0) --k;
  return std::max<int64_t>(k, 3);
}

Tensor smooth(const Tensor& map, Smoothing smoothing) {
  switch (smoothing) {
    case Smoothing::mean_5x5:
      return mean_smooth(map, 5);
    case Smoothing::gaussian_129:
      return gaussian_smooth(map, 129, 129.0 / 4.0);
    case Smoothing::gaussian_scaled: {
      detail::check_maps(map, "smooth");
      const int64_t k = gaussian_kernel_for_side(std::min(map.size(-2), map.size(-1)));
      return gaussian_smooth(map, k, static_cast<double>(k) / 4.0);
    }
  }
  throw Error("smooth: unknown smoothing");
}

Tensor score_map(const Tensor& map, Smoothing smoothing) { return positive_part(smooth(map, smoothing)); }

}  // namespace htp::metrics
