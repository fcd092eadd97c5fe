#include "data/transforms.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "data/image_ops.h"

namespace htp::data {
namespace {

void check_sample(const Sample& s, const char* op) {
  HTP_CHECK(s.image.defined() && s.image.dim() == 3, op, ": expected a sample image [C, H, W], got ",
            s.image.defined() ? s.image.describe() : std::string("an undefined tensor"));
}

std::string list(const std::vector<double>& v) {
  std::ostringstream o;
  o << "[";
  for (size_t i = 0; i < v.size(); ++i) o << (i ? ", " : "") << v[i];
  o << "]";
  return o.str();
}

// Boxes after cropping the rectangle r: shifted, clipped to it, the empty ones dropped.
std::vector<Box> crop_boxes(const std::vector<Box>& boxes, const CropRect& r) {
  std::vector<Box> out;
  for (const Box& b : boxes) {
    const double h = static_cast<double>(r.height), w = static_cast<double>(r.width);
    Box c{b.label, std::clamp(b.x0 - r.left, 0.0, w), std::clamp(b.y0 - r.top, 0.0, h),
          std::clamp(b.x1 - r.left, 0.0, w), std::clamp(b.y1 - r.top, 0.0, h)};
    if (c.x1 > c.x0 && c.y1 > c.y0) out.push_back(c);
  }
  return out;
}

std::vector<Box> scale_boxes(std::vector<Box> boxes, double sx, double sy) {
  for (Box& b : boxes) b = {b.label, b.x0 * sx, b.y0 * sy, b.x1 * sx, b.y1 * sy};
  return boxes;
}

Sample resized(Sample s, int64_t height, int64_t width, bool antialias) {
  const double sx = static_cast<double>(width) / static_cast<double>(s.image.size(2));
  const double sy = static_cast<double>(height) / static_cast<double>(s.image.size(1));
  s.image = resize_image(s.image, height, width, antialias);
  s.boxes = scale_boxes(std::move(s.boxes), sx, sy);
  return s;
}

Sample cropped(Sample s, const CropRect& r) {
  s.image = crop_image(s.image, r.top, r.left, r.height, r.width);
  s.boxes = crop_boxes(s.boxes, r);
  return s;
}

class ToFloat : public Transform {
 public:
  Sample operator()(Sample s, SampleRng&) const override {
    check_sample(s, "to_float");
    s.image = image_to_float(s.image);
    return s;
  }
  std::string describe() const override { return "ToFloat()"; }
};

class Resize : public Transform {
 public:
  Resize(int64_t h, int64_t w, bool antialias) : h_(h), w_(w), antialias_(antialias) {
    HTP_CHECK(h >= 1 && w >= 1, "resize: size must be >= 1, got ", h, "×", w);
  }
  Sample operator()(Sample s, SampleRng&) const override {
    check_sample(s, "resize");
    return resized(std::move(s), h_, w_, antialias_);
  }
  std::string describe() const override {
    return detail::concat("Resize(size=[", h_, ", ", w_, "], antialias=", antialias_ ? "true" : "false", ")");
  }

 private:
  int64_t h_, w_;
  bool antialias_;
};

class ResizeShortSide : public Transform {
 public:
  ResizeShortSide(int64_t size, bool antialias) : size_(size), antialias_(antialias) {
    HTP_CHECK(size >= 1, "resize_short_side: size must be >= 1, got ", size);
  }
  Sample operator()(Sample s, SampleRng&) const override {
    check_sample(s, "resize_short_side");
    const int64_t H = s.image.size(1), W = s.image.size(2);
    const int64_t shorter = std::min(H, W), longer = std::max(H, W);
    const int64_t other = size_ * longer / shorter;  // floor, as Python's int(size * long / short)
    return H <= W ? resized(std::move(s), size_, other, antialias_) : resized(std::move(s), other, size_, antialias_);
  }
  std::string describe() const override {
    return detail::concat("ResizeShortSide(size=", size_, ", antialias=", antialias_ ? "true" : "false", ")");
  }

 private:
  int64_t size_;
  bool antialias_;
};

class CenterCrop : public Transform {
 public:
  CenterCrop(int64_t h, int64_t w) : h_(h), w_(w) {
    HTP_CHECK(h >= 1 && w >= 1, "center_crop: size must be >= 1, got ", h, "×", w);
  }
  Sample operator()(Sample s, SampleRng&) const override {
    check_sample(s, "center_crop");
    const CropRect r = center_crop_rect(s.image.size(1), s.image.size(2), h_, w_);
    return cropped(std::move(s), r);
  }
  std::string describe() const override { return detail::concat("CenterCrop(size=[", h_, ", ", w_, "])"); }

 private:
  int64_t h_, w_;
};

class RandomResizedCrop : public Transform {
 public:
  RandomResizedCrop(int64_t h, int64_t w, std::array<double, 2> scale, std::array<double, 2> ratio, bool antialias)
      : h_(h), w_(w), scale_(scale), ratio_(ratio), antialias_(antialias) {
    HTP_CHECK(h >= 1 && w >= 1, "random_resized_crop: size must be >= 1, got ", h, "×", w);
    HTP_CHECK(0 < scale[0] && scale[0] <= scale[1] && scale[1] <= 1, "random_resized_crop: scale must satisfy ",
              "0 < min <= max <= 1, got (", scale[0], ", ", scale[1], ")");
    HTP_CHECK(0 < ratio[0] && ratio[0] <= ratio[1], "random_resized_crop: ratio must satisfy 0 < min <= max, got (",
              ratio[0], ", ", ratio[1], ")");
  }
  Sample operator()(Sample s, SampleRng& rng) const override {
    check_sample(s, "random_resized_crop");
    const CropRect r = random_resized_crop_rect(s.image.size(1), s.image.size(2), scale_, ratio_, rng);
    return resized(cropped(std::move(s), r), h_, w_, antialias_);
  }
  std::string describe() const override {
    return detail::concat("RandomResizedCrop(size=[", h_, ", ", w_, "], scale=(", scale_[0], ", ", scale_[1],
                          "), ratio=(", ratio_[0], ", ", ratio_[1], "), antialias=", antialias_ ? "true" : "false", ")");
  }

 private:
  int64_t h_, w_;
  std::array<double, 2> scale_, ratio_;
  bool antialias_;
};

class HorizontalFlip : public Transform {
 public:
  explicit HorizontalFlip(double p) : p_(p) {
    HTP_CHECK(p >= 0 && p <= 1, "horizontal_flip: p must be in [0, 1], got ", p);
  }
  Sample operator()(Sample s, SampleRng& rng) const override {
    check_sample(s, "horizontal_flip");
    if (rng.uniform() >= p_) return s;
    const double W = static_cast<double>(s.image.size(2));
    s.image = hflip_image(s.image);
    for (Box& b : s.boxes) b = {b.label, W - b.x1, b.y0, W - b.x0, b.y1};
    return s;
  }
  std::string describe() const override { return detail::concat("HorizontalFlip(p=", p_, ")"); }

 private:
  double p_;
};

class Normalize : public Transform {
 public:
  Normalize(std::vector<double> mean, std::vector<double> std) : mean_(std::move(mean)), std_(std::move(std)) {}
  Sample operator()(Sample s, SampleRng&) const override {
    check_sample(s, "normalize");
    s.image = normalize_image(s.image, mean_, std_);
    return s;
  }
  std::string describe() const override { return "Normalize(mean=" + list(mean_) + ", std=" + list(std_) + ")"; }

 private:
  std::vector<double> mean_, std_;
};

class Pad : public Transform {
 public:
  Pad(int64_t left, int64_t top, int64_t right, int64_t bottom, double fill)
      : left_(left), top_(top), right_(right), bottom_(bottom), fill_(fill) {
    HTP_CHECK(left >= 0 && top >= 0 && right >= 0 && bottom >= 0, "pad: negative padding (left ", left, ", top ", top,
              ", right ", right, ", bottom ", bottom, ")");
  }
  Sample operator()(Sample s, SampleRng&) const override {
    check_sample(s, "pad");
    s.image = pad_image(s.image, left_, top_, right_, bottom_, fill_);
    for (Box& b : s.boxes) b = {b.label, b.x0 + left_, b.y0 + top_, b.x1 + left_, b.y1 + top_};
    return s;
  }
  std::string describe() const override {
    return detail::concat("Pad(left=", left_, ", top=", top_, ", right=", right_, ", bottom=", bottom_,
                          ", fill=", fill_, ")");
  }

 private:
  int64_t left_, top_, right_, bottom_;
  double fill_;
};

class BcosEncode : public Transform {
 public:
  Sample operator()(Sample s, SampleRng&) const override {
    check_sample(s, "bcos_encode");
    s.image = bcos_encode_image(s.image);
    return s;
  }
  std::string describe() const override { return "BcosEncode()"; }
};

}  // namespace

Compose::Compose(std::vector<TransformPtr> transforms) : transforms_(std::move(transforms)) {
  for (size_t i = 0; i < transforms_.size(); ++i) HTP_CHECK(transforms_[i] != nullptr, "compose: transform ", i, " is null");
}

Sample Compose::operator()(Sample sample, SampleRng& rng) const {
  for (const TransformPtr& t : transforms_) sample = (*t)(std::move(sample), rng);
  return sample;
}

std::string Compose::describe() const {
  std::string s = "Compose(";
  for (size_t i = 0; i < transforms_.size(); ++i) s += (i ? ", " : "") + transforms_[i]->describe();
  return s + ")";
}

TransformPtr compose(std::vector<TransformPtr> transforms) { return std::make_shared<Compose>(std::move(transforms)); }
TransformPtr to_float() { return std::make_shared<ToFloat>(); }
TransformPtr resize(int64_t height, int64_t width, bool antialias) {
  return std::make_shared<Resize>(height, width, antialias);
}
TransformPtr resize_short_side(int64_t size, bool antialias) {
  return std::make_shared<ResizeShortSide>(size, antialias);
}
TransformPtr center_crop(int64_t height, int64_t width) { return std::make_shared<CenterCrop>(height, width); }
TransformPtr random_resized_crop(int64_t height, int64_t width, std::array<double, 2> scale,
                                 std::array<double, 2> ratio, bool antialias) {
  return std::make_shared<RandomResizedCrop>(height, width, scale, ratio, antialias);
}
TransformPtr horizontal_flip(double p) { return std::make_shared<HorizontalFlip>(p); }
TransformPtr normalize(std::vector<double> mean, std::vector<double> std) {
  return std::make_shared<Normalize>(std::move(mean), std::move(std));
}
TransformPtr pad(int64_t left, int64_t top, int64_t right, int64_t bottom, double fill) {
  return std::make_shared<Pad>(left, top, right, bottom, fill);
}
TransformPtr bcos_encode() { return std::make_shared<BcosEncode>(); }

CropRect center_crop_rect(int64_t H, int64_t W, int64_t height, int64_t width) {
  // Larger than the image: torchvision pads (size - H) // 2 on top and (size - W) // 2 on the left first.
  const int64_t top = height > H ? -((height - H) / 2) : static_cast<int64_t>(std::nearbyint((H - height) / 2.0));
  const int64_t left = width > W ? -((width - W) / 2) : static_cast<int64_t>(std::nearbyint((W - width) / 2.0));
  return {top, left, height, width};
}

CropRect random_resized_crop_rect(int64_t H, int64_t W, std::array<double, 2> scale, std::array<double, 2> ratio,
                                  SampleRng& rng) {
  const double area = static_cast<double>(H) * static_cast<double>(W);
  const double log_lo = std::log(ratio[0]), log_hi = std::log(ratio[1]);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target_area = area * rng.uniform(scale[0], scale[1]);
    const double aspect = std::exp(rng.uniform(log_lo, log_hi));
    const auto w = static_cast<int64_t>(std::nearbyint(std::sqrt(target_area * aspect)));
    const auto h = static_cast<int64_t>(std::nearbyint(std::sqrt(target_area / aspect)));
    if (0 < w && w <= W && 0 < h && h <= H) {
      const int64_t top = rng.randint(0, H - h + 1);
      const int64_t left = rng.randint(0, W - w + 1);
      return {top, left, h, w};
    }
  }
  const double in_ratio = static_cast<double>(W) / static_cast<double>(H);
  int64_t w = W, h = H;
  if (in_ratio < ratio[0]) {
    h = static_cast<int64_t>(std::nearbyint(static_cast<double>(W) / ratio[0]));
  } else if (in_ratio > ratio[1]) {
    w = static_cast<int64_t>(std::nearbyint(static_cast<double>(H) * ratio[1]));
  }
  return {(H - h) / 2, (W - w) / 2, h, w};
}

}  // namespace htp::data
