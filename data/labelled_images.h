// What ImageFolder and ImageList share: a data set of image files with one class label each. get() decodes the file
// (data/image_decode.h) to uint8 [3, H, W] with its label, sample_name() is the file's path, and an index out of
// range is an error naming `what` (the folder or the list file). Subclasses fill class_names_, paths_ and labels_
// in their constructors.
#pragma once
#include <string>
#include <vector>

#include "data/dataset.h"

namespace htp::data {

class LabelledImages : public Dataset {
 public:
  int64_t size() const override { return static_cast<int64_t>(paths_.size()); }
  Sample get(int64_t index) const override;
  const std::vector<std::string>& class_names() const override { return class_names_; }
  std::string sample_name(int64_t index) const override;

  const std::vector<int64_t>& labels() const { return labels_; }

 protected:
  explicit LabelledImages(std::string what, std::vector<std::string> class_names = {})
      : what_(std::move(what)), class_names_(std::move(class_names)) {}

  std::string what_;
  std::vector<std::string> class_names_;
  std::vector<std::string> paths_;
  std::vector<int64_t> labels_;  // labels_[i] is the class index of paths_[i]
};

}  // namespace htp::data
