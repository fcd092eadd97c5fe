// Operations on one image [C, H, W] of uint8 or float32 (torchvision.transforms.functional semantics). None writes its
// input (which may be a view of a data set's storage); each returns a new tensor, except image_to_float of a float32
// image, which returns the input itself.
//
// resize_image is separable resampling with the triangle (bilinear) filter as in Pillow's ImagingResample
// (libImaging/Resample.c) and torchvision's antialiased resize: output pixel i of an axis of scale s = in / out has
// centre c = (i + 0.5) s and weights tri((j + 0.5 - c) / f) over input pixels j with |j + 0.5 - c| < f, normalised
// to sum 1, where f = max(s, 1) with antialias (the filter widens when shrinking) and f = 1 without. Without
// antialias this equals PyTorch's bilinear interpolation with align_corners=false (kernels/interpolate.h) exactly.
// It runs on the calling thread (the loader parallelises over samples; the kernel thread pool stays with the model).
// uint8 images are resampled in float and rounded back to uint8 once (Pillow rounds after each pass, so results can
// differ from Pillow's by one grey level).
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace htp::data {

Tensor image_to_float(const Tensor& image);  // uint8 → float32 / 255; float32 as is
Tensor resize_image(const Tensor& image, int64_t height, int64_t width, bool antialias = true);
// Rows [top, top + height) and columns [left, left + width); parts outside the image are `fill`.
Tensor crop_image(const Tensor& image, int64_t top, int64_t left, int64_t height, int64_t width, double fill = 0);
Tensor hflip_image(const Tensor& image);
Tensor pad_image(const Tensor& image, int64_t left, int64_t top, int64_t right, int64_t bottom, double fill = 0);
// (x - mean[c]) / std[c] of a float32 image, one mean and std per channel.
Tensor normalize_image(const Tensor& image, const std::vector<double>& mean, const std::vector<double>& std);
// The B-cos encoding [x, 1 - x] of a float32 image: [2C, H, W] (Böhle, Fritz, Schiele, CVPR 2022, §3.3).
Tensor bcos_encode_image(const Tensor& image);

}  // namespace htp::data
