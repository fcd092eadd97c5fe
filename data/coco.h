// MS-COCO 2014 object instances (Lin et al., "Microsoft COCO: Common Objects in Context", ECCV 2014) as multi-label
// classification with boxes. The annotation file (annotations/instances_{train,val}2014.json) holds
//
//   "images":      [{"id", "file_name", "width", "height", …}]
//   "categories":  [{"id", "name", …}]                       80 categories, ids 1…90 with gaps
//   "annotations": [{"image_id", "category_id", "bbox": [x, y, w, h], "iscrowd": 0/1, …}]
//
// Categories get contiguous indices in ascending id order (mmpretrain's and pycocotools' convention). An image's
// classes are the categories of its annotations, crowd ones included unless asked otherwise (paper §4.2); its boxes
// are those annotations as [x, x + w) × [y, y + h). Images keep the file's order. Errors name the file and the JSON
// field (annotations[17].bbox).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "data/dataset.h"

namespace htp::data {

struct CocoImage {
  int64_t id;
  std::string file_name;
  int64_t width, height;
};

struct CocoCategory {
  int64_t id;
  std::string name;
};

struct CocoObject {
  int64_t label;  // contiguous category index
  double x, y, w, h;
  bool crowd;
};

struct CocoInstances {
  std::vector<CocoImage> images;
  std::vector<CocoCategory> categories;         // ascending id
  std::vector<std::vector<CocoObject>> objects;  // per image, in the file's order
};

CocoInstances parse_coco_instances(std::string_view json, const std::string& name);

struct CocoOptions {
  bool include_crowd = true;     // crowd annotations count as labels and boxes
  bool drop_unlabeled = false;   // leave out images without a (counted) annotation, as the EPG protocol does
};

class CocoDataset : public Dataset {
 public:
  // `annotation_file` as above; images are read from image_dir/<file_name> by get().
  CocoDataset(const std::string& annotation_file, const std::string& image_dir, CocoOptions options = {});

  int64_t size() const override { return static_cast<int64_t>(images_.size()); }
  Sample get(int64_t index) const override;  // uint8 [3, H, W], multi-hot target [80], boxes
  const std::vector<std::string>& class_names() const override { return class_names_; }
  std::string sample_name(int64_t index) const override;

  const CocoImage& image_info(int64_t index) const;
  const std::vector<CocoCategory>& categories() const { return categories_; }
  std::vector<int64_t> labels(int64_t index) const;  // ascending, unique
  Tensor targets() const;                             // float32 [N, num_classes]

 private:
  std::string image_dir_;
  std::vector<CocoImage> images_;
  std::vector<std::vector<CocoObject>> objects_;
  std::vector<CocoCategory> categories_;
  std::vector<std::string> class_names_;
};

}  // namespace htp::data
