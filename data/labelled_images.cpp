#include "data/labelled_images.h"

#include "data/image_decode.h"

namespace htp::data {

Sample LabelledImages::get(int64_t index) const {
  check_index(index, size(), what_);
  Sample s;
  s.image = load_image(paths_[index]);
  s.label = labels_[index];
  return s;
}

std::string LabelledImages::sample_name(int64_t index) const {
  check_index(index, size(), what_);
  return paths_[index];
}

}  // namespace htp::data
