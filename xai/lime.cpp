// LIME with SLIC superpixels, cosine-distance kernel and a weighted ridge surrogate (xai-methods.md C.5; see lime.h).
#include "xai/lime.h"

#include <algorithm>
#include <cmath>

#include "autograd/grad_mode.h"
#include "kernels/softmax.h"
#include "kernels/unary.h"
#include "tensor/creation.h"
#include "tensor/error.h"
#include "tensor/random.h"

namespace htp::xai {

RidgeFit weighted_ridge(const std::vector<double>& z, int64_t rows, int64_t cols, const std::vector<double>& y,
                        const std::vector<double>& w, double alpha) {
  HTP_CHECK(rows >= 1 && cols >= 1 && static_cast<int64_t>(z.size()) == rows * cols &&
                static_cast<int64_t>(y.size()) == rows && static_cast<int64_t>(w.size()) == rows,
            "weighted_ridge: sizes do not match (", rows, " × ", cols, " design, ", y.size(), " targets, ", w.size(),
            " weights)");
  HTP_CHECK(alpha > 0, "weighted_ridge: alpha must be positive, got ", alpha);
  const size_t r = static_cast<size_t>(rows), c = static_cast<size_t>(cols);
  double w_sum = 0, y_mean = 0;
  std::vector<double> z_mean(c, 0.0);
  for (size_t s = 0; s < r; ++s) {
    HTP_CHECK(w[s] >= 0, "weighted_ridge: weight ", s, " is negative (", w[s], ")");
    w_sum += w[s];
    y_mean += w[s] * y[s];
    for (size_t j = 0; j < c; ++j) z_mean[j] += w[s] * z[s * c + j];
  }
  HTP_CHECK(w_sum > 0, "weighted_ridge: all weights are zero");
  y_mean /= w_sum;
  for (double& m : z_mean) m /= w_sum;

  // Normal equations A β = b with A = Z_cᵀ W Z_c + alpha I, b = Z_cᵀ W y_c.
  std::vector<double> a(c * c, 0.0), b(c, 0.0), zc(c);
  for (size_t s = 0; s < r; ++s) {
    for (size_t j = 0; j < c; ++j) zc[j] = z[s * c + j] - z_mean[j];
    const double yc = y[s] - y_mean;
    for (size_t i = 0; i < c; ++i) {
      b[i] += w[s] * zc[i] * yc;
      for (size_t j = 0; j <= i; ++j) a[i * c + j] += w[s] * zc[i] * zc[j];
    }
  }
  for (size_t i = 0; i < c; ++i) a[i * c + i] += alpha;
  // Cholesky A = L Lᵀ (lower triangle, in place), then two triangular solves.
  for (size_t j = 0; j < c; ++j) {
    double d = a[j * c + j];
    for (size_t k = 0; k < j; ++k) d -= a[j * c + k] * a[j * c + k];
    a[j * c + j] = std::sqrt(d);
    for (size_t i = j + 1; i < c; ++i) {
      double v = a[i * c + j];
      for (size_t k = 0; k < j; ++k) v -= a[i * c + k] * a[j * c + k];
      a[i * c + j] = v / a[j * c + j];
    }
  }
  for (size_t i = 0; i < c; ++i) {
    for (size_t k = 0; k < i; ++k) b[i] -= a[i * c + k] * b[k];
    b[i] /= a[i * c + i];
  }
  for (size_t i = c; i-- > 0;) {
    for (size_t k = i + 1; k < c; ++k) b[i] -= a[k * c + i] * b[k];
    b[i] /= a[i * c + i];
  }
  RidgeFit fit{b, y_mean};
  for (size_t j = 0; j < c; ++j) fit.intercept -= b[j] * z_mean[j];
  return fit;
}

Lime::Lime(LimeOptions o) : options(std::move(o)) {
  HTP_CHECK(options.samples >= 2 && options.batch >= 1 && options.width > 0 && options.ridge > 0,
            "lime: need samples >= 2, batch >= 1, width > 0 and ridge > 0, got ", options.samples, ", ", options.batch,
            ", ", options.width, ", ", options.ridge);
  HTP_CHECK(options.output == "softmax" || options.output == "sigmoid" || options.output == "none",
            "lime: output must be softmax, sigmoid or none, got '", options.output, "'");
}

std::unique_ptr<AttributionMethod> Lime::create(const MethodOptions& o) {
  o.check_keys("lime", {"samples", "segments", "compactness", "output", "seed", "batch", "width", "ridge"});
  LimeOptions options;
  options.samples = o.get_int("samples", options.samples);
  options.segmentation.segments = o.get_int("segments", options.segmentation.segments);
  options.segmentation.compactness = o.get_double("compactness", options.segmentation.compactness);
  options.output = o.get("output", options.output);
  options.seed = static_cast<uint64_t>(o.get_int("seed", static_cast<int64_t>(options.seed)));
  options.batch = o.get_int("batch", options.batch);
  options.width = o.get_double("width", options.width);
  options.ridge = o.get_double("ridge", options.ridge);
  return std::make_unique<Lime>(options);
}

Tensor Lime::attribute(nn::Module& model, const Tensor& x, const std::vector<int64_t>& targets) {
  check_attribution_input(name(), x, targets);
  NoGradGuard no_grad;
  Generator gen(options.seed);
  const int64_t n_images = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), hw = h * w;
  Tensor out = zeros({n_images, 1, h, w}, DType::f64);
  double* painted = out.data<double>();

  for (int64_t n = 0; n < n_images; ++n) {
    const Tensor image = x.select(0, n).to(Device::cpu()).to(DType::f64).contiguous();  // [C, H, W]
    const Tensor labels = slic(image.narrow(0, 0, std::min<int64_t>(c, 3)), options.segmentation);  // [H, W]
    const int64_t* seg = labels.data<int64_t>();
    const int64_t d = *std::max_element(seg, seg + hw) + 1;

    // Per-segment channel means: the fudged image.
    const double* px = image.data<double>();
    std::vector<double> mean(static_cast<size_t>(d * c), 0.0), count(static_cast<size_t>(d), 0.0);
    for (int64_t p = 0; p < hw; ++p) {
      const size_t s = static_cast<size_t>(seg[p]);
      count[s] += 1;
      for (int64_t ch = 0; ch < c; ++ch) mean[s * static_cast<size_t>(c) + static_cast<size_t>(ch)] += px[ch * hw + p];
    }
    for (size_t s = 0; s < static_cast<size_t>(d); ++s)
      for (int64_t ch = 0; ch < c; ++ch) mean[s * static_cast<size_t>(c) + static_cast<size_t>(ch)] /= count[s];

    // The design Z (row 0: all ones) and the kernel weights.
    std::vector<double> z = bernoulli({options.samples, d}, 0.5, DType::f64, Device::cpu(), &gen).to_vector();
    std::fill(z.begin(), z.begin() + d, 1.0);
    std::vector<double> weights(static_cast<size_t>(options.samples));
    for (int64_t s = 0; s < options.samples; ++s) {
      double ones = 0;
      for (int64_t j = 0; j < d; ++j) ones += z[static_cast<size_t>(s * d + j)];
      const double dist = 1.0 - std::sqrt(ones / static_cast<double>(d));
      weights[static_cast<size_t>(s)] = std::sqrt(std::exp(-dist * dist / (options.width * options.width)));
    }

    // The model's output for the target on every sample, `batch` samples per forward pass.
    const int64_t target = targets[static_cast<size_t>(n)];
    std::vector<double> predictions;
    for (int64_t start = 0; start < options.samples; start += options.batch) {
      const int64_t count_b = std::min(options.batch, options.samples - start);
      Tensor samples = empty({count_b, c, h, w}, DType::f64);
      double* ps = samples.data<double>();
      for (int64_t b = 0; b < count_b; ++b)
        for (int64_t ch = 0; ch < c; ++ch)
          for (int64_t p = 0; p < hw; ++p) {
            const int64_t s = seg[p];
            ps[(b * c + ch) * hw + p] = z[static_cast<size_t>((start + b) * d + s)] != 0.0
                                            ? px[ch * hw + p]
                                            : mean[static_cast<size_t>(s * c + ch)];
          }
      Tensor logits = model(Variable(samples.to(x.dtype()).to(x.device()))).data();
      HTP_CHECK(logits.dim() == 2 && target < logits.size(1), "lime: the model returned ", logits.describe(),
                "; expected logits [N, K] with K > ", target);
      if (options.output == "softmax") logits = kernels::softmax(logits, 1);
      if (options.output == "sigmoid") logits = kernels::sigmoid(logits);
      const std::vector<double> column = logits.select(1, target).to(Device::cpu()).to_vector();
      predictions.insert(predictions.end(), column.begin(), column.end());
    }

    const RidgeFit fit = weighted_ridge(z, options.samples, d, predictions, weights, options.ridge);
    for (int64_t p = 0; p < hw; ++p) painted[n * hw + p] = fit.coef[static_cast<size_t>(seg[p])];
  }
  return out.to(x.dtype()).to(x.device());
}

}  // namespace htp::xai
