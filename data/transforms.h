// Sample transforms (torchvision.transforms semantics) and their composition into a pipeline.
//
// A transform maps a Sample to a new one, moving its boxes with the image (resize scales them, crops shift them
// and clip them to the crop, dropping those left empty, a flip mirrors them). Random transforms draw from the
// sample's SampleRng (data/sample_rng.h), so a pipeline's output depends only on (seed, epoch, sample index).
//
// random_resized_crop follows torchvision's RandomResizedCrop.get_params (Szegedy et al., "Going deeper with
// convolutions", CVPR 2015): up to 10 attempts draw an area fraction s ~ U(scale) and a log aspect ratio
// log r ~ U(log ratio), take w = round(sqrt(s A r)), h = round(sqrt(s A / r)) and, when the box fits, its top-left
// corner uniformly (i ~ U{0 … H - h}, j ~ U{0 … W - w}); otherwise the central crop of the whole image clamped to
// the ratio range. center_crop rounds the offset as torchvision (round half to even) and pads with zeros when the
// crop is larger than the image. resize_short_side scales the short side to `size` and the long side to
// floor(size · long / short), as torchvision's Resize(int).
//
// The paper's pipelines (§2.7): ImageNet training random_resized_crop(224) + horizontal_flip(0.5), test
// resize_short_side(256) + center_crop(224); VOC random_resized_crop(224, scale (0.7, 1)) + flip, test
// resize(224, 224) (COCO likewise at 448); then to_float and normalize(ImageNet mean/std) for conventional models or
// bcos_encode for B-cos models.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/sample_rng.h"

namespace htp::data {

inline const std::vector<double> kImageNetMean = {0.485, 0.456, 0.406};
inline const std::vector<double> kImageNetStd = {0.229, 0.224, 0.225};

class Transform {
 public:
  virtual ~Transform() = default;
  virtual Sample operator()(Sample sample, SampleRng& rng) const = 0;
  virtual std::string describe() const = 0;  // "RandomResizedCrop(size=[224, 224], scale=(0.08, 1), …)"
};
using TransformPtr = std::shared_ptr<const Transform>;

// Applies the transforms in order.
class Compose : public Transform {
 public:
  explicit Compose(std::vector<TransformPtr> transforms);
  Sample operator()(Sample sample, SampleRng& rng) const override;
  std::string describe() const override;
  const std::vector<TransformPtr>& transforms() const { return transforms_; }

 private:
  std::vector<TransformPtr> transforms_;
};

TransformPtr compose(std::vector<TransformPtr> transforms);
TransformPtr to_float();
TransformPtr resize(int64_t height, int64_t width, bool antialias = true);
TransformPtr resize_short_side(int64_t size, bool antialias = true);
TransformPtr center_crop(int64_t height, int64_t width);
TransformPtr random_resized_crop(int64_t height, int64_t width, std::array<double, 2> scale = {0.08, 1.0},
                                 std::array<double, 2> ratio = {3.0 / 4.0, 4.0 / 3.0}, bool antialias = true);
TransformPtr horizontal_flip(double p = 0.5);
TransformPtr normalize(std::vector<double> mean, std::vector<double> std);
TransformPtr pad(int64_t left, int64_t top, int64_t right, int64_t bottom, double fill = 0);
TransformPtr bcos_encode();

// The crop rectangles of the transforms above, for an H × W image.
struct CropRect {
  int64_t top, left, height, width;
};
CropRect center_crop_rect(int64_t H, int64_t W, int64_t height, int64_t width);
CropRect random_resized_crop_rect(int64_t H, int64_t W, std::array<double, 2> scale, std::array<double, 2> ratio,
                                  SampleRng& rng);

}  // namespace htp::data
