// The data-set interface every reader implements (MNIST, image folders, VOC, COCO) and the sample it returns.
//
// A sample is one image with its target: a class index (single-label data sets) or a multi-hot vector (VOC, COCO),
// and, for detection-style annotations, boxes. Boxes use continuous pixel coordinates: the box covers
// [x0, x1) × [y0, y1) of an image whose pixel (r, c) is the square [c, c + 1) × [r, r + 1). (VOC's 1-based inclusive
// xmin…xmax becomes x0 = xmin - 1, x1 = xmax; COCO's [x, y, w, h] becomes x0 = x, x1 = x + w.) Geometric transforms
// (data/transforms.h) move the boxes with the image, so the EPG metric can rasterise them at the model's resolution.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace htp::data {

struct Box {
  int64_t label;  // class index
  double x0, y0, x1, y1;
};

struct Sample {
  Tensor image;        // [C, H, W]: uint8 as decoded, float32 after data::to_float
  int64_t label = -1;  // class index of a single-label data set, else -1
  Tensor target;       // multi-hot float32 [num_classes] of a multi-label data set, else undefined
  std::vector<Box> boxes;
};

// Read-only and thread-safe: the loader calls get() from several threads at once.
class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int64_t size() const = 0;
  virtual Sample get(int64_t index) const = 0;
  virtual const std::vector<std::string>& class_names() const = 0;
  // What index names for an error message: the image file, or "<labels file>[index]".
  virtual std::string sample_name(int64_t index) const = 0;
};

// Throws naming `what` unless 0 <= index < size.
void check_index(int64_t index, int64_t size, const std::string& what);

// A multi-hot float32 [num_classes] with ones at `labels` (repeats allowed).
Tensor multi_hot(const std::vector<int64_t>& labels, int64_t num_classes);

}  // namespace htp::data
