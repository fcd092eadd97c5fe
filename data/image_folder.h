// Image folders in the ImageNet / torchvision ImageFolder layout:
//
//   root/<class name>/**/<file>.{png,jpg,jpeg}     (extensions matched case-insensitively, sub-folders followed)
//
// The classes are root's sub-directories sorted by name (byte order, as Python's sorted()), their index the position
// in that order; the files of a class are sorted by directory, then by name (torchvision's order). A class with no
// image file is an error (torchvision's default). Images are decoded lazily by get() (data/image_decode.h) to
// uint8 [3, H, W]; an unreadable file then throws naming it. With `skip_unreadable`, the constructor instead decodes
// every file once (on `verify_threads` threads; a full pass over the data, minutes for ImageNet) and drops the ones
// that fail: skipped() counts them and skipped_files() says which and why.
#pragma once
#include <string>
#include <vector>

#include "data/labelled_images.h"

namespace htp::data {

struct ImageFolderOptions {
  std::vector<std::string> extensions = {".png", ".jpg", ".jpeg"};  // lower case, with the dot
  bool skip_unreadable = false;
  int verify_threads = 0;  // 0: the hardware concurrency
};

struct SkippedFile {
  std::string path;
  std::string reason;
};

class ImageFolder : public LabelledImages {
 public:
  explicit ImageFolder(const std::string& root, ImageFolderOptions options = {});

  const std::vector<std::string>& paths() const { return paths_; }
  int64_t skipped() const { return static_cast<int64_t>(skipped_.size()); }
  const std::vector<SkippedFile>& skipped_files() const { return skipped_; }

 private:
  std::vector<SkippedFile> skipped_;
};

}  // namespace htp::data
