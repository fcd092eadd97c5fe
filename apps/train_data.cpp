#include "apps/train_data.h"

#include <cmath>
#include <filesystem>

#include "data/image_folder.h"
#include "data/image_ops.h"
#include "data/mnist.h"
#include "data/voc.h"
#include "tensor/error.h"

namespace htp::app {
namespace {

constexpr const char* kAccepted = "fashion-mnist[:DIR], mnist:DIR, imagefolder:PATH or voc2007:PATH";

// The first `n` samples of a data set.
class Subset : public data::Dataset {
 public:
  Subset(std::shared_ptr<const data::Dataset> base, int64_t n) : base_(std::move(base)), n_(n) {}
  int64_t size() const override { return n_; }
  data::Sample get(int64_t index) const override {
    data::check_index(index, n_, "subset");
    return base_->get(index);
  }
  const std::vector<std::string>& class_names() const override { return base_->class_names(); }
  std::string sample_name(int64_t index) const override { return base_->sample_name(index); }

 private:
  std::shared_ptr<const data::Dataset> base_;
  int64_t n_;
};

// Pads `pad` pixels on every side with zeros and takes a random crop of the original size: torchvision's
// RandomCrop(size, padding=pad). Single-label images only (no boxes to move).
class PadRandomCrop : public data::Transform {
 public:
  explicit PadRandomCrop(int64_t pad) : pad_(pad) {}
  data::Sample operator()(data::Sample s, data::SampleRng& rng) const override {
    HTP_CHECK(s.boxes.empty(), "PadRandomCrop: samples with boxes are not supported");
    const int64_t H = s.image.size(1), W = s.image.size(2);
    const int64_t top = rng.randint(0, 2 * pad_ + 1) - pad_, left = rng.randint(0, 2 * pad_ + 1) - pad_;
    s.image = data::crop_image(s.image, top, left, H, W, 0);
    return s;
  }
  std::string describe() const override { return detail::concat("PadRandomCrop(pad=", pad_, ")"); }

 private:
  int64_t pad_;
};

bool is_mnist(const DataSpec& spec) { return spec.kind == "fashion-mnist" || spec.kind == "mnist"; }

}  // namespace

std::string DataSpec::str() const { return path.empty() ? kind : kind + ":" + path; }

DataSpec parse_data_spec(const std::string& spec) {
  const size_t colon = spec.find(':');
  DataSpec d{spec.substr(0, colon), colon == std::string::npos ? "" : spec.substr(colon + 1)};
  if (d.kind == "fashion-mnist") {
    if (d.path.empty()) d.path = data::kFashionMnistDir;
    return d;
  }
  HTP_CHECK(d.kind == "mnist" || d.kind == "imagefolder" || d.kind == "voc2007", "--data: unknown data set '", spec,
            "'; use ", kAccepted);
  HTP_CHECK(!d.path.empty(), "--data: ", d.kind, " needs a path, as in ", d.kind, ":PATH");
  return d;
}

DataSplit open_split(const DataSpec& spec, bool train, int64_t limit) {
  HTP_CHECK(std::filesystem::exists(spec.path), "--data ", spec.str(), ": '", spec.path, "' does not exist");
  DataSplit s;
  if (is_mnist(spec)) {
    s.split = train ? "train" : "test";
    s.dataset = std::make_shared<data::MnistDataset>(
        spec.path, train ? data::MnistSplit::train : data::MnistSplit::test,
        spec.kind == "mnist" ? data::mnist_digit_classes() : data::fashion_mnist_classes());
    s.channels = 1;
  } else if (spec.kind == "imagefolder") {
    s.split = train ? "train" : "val";
    const std::string root = spec.path + "/" + s.split;
    HTP_CHECK(std::filesystem::is_directory(root), "--data ", spec.str(), ": expected the split folder '", root,
              "' (PATH/train and PATH/val, one sub-folder per class)");
    s.dataset = std::make_shared<data::ImageFolder>(root);
  } else {
    s.split = train ? "trainval" : "test";
    auto voc = std::make_shared<data::VocDataset>(spec.path, s.split);
    s.multi_label = true;
    s.ignore = voc->difficult_only();
    s.dataset = voc;
  }
  if (limit > 0 && limit < s.dataset->size()) {
    s.dataset = std::make_shared<Subset>(s.dataset, limit);
    if (s.ignore.defined()) s.ignore = s.ignore.narrow(0, 0, limit);
  }
  return s;
}

Json InputEncoding::to_json() const {
  Json j = {{"bcos", bcos}};
  if (!bcos) {
    j["mean"] = mean;
    j["std"] = std;
  }
  return j;
}

InputEncoding InputEncoding::from_json(const Json& j) {
  InputEncoding e;
  e.bcos = j.at("bcos").get<bool>();
  if (!e.bcos) {
    e.mean = j.at("mean").get<std::vector<double>>();
    e.std = j.at("std").get<std::vector<double>>();
  }
  return e;
}

InputEncoding default_encoding(const DataSpec& spec, bool bcos) {
  if (bcos) return {true, {}, {}};
  if (spec.kind == "fashion-mnist") return {false, {0.2860}, {0.3530}};
  if (spec.kind == "mnist") return {false, {0.1307}, {0.3081}};
  return {false, data::kImageNetMean, data::kImageNetStd};
}

int64_t resolve_image_size(const DataSpec& spec, int64_t image_size) {
  HTP_CHECK(image_size >= 0, "--image-size must be >= 0, got ", image_size);
  if (image_size > 0) return image_size;
  return is_mnist(spec) ? 28 : 224;
}

void check_augment(const std::string& augment) {
  HTP_CHECK(augment == "none" || augment == "crop-flip", "--augment must be none or crop-flip, got '", augment, "'");
}

data::TransformPtr make_pipeline(const DataSpec& spec, const InputEncoding& encoding, int64_t image_size, bool train,
                                 const std::string& augment) {
  check_augment(augment);
  const int64_t size = resolve_image_size(spec, image_size);
  const bool aug = train && augment == "crop-flip";
  std::vector<data::TransformPtr> t;
  if (is_mnist(spec)) {
    if (size != 28) t.push_back(data::resize(size, size));
    if (aug) {
      t.push_back(std::make_shared<PadRandomCrop>(2));
      t.push_back(data::horizontal_flip(0.5));
    }
  } else if (spec.kind == "imagefolder") {
    if (aug) {
      t.push_back(data::random_resized_crop(size, size));
      t.push_back(data::horizontal_flip(0.5));
    } else {
      t.push_back(data::resize_short_side(static_cast<int64_t>(std::lround(size * 8.0 / 7.0))));
      t.push_back(data::center_crop(size, size));
    }
  } else {
    if (aug) {
      t.push_back(data::random_resized_crop(size, size, {0.7, 1.0}));
      t.push_back(data::horizontal_flip(0.5));
    } else {
      t.push_back(data::resize(size, size));
    }
  }
  t.push_back(data::to_float());
  if (!encoding.bcos) t.push_back(data::normalize(encoding.mean, encoding.std));
  return data::compose(std::move(t));
}

FeatureDataset::FeatureDataset(Tensor features, Tensor labels, std::shared_ptr<const data::Dataset> source)
    : features_(std::move(features)), labels_(std::move(labels)), source_(std::move(source)) {
  HTP_CHECK(features_.dim() == 4 && features_.dtype() == DType::f32 && labels_.size(0) == features_.size(0),
            "FeatureDataset: features must be float32 [N, C, h, w] with one label each, got ", features_.describe(),
            " and ", labels_.describe());
}

data::Sample FeatureDataset::get(int64_t index) const {
  data::check_index(index, size(), "FeatureDataset");
  data::Sample s;
  s.image = features_.select(0, index);
  if (labels_.dim() == 1)
    s.label = labels_.data<int64_t>()[index];
  else
    s.target = labels_.select(0, index);
  return s;
}

}  // namespace htp::app
