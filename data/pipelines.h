// The paper's input pipelines (§2.7), from decoded uint8 images to model inputs:
//
//   ImageNet    train  random_resized_crop(224) + horizontal_flip(0.5)
//               test   resize_short_side(256) + center_crop(224)
//   VOC 2007    train  random_resized_crop(224, scale (0.7, 1)) + horizontal_flip(0.5)      test  resize(224, 224)
//   COCO 2014   the same as VOC at 448
//
// followed by to_float and the input encoding: ImageNet mean/std normalisation for conventional models, the B-cos
// [x, 1 - x] encoding (6 channels) for B-cos models. Resizing is antialiased (Pillow's filter).
#pragma once
#include <cstdint>

#include "data/transforms.h"

namespace htp::data {

enum class InputEncoding { imagenet_normalized, bcos };

TransformPtr imagenet_pipeline(bool train, InputEncoding encoding);
// VOC (size 224) and COCO (size 448).
TransformPtr multilabel_pipeline(int64_t size, bool train, InputEncoding encoding);
// to_float then the encoding: for images that are already at the model's size (GridPG grids).
TransformPtr encoding_pipeline(InputEncoding encoding);

}  // namespace htp::data
