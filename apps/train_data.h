// The data sets of the training commands, by name, and their input pipelines.
//
//   fashion-mnist[:DIR]   Fashion-MNIST (default DIR /usr/share/datasets/fashion-mnist): train 60k / test 10k,
//                         grey 28×28, 10 classes
//   mnist:DIR             MNIST digits in DIR (the same IDX file names)
//   imagefolder:PATH      PATH/train and PATH/val in the ImageNet / torchvision ImageFolder layout, RGB
//   voc2007:PATH          VOCdevkit/VOC2007 at PATH: trainval / test, multi-label (20 classes); the mAP ignores
//                         difficult-only classes
//
// Pipelines end in the model's input encoding: conventional models get (x − mean) / std per channel (the data set's
// statistics for the MNISTs, ImageNet's otherwise); B-cos models get x in [0, 1] and add [x, 1 − x] themselves
// (nn/models/bcos_resnet.h). Augmentation (--augment): "none", or "crop-flip": MNISTs pad 2 px, a random 28×28 crop
// and a horizontal flip with p 0.5; image folders RandomResizedCrop + flip; VOC RandomResizedCrop(scale 0.7–1) +
// flip (paper §2.7). Test pipelines: MNISTs as is (resized when --image-size differs from 28), image folders
// resize_short_side(size · 8/7) + center_crop(size), VOC resize(size, size).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "apps/train_log.h"
#include "data/dataset.h"
#include "data/transforms.h"

namespace htp::app {

struct DataSpec {
  std::string kind;  // fashion-mnist, mnist, imagefolder, voc2007
  std::string path;
  std::string str() const;  // as written on the command line
};
DataSpec parse_data_spec(const std::string& spec);  // errors list the accepted forms

struct DataSplit {
  std::shared_ptr<const data::Dataset> dataset;
  std::string split;  // train, test (the file-level name: trainval, val, ...)
  bool multi_label = false;
  int64_t channels = 3;
  Tensor ignore;            // VOC: float32 [N, C], 1 where a class is difficult-only (left out of the mAP)
  int64_t num_classes() const { return static_cast<int64_t>(dataset->class_names().size()); }
};

// train: the training split, else the test split. limit > 0 keeps the first `limit` samples.
DataSplit open_split(const DataSpec& spec, bool train, int64_t limit = 0);

// What a model expects as input. bcos: values in [0, 1]; otherwise normalised with mean / std (one per channel).
struct InputEncoding {
  bool bcos = false;
  std::vector<double> mean, std;
  Json to_json() const;
  static InputEncoding from_json(const Json& j);
};
InputEncoding default_encoding(const DataSpec& spec, bool bcos);

// image_size 0: the data set's native size (28) or 224 for image folders and VOC.
int64_t resolve_image_size(const DataSpec& spec, int64_t image_size);
data::TransformPtr make_pipeline(const DataSpec& spec, const InputEncoding& encoding, int64_t image_size, bool train,
                                 const std::string& augment);
void check_augment(const std::string& augment);  // "none" or "crop-flip"

// A data set of precomputed feature maps (the frozen-backbone features of `source`, in its order): sample i is
// features[i] (float32 [C, h, w]) with sample i's label or target. Pass through an empty pipeline (data::compose({})).
class FeatureDataset : public data::Dataset {
 public:
  FeatureDataset(Tensor features, Tensor labels, std::shared_ptr<const data::Dataset> source);
  int64_t size() const override { return features_.size(0); }
  data::Sample get(int64_t index) const override;
  const std::vector<std::string>& class_names() const override { return source_->class_names(); }
  std::string sample_name(int64_t index) const override { return "features of " + source_->sample_name(index); }

 private:
  Tensor features_, labels_;  // labels: int64 [N] or float32 [N, C]
  std::shared_ptr<const data::Dataset> source_;
};

}  // namespace htp::app
