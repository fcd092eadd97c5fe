// PASCAL VOC 2007 (Everingham, Van Gool, Williams, Winn, Zisserman, "The PASCAL Visual Object Classes (VOC)
// Challenge", IJCV 2010). `root` is VOCdevkit/VOC2007:
//
//   ImageSets/Main/{train,val,trainval,test}.txt   one image id per line ("000005")
//   Annotations/<id>.xml                           <annotation> <filename/> <size><width/><height/><depth/></size>
//                                                    <object>* <name/> <difficult/> (optional, 0 or 1)
//                                                      <bndbox><xmin/><ymin/><xmax/><ymax/></bndbox> </object>
//   JPEGImages/<id>.jpg
//
// Box corners are 1-based inclusive pixel indices in the file; Box (data/dataset.h) holds them as
// [xmin - 1, xmax) × [ymin - 1, ymax). Labels follow mmpretrain's VOC dataset (paper §2.5): an image's classes are
// those with at least one non-difficult object, and a class with only difficult objects is a negative (which the
// mAP metric ignores: difficult_only()). Sample boxes are the non-difficult objects (the EPG protocol, paper §4.2).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "data/dataset.h"

namespace htp::data {

// aeroplane, bicycle, bird, boat, bottle, bus, car, cat, chair, cow, diningtable, dog, horse, motorbike, person,
// pottedplant, sheep, sofa, train, tvmonitor.
const std::vector<std::string>& voc_classes();

struct VocObject {
  std::string name;
  int64_t label;  // index in voc_classes()
  bool difficult;
  double xmin, ymin, xmax, ymax;  // as in the file
};

struct VocAnnotation {
  std::string filename;
  int64_t width, height;
  std::vector<VocObject> objects;

  std::vector<int64_t> labels() const;                 // classes with a non-difficult object, ascending
  std::vector<int64_t> difficult_only_labels() const;  // classes whose objects are all difficult, ascending
  std::vector<Box> boxes() const;                      // the non-difficult objects
};

// Errors name the file, the element path (<annotation>/<object>[2]/<bndbox>) and its line.
VocAnnotation parse_voc_annotation(std::string_view xml, const std::string& name);

// The ids listed in root/ImageSets/Main/<split>.txt.
std::vector<std::string> read_voc_image_set(const std::string& root, const std::string& split);

class VocDataset : public Dataset {
 public:
  // Reads the split's list and all its annotations now; images are decoded by get().
  VocDataset(const std::string& root, const std::string& split);

  int64_t size() const override { return static_cast<int64_t>(ids_.size()); }
  Sample get(int64_t index) const override;  // uint8 [3, H, W], multi-hot target [20], non-difficult boxes
  const std::vector<std::string>& class_names() const override { return voc_classes(); }
  std::string sample_name(int64_t index) const override;

  const std::vector<std::string>& ids() const { return ids_; }
  const VocAnnotation& annotation(int64_t index) const;
  Tensor targets() const;         // float32 [N, 20], the samples' targets
  Tensor difficult_only() const;  // float32 [N, 20], 1 where the class has only difficult objects

 private:
  std::string root_;
  std::vector<std::string> ids_;
  std::vector<VocAnnotation> annotations_;
};

}  // namespace htp::data
