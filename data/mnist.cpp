#include "data/mnist.h"

#include <filesystem>

#include "data/idx.h"

namespace htp::data {
namespace {

std::string split_file(const std::string& dir, MnistSplit split, const char* kind) {
  const std::string base =
      dir + "/" + (split == MnistSplit::train ? "train" : "t10k") + "-" + kind + "-ubyte";
  return std::filesystem::exists(base + ".gz") ? base + ".gz" : base;
}

}  // namespace

const std::vector<std::string>& fashion_mnist_classes() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

const std::vector<std::string>& mnist_digit_classes() {
  static const std::vector<std::string> names = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  return names;
}

MnistDataset::MnistDataset(const std::string& dir, MnistSplit split, std::vector<std::string> class_names)
    : MnistDataset(from_files(split_file(dir, split, "images-idx3"), split_file(dir, split, "labels-idx1"),
                              std::move(class_names))) {}

MnistDataset MnistDataset::from_files(const std::string& images_path, const std::string& labels_path,
                                      std::vector<std::string> class_names) {
  Tensor images = load_idx(images_path);
  Tensor labels = load_idx(labels_path);
  HTP_CHECK(images.dim() == 3, images_path, ": expected images [N, rows, cols], got shape ", shape_str(images.shape()));
  HTP_CHECK(labels.dim() == 1, labels_path, ": expected labels [N], got shape ", shape_str(labels.shape()));
  HTP_CHECK(images.size(0) == labels.size(0), images_path, " holds ", images.size(0), " images but ", labels_path,
            " holds ", labels.size(0), " labels");
  const uint8_t* l = labels.data<uint8_t>();
  for (int64_t i = 0; i < labels.size(0); ++i) {
    HTP_CHECK(l[i] < class_names.size(), labels_path, ": label ", int(l[i]), " of sample ", i, " (byte ", 8 + i,
              ") is not below the ", class_names.size(), " classes");
  }
  return MnistDataset(images, labels.to(DType::i64), labels_path, std::move(class_names));
}

MnistDataset::MnistDataset(Tensor images, Tensor labels, std::string labels_path,
                           std::vector<std::string> class_names)
    : images_(std::move(images)),
      labels_(std::move(labels)),
      labels_path_(std::move(labels_path)),
      class_names_(std::move(class_names)) {}

Sample MnistDataset::get(int64_t index) const {
  check_index(index, size(), labels_path_);
  Sample s;
  s.image = images_.select(0, index).unsqueeze(0);
  s.label = labels_.data<int64_t>()[index];
  return s;
}

std::string MnistDataset::sample_name(int64_t index) const {
  return labels_path_ + "[" + std::to_string(index) + "]";
}

}  // namespace htp::data
