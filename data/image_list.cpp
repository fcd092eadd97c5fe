#include "data/image_list.h"

#include <charconv>
#include <sstream>

#include "data/image_decode.h"

namespace htp::data {

ImageList::ImageList(const std::string& root, const std::string& list_file, std::vector<std::string> class_names)
    : LabelledImages(list_file, std::move(class_names)) {
  HTP_CHECK(!class_names_.empty(), list_file, ": ImageList needs the class names");
  const std::vector<uint8_t> bytes = read_file(list_file);
  std::istringstream in(std::string(bytes.begin(), bytes.end()));
  std::string line;
  for (int64_t n = 1; std::getline(in, line); ++n) {
    std::istringstream words(line);
    std::string path, label_text, extra;
    if (!(words >> path)) continue;  // blank line
    HTP_CHECK(words >> label_text && !(words >> extra), list_file, ": line ", n, ": expected 'path label', got '", line,
              "'");
    int64_t label = -1;
    const char* end = label_text.data() + label_text.size();
    const auto [ptr, ec] = std::from_chars(label_text.data(), end, label);
    HTP_CHECK(ec == std::errc() && ptr == end && label >= 0 && label < static_cast<int64_t>(class_names_.size()),
              list_file, ": line ", n, ": label '", label_text, "' is not an integer in [0, ", class_names_.size(), ")");
    paths_.push_back(root + "/" + path);
    labels_.push_back(label);
  }
  HTP_CHECK(!paths_.empty(), list_file, ": no images listed");
}

}  // namespace htp::data
