// Images listed in a text file with their labels, as mmpretrain's ImageNet annotation files (meta/train.txt,
// meta/val.txt) and Caffe's image lists: one "relative/path label" per line, separated by whitespace, paths relative
// to `root`. This is how the flat ILSVRC2012 validation folder (ILSVRC2012_val_00000001.JPEG 65) is read. Blank
// lines are skipped; anything else that is not a path followed by an integer label in [0, num_classes) is an error
// naming the list file and line. Images are decoded by get() (data/image_decode.h) to uint8 [3, H, W].
#pragma once
#include <string>
#include <vector>

#include "data/labelled_images.h"

namespace htp::data {

class ImageList : public LabelledImages {
 public:
  // class_names gives the number of classes; labels must be below it.
  ImageList(const std::string& root, const std::string& list_file, std::vector<std::string> class_names);
};

}  // namespace htp::data
