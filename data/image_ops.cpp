#include "data/image_ops.h"

#include <algorithm>
#include <cmath>

#include "tensor/creation.h"

namespace htp::data {
namespace {

void check_image(const Tensor& image, const char* op, bool float_only = false) {
  HTP_CHECK(image.defined() && image.dim() == 3, op, ": expected an image [C, H, W], got ",
            image.defined() ? image.describe() : std::string("an undefined tensor"));
  HTP_CHECK(image.dtype() == DType::f32 || (!float_only && image.dtype() == DType::u8), op, ": expected ",
            float_only ? "a float32" : "a uint8 or float32", " image, got ", image.describe(),
            float_only ? " (convert with to_float first)" : "");
}

// Pillow's precompute_coeffs for the bilinear filter (support 1): taps and normalised weights per output pixel.
struct Taps {
  std::vector<int64_t> first;  // first input pixel of output i
  std::vector<int64_t> count;
  std::vector<float> weights;  // output i's weights at [i * width, i * width + count[i])
  int64_t width;
};

Taps triangle_taps(int64_t in, int64_t out, bool antialias) {
  const double scale = static_cast<double>(in) / static_cast<double>(out);
  const double filterscale = antialias ? std::max(scale, 1.0) : 1.0;
  const double support = filterscale;  // the triangle's support, 1, times the filter scale
  Taps t;
  t.width = static_cast<int64_t>(std::ceil(support)) * 2 + 1;
  t.first.resize(out);
  t.count.resize(out);
  t.weights.assign(static_cast<size_t>(out * t.width), 0.0f);
  for (int64_t i = 0; i < out; ++i) {
    const double center = (static_cast<double>(i) + 0.5) * scale;
    const int64_t lo = std::max<int64_t>(static_cast<int64_t>(center - support + 0.5), 0);
    const int64_t hi = std::min<int64_t>(static_cast<int64_t>(center + support + 0.5), in);
    const int64_t n = hi - lo;  // at most 2 ceil(support) + 1 = t.width
    std::vector<double> w(static_cast<size_t>(std::max<int64_t>(n, 0)));
    double total = 0;
    for (int64_t k = 0; k < n; ++k) {
      w[k] = std::max(0.0, 1.0 - std::abs((static_cast<double>(lo + k) + 0.5 - center) / filterscale));
      total += w[k];
    }
    t.first[i] = lo;
    t.count[i] = n;
    for (int64_t k = 0; k < n; ++k) t.weights[i * t.width + k] = static_cast<float>(total > 0 ? w[k] / total : 0.0);
  }
  return t;
}

}  // namespace

Tensor image_to_float(const Tensor& image) {
  check_image(image, "to_float");
  if (image.dtype() == DType::f32) return image;
  Tensor out = empty(image.shape());
  const Tensor src = image.contiguous();
  const uint8_t* s = src.data<uint8_t>();
  float* d = out.data<float>();
  for (int64_t i = 0; i < out.numel(); ++i) d[i] = static_cast<float>(s[i]) / 255.0f;
  return out;
}

Tensor resize_image(const Tensor& image, int64_t height, int64_t width, bool antialias) {
  check_image(image, "resize");
  HTP_CHECK(height >= 1 && width >= 1, "resize: output size must be >= 1, got ", height, "×", width);
  const int64_t C = image.size(0), H = image.size(1), W = image.size(2);
  HTP_CHECK(H >= 1 && W >= 1, "resize: empty image ", image.describe());
  const Taps cols = triangle_taps(W, width, antialias), rows = triangle_taps(H, height, antialias);
  const Tensor src = image.to(DType::f32).contiguous();  // uint8 values as they are (0 … 255)
  Tensor tmp = empty({C, H, width});  // horizontal pass first, as Pillow does
  Tensor out = empty({C, height, width});
  const float* s = src.data<float>();
  float* t = tmp.data<float>();
  float* o = out.data<float>();
  for (int64_t r = 0; r < C * H; ++r) {
    for (int64_t j = 0; j < width; ++j) {
      const float* w = &cols.weights[j * cols.width];
      const float* x = s + r * W + cols.first[j];
      float acc = 0;
      for (int64_t k = 0; k < cols.count[j]; ++k) acc += w[k] * x[k];
      t[r * width + j] = acc;
    }
  }
  for (int64_t c = 0; c < C; ++c) {
    for (int64_t i = 0; i < height; ++i) {
      const float* w = &rows.weights[i * rows.width];
      float* dst = o + (c * height + i) * width;
      std::fill(dst, dst + width, 0.0f);
      for (int64_t k = 0; k < rows.count[i]; ++k) {
        const float* x = t + (c * H + rows.first[i] + k) * width;
        for (int64_t j = 0; j < width; ++j) dst[j] += w[k] * x[j];
      }
    }
  }
  if (image.dtype() == DType::f32) return out;
  Tensor u8 = empty(out.shape(), DType::u8);
  uint8_t* d = u8.data<uint8_t>();
  for (int64_t i = 0; i < out.numel(); ++i) d[i] = static_cast<uint8_t>(std::clamp(std::nearbyint(o[i]), 0.0f, 255.0f));
  return u8;
}

Tensor crop_image(const Tensor& image, int64_t top, int64_t left, int64_t height, int64_t width, double fill) {
  check_image(image, "crop");
  HTP_CHECK(height >= 0 && width >= 0, "crop: negative size ", width, "×", height);
  const int64_t H = image.size(1), W = image.size(2);
  Tensor out = full({image.size(0), height, width}, fill, image.dtype());
  const int64_t r0 = std::clamp<int64_t>(top, 0, H), r1 = std::clamp<int64_t>(top + height, 0, H);
  const int64_t c0 = std::clamp<int64_t>(left, 0, W), c1 = std::clamp<int64_t>(left + width, 0, W);
  if (r0 < r1 && c0 < c1) {
    out.narrow(1, r0 - top, r1 - r0).narrow(2, c0 - left, c1 - c0).copy_(image.narrow(1, r0, r1 - r0).narrow(2, c0, c1 - c0));
  }
  return out;
}

Tensor hflip_image(const Tensor& image) {
  check_image(image, "hflip");
  const Tensor src = image.contiguous();
  Tensor out = empty(image.shape(), image.dtype());
  const int64_t rows = image.size(0) * image.size(1), W = image.size(2);
  const auto flip = [&](auto tag) {
    using T = decltype(tag);
    const T* s = src.data<T>();
    T* d = out.data<T>();
    for (int64_t r = 0; r < rows; ++r) std::reverse_copy(s + r * W, s + (r + 1) * W, d + r * W);
  };
  if (image.dtype() == DType::u8) {
    flip(uint8_t{});
  } else {
    flip(float{});
  }
  return out;
}

Tensor pad_image(const Tensor& image, int64_t left, int64_t top, int64_t right, int64_t bottom, double fill) {
  check_image(image, "pad");
  HTP_CHECK(left >= 0 && top >= 0 && right >= 0 && bottom >= 0, "pad: negative padding (left ", left, ", top ", top,
            ", right ", right, ", bottom ", bottom, ")");
  return crop_image(image, -top, -left, image.size(1) + top + bottom, image.size(2) + left + right, fill);
}

Tensor normalize_image(const Tensor& image, const std::vector<double>& mean, const std::vector<double>& std) {
  check_image(image, "normalize", true);
  const int64_t C = image.size(0);
  HTP_CHECK(static_cast<int64_t>(mean.size()) == C && static_cast<int64_t>(std.size()) == C, "normalize: ",
            mean.size(), " means and ", std.size(), " stds for an image with ", C, " channels");
  const Tensor src = image.contiguous();
  Tensor out = empty(image.shape());
  const int64_t plane = image.size(1) * image.size(2);
  for (int64_t c = 0; c < C; ++c) {
    HTP_CHECK(std[c] > 0, "normalize: std of channel ", c, " must be positive, got ", std[c]);
    const float m = static_cast<float>(mean[c]), inv = static_cast<float>(1.0 / std[c]);
    const float* s = src.data<float>() + c * plane;
    float* d = out.data<float>() + c * plane;
    for (int64_t i = 0; i < plane; ++i) d[i] = (s[i] - m) * inv;
  }
  return out;
}

Tensor bcos_encode_image(const Tensor& image) {
  check_image(image, "bcos_encode", true);
  const Tensor src = image.contiguous();
  Tensor out = empty({2 * image.size(0), image.size(1), image.size(2)});
  const int64_t n = image.numel();
  const float* s = src.data<float>();
  float* d = out.data<float>();
  for (int64_t i = 0; i < n; ++i) {
    d[i] = s[i];
    d[n + i] = 1.0f - s[i];
  }
  return out;
}

}  // namespace htp::data
