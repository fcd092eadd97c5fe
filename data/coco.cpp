#include "data/coco.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

#include "data/image_decode.h"
#include "tensor/creation.h"

namespace htp::data {
namespace {

using nlohmann::json;

// A JSON value with its path from the document root (annotations[17].bbox) and file, for error messages.
class Field {
 public:
  Field(const json& v, std::string path, const std::string& file) : v_(v), path_(std::move(path)), file_(file) {}

  template <class... Parts>
  [[noreturn]] void fail(Parts&&... parts) const {
    throw Error(detail::concat(file_, ": ", path_.empty() ? "top level" : path_, ": ", std::forward<Parts>(parts)...));
  }

  Field operator[](const char* key) const {
    if (!v_.is_object()) fail("expected an object, got ", v_.type_name());
    const auto it = v_.find(key);
    if (it == v_.end()) fail("missing field \"", key, "\"");
    return Field(*it, path_.empty() ? key : path_ + "." + key, file_);
  }
  bool has(const char* key) const { return v_.is_object() && v_.contains(key); }

  // The elements of an array.
  std::vector<Field> items() const {
    if (!v_.is_array()) fail("expected an array, got ", v_.type_name());
    std::vector<Field> out;
    out.reserve(v_.size());
    for (size_t i = 0; i < v_.size(); ++i) out.emplace_back(v_[i], path_ + "[" + std::to_string(i) + "]", file_);
    return out;
  }

  int64_t integer() const {
    if (!v_.is_number_integer()) fail("expected an integer, got ", v_.dump());
    return v_.get<int64_t>();
  }
  double number() const {
    if (!v_.is_number() || !std::isfinite(v_.get<double>())) fail("expected a finite number, got ", v_.dump());
    return v_.get<double>();
  }
  std::string string() const {
    if (!v_.is_string()) fail("expected a string, got ", v_.dump());
    return v_.get<std::string>();
  }

 private:
  const json& v_;
  std::string path_;
  const std::string& file_;
};

}  // namespace

CocoInstances parse_coco_instances(std::string_view text, const std::string& name) {
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    throw Error(detail::concat(name, ": invalid JSON at byte ", e.byte, " (", e.what(), ")"));
  }
  const Field root(doc, "", name);
  CocoInstances out;

  std::unordered_map<int64_t, int64_t> image_index;
  for (const Field& f : root["images"].items()) {
    CocoImage im{f["id"].integer(), f["file_name"].string(), f["width"].integer(), f["height"].integer()};
    if (!image_index.emplace(im.id, static_cast<int64_t>(out.images.size())).second) {
      f["id"].fail("image id ", im.id, " appears twice");
    }
    out.images.push_back(std::move(im));
  }

  std::unordered_set<int64_t> category_ids;
  for (const Field& f : root["categories"].items()) {
    out.categories.push_back({f["id"].integer(), f["name"].string()});
    if (!category_ids.insert(out.categories.back().id).second) {
      f["id"].fail("category id ", out.categories.back().id, " appears twice");
    }
  }
  std::sort(out.categories.begin(), out.categories.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  std::unordered_map<int64_t, int64_t> category_index;
  for (size_t c = 0; c < out.categories.size(); ++c) category_index[out.categories[c].id] = static_cast<int64_t>(c);

  out.objects.resize(out.images.size());
  for (const Field& f : root["annotations"].items()) {
    const Field image_id = f["image_id"], category_id = f["category_id"], bbox = f["bbox"];
    const auto im = image_index.find(image_id.integer());
    if (im == image_index.end()) image_id.fail(image_id.integer(), " is not the id of an entry of \"images\"");
    const auto cat = category_index.find(category_id.integer());
    if (cat == category_index.end()) category_id.fail(category_id.integer(), " is not the id of a category");
    const std::vector<Field> xywh = bbox.items();
    if (xywh.size() != 4) bbox.fail("expected [x, y, w, h], got ", xywh.size(), " numbers");
    CocoObject o{cat->second, xywh[0].number(), xywh[1].number(), xywh[2].number(), xywh[3].number(), false};
    if (o.w < 0 || o.h < 0) bbox.fail("negative width or height");
    if (f.has("iscrowd")) {
      const int64_t crowd = f["iscrowd"].integer();
      if (crowd != 0 && crowd != 1) f["iscrowd"].fail("expected 0 or 1, got ", crowd);
      o.crowd = crowd == 1;
    }
    out.objects[im->second].push_back(o);
  }
  return out;
}

CocoDataset::CocoDataset(const std::string& annotation_file, const std::string& image_dir, CocoOptions options)
    : image_dir_(image_dir) {
  const std::vector<uint8_t> bytes = read_file(annotation_file);
  CocoInstances all =
      parse_coco_instances(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), annotation_file);
  categories_ = std::move(all.categories);
  for (const CocoCategory& c : categories_) class_names_.push_back(c.name);
  for (size_t i = 0; i < all.images.size(); ++i) {
    std::vector<CocoObject> objects;
    for (const CocoObject& o : all.objects[i]) {
      if (options.include_crowd || !o.crowd) objects.push_back(o);
    }
    if (options.drop_unlabeled && objects.empty()) continue;
    images_.push_back(std::move(all.images[i]));
    objects_.push_back(std::move(objects));
  }
}

std::vector<int64_t> CocoDataset::labels(int64_t index) const {
  check_index(index, size(), image_dir_);
  std::vector<int64_t> out;
  for (const CocoObject& o : objects_[index]) out.push_back(o.label);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Sample CocoDataset::get(int64_t index) const {
  const CocoImage& info = image_info(index);
  Sample s;
  s.image = load_image(sample_name(index));
  HTP_CHECK(s.image.size(1) == info.height && s.image.size(2) == info.width, sample_name(index), ": image is ",
            s.image.size(2), "×", s.image.size(1), " but the annotations say ", info.width, "×", info.height);
  s.target = multi_hot(labels(index), static_cast<int64_t>(categories_.size()));
  for (const CocoObject& o : objects_[index]) s.boxes.push_back({o.label, o.x, o.y, o.x + o.w, o.y + o.h});
  return s;
}

std::string CocoDataset::sample_name(int64_t index) const { return image_dir_ + "/" + image_info(index).file_name; }

const CocoImage& CocoDataset::image_info(int64_t index) const {
  check_index(index, size(), image_dir_);
  return images_[index];
}

Tensor CocoDataset::targets() const {
  const int64_t c = static_cast<int64_t>(categories_.size());
  Tensor t = zeros({size(), c});
  for (int64_t i = 0; i < size(); ++i) t.select(0, i).copy_(multi_hot(labels(i), c));
  return t;
}

}  // namespace htp::data
