#include "data/voc.h"

#include <algorithm>
#include <charconv>
#include <sstream>
#include <type_traits>

#include "data/image_decode.h"
#include "data/xml.h"
#include "tensor/creation.h"

namespace htp::data {
namespace {

// An element with its path from the root (<annotation>/<object>[2]/<bndbox>) and file, for error messages.
class Node {
 public:
  Node(const XmlElement& e, std::string path, const std::string& file) : e_(e), path_(std::move(path)), file_(file) {}

  const XmlElement& element() const { return e_; }
  const std::string& text() const { return e_.text; }

  template <class... Parts>
  [[noreturn]] void fail(Parts&&... parts) const {
    throw Error(detail::concat(file_, ": ", path_, " (line ", e_.line, ")", std::forward<Parts>(parts)...));
  }

  // The first child so named; an error when there is none.
  Node child(const char* name) const {
    const XmlElement* c = e_.find(name);
    if (c == nullptr) fail(" has no <", name, ">");
    return Node(*c, path_ + "/<" + name + ">", file_);
  }

  template <class T>
  T parse() const {
    T v{};
    const char* end = e_.text.data() + e_.text.size();
    const auto [ptr, ec] = std::from_chars(e_.text.data(), end, v);
    if (e_.text.empty() || ec != std::errc() || ptr != end) {
      fail(": '", e_.text, "' is not ", std::is_integral_v<T> ? "an integer" : "a number");
    }
    return v;
  }

 private:
  const XmlElement& e_;
  std::string path_;
  const std::string& file_;
};

VocObject parse_object(const Node& o) {
  VocObject obj;
  const Node name = o.child("name");
  obj.name = name.text();
  const auto& classes = voc_classes();
  const auto it = std::find(classes.begin(), classes.end(), obj.name);
  if (it == classes.end()) name.fail(": '", obj.name, "' is not a VOC class");
  obj.label = it - classes.begin();
  obj.difficult = false;
  if (o.element().find("difficult") != nullptr) {
    const Node d = o.child("difficult");
    const int64_t flag = d.parse<int64_t>();
    if (flag != 0 && flag != 1) d.fail(": expected 0 or 1, got ", flag);
    obj.difficult = flag == 1;
  }
  const Node box = o.child("bndbox");
  obj.xmin = box.child("xmin").parse<double>();
  obj.ymin = box.child("ymin").parse<double>();
  obj.xmax = box.child("xmax").parse<double>();
  obj.ymax = box.child("ymax").parse<double>();
  if (!(obj.xmin <= obj.xmax && obj.ymin <= obj.ymax)) {
    box.fail(": box [", obj.xmin, ", ", obj.ymin, ", ", obj.xmax, ", ", obj.ymax, "] has xmin > xmax or ymin > ymax");
  }
  return obj;
}

std::vector<int64_t> sorted_unique(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace

const std::vector<std::string>& voc_classes() {
  static const std::vector<std::string> names = {
      "aeroplane", "bicycle", "bird",  "boat",        "bottle", "bus",   "car",      "cat",  "chair", "cow",
      "diningtable", "dog",   "horse", "motorbike",   "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor"};
  return names;
}

std::vector<int64_t> VocAnnotation::labels() const {
  std::vector<int64_t> out;
  for (const VocObject& o : objects) {
    if (!o.difficult) out.push_back(o.label);
  }
  return sorted_unique(out);
}

std::vector<int64_t> VocAnnotation::difficult_only_labels() const {
  const std::vector<int64_t> positive = labels();
  std::vector<int64_t> out;
  for (const VocObject& o : objects) {
    if (o.difficult && !std::binary_search(positive.begin(), positive.end(), o.label)) out.push_back(o.label);
  }
  return sorted_unique(out);
}

std::vector<Box> VocAnnotation::boxes() const {
  std::vector<Box> out;
  for (const VocObject& o : objects) {
    if (!o.difficult) out.push_back({o.label, o.xmin - 1, o.ymin - 1, o.xmax, o.ymax});
  }
  return out;
}

VocAnnotation parse_voc_annotation(std::string_view xml, const std::string& name) {
  const XmlElement root_element = parse_xml(xml, name);
  const Node root(root_element, "<" + root_element.name + ">", name);
  if (root_element.name != "annotation") root.fail(": expected the root element <annotation>");
  VocAnnotation a;
  a.filename = root.child("filename").text();
  const Node size = root.child("size");
  const Node width = size.child("width"), height = size.child("height");
  a.width = width.parse<int64_t>();
  a.height = height.parse<int64_t>();
  if (a.width <= 0) width.fail(": the image width must be positive");
  if (a.height <= 0) height.fail(": the image height must be positive");
  const std::vector<const XmlElement*> objects = root_element.find_all("object");
  for (size_t i = 0; i < objects.size(); ++i) {
    a.objects.push_back(parse_object(Node(*objects[i], "<annotation>/<object>[" + std::to_string(i + 1) + "]", name)));
  }
  return a;
}

std::vector<std::string> read_voc_image_set(const std::string& root, const std::string& split) {
  const std::string path = root + "/ImageSets/Main/" + split + ".txt";
  const std::vector<uint8_t> bytes = read_file(path);
  std::istringstream in(std::string(bytes.begin(), bytes.end()));
  std::vector<std::string> ids;
  std::string line;
  for (int64_t n = 1; std::getline(in, line); ++n) {
    std::istringstream words(line);
    std::string id, extra;
    if (!(words >> id)) continue;  // blank line
    HTP_CHECK(!(words >> extra), path, ": line ", n, ": expected one image id, got '", line, "'");
    ids.push_back(id);
  }
  HTP_CHECK(!ids.empty(), path, ": no image ids");
  return ids;
}

VocDataset::VocDataset(const std::string& root, const std::string& split)
    : root_(root), ids_(read_voc_image_set(root, split)) {
  annotations_.reserve(ids_.size());
  for (const std::string& id : ids_) {
    const std::string path = root + "/Annotations/" + id + ".xml";
    const std::vector<uint8_t> bytes = read_file(path);
    annotations_.push_back(
        parse_voc_annotation(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path));
  }
}

Sample VocDataset::get(int64_t index) const {
  check_index(index, size(), root_);
  const VocAnnotation& a = annotations_[index];
  Sample s;
  s.image = load_image(sample_name(index));
  HTP_CHECK(s.image.size(1) == a.height && s.image.size(2) == a.width, sample_name(index), ": image is ",
            s.image.size(2), "×", s.image.size(1), " but ", root_, "/Annotations/", ids_[index], ".xml says ", a.width,
            "×", a.height);
  s.target = multi_hot(a.labels(), static_cast<int64_t>(voc_classes().size()));
  s.boxes = a.boxes();
  return s;
}

std::string VocDataset::sample_name(int64_t index) const {
  check_index(index, size(), root_);
  return root_ + "/JPEGImages/" + ids_[index] + ".jpg";
}

const VocAnnotation& VocDataset::annotation(int64_t index) const {
  check_index(index, size(), root_);
  return annotations_[index];
}

Tensor VocDataset::targets() const {
  const int64_t c = static_cast<int64_t>(voc_classes().size());
  Tensor t = zeros({size(), c});
  for (int64_t i = 0; i < size(); ++i) t.select(0, i).copy_(multi_hot(annotations_[i].labels(), c));
  return t;
}

Tensor VocDataset::difficult_only() const {
  const int64_t c = static_cast<int64_t>(voc_classes().size());
  Tensor t = zeros({size(), c});
  for (int64_t i = 0; i < size(); ++i) t.select(0, i).copy_(multi_hot(annotations_[i].difficult_only_labels(), c));
  return t;
}

}  // namespace htp::data
