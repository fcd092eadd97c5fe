// MNIST (LeCun, Bottou, Bengio, Haffner 1998) and Fashion-MNIST (Xiao, Rasul, Vollgraf 2017, arXiv:1708.07747):
// 28×28 grey images with a class 0…9, stored as IDX files (data/idx.h) named
//   {train,t10k}-images-idx3-ubyte[.gz]   uint8 [N, 28, 28]
//   {train,t10k}-labels-idx1-ubyte[.gz]   uint8 [N]
// (60000 training and 10000 test images). Debian's dataset-fashion-mnist installs the gzipped files in
// /usr/share/datasets/fashion-mnist. A sample is the uint8 image [1, 28, 28] (a view of the loaded tensor) and its label.
#pragma once
#include <string>
#include <vector>

#include "data/dataset.h"

namespace htp::data {

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot.
const std::vector<std::string>& fashion_mnist_classes();
// "0" … "9".
const std::vector<std::string>& mnist_digit_classes();

enum class MnistSplit { train, test };

class MnistDataset : public Dataset {
 public:
  // The split's files in `dir`: the .gz name when it exists, else the plain one.
  MnistDataset(const std::string& dir, MnistSplit split,
               std::vector<std::string> class_names = fashion_mnist_classes());
  // Explicit files. Image and label counts must agree and every label be < class_names.size(); errors name the files.
  static MnistDataset from_files(const std::string& images_path, const std::string& labels_path,
                                 std::vector<std::string> class_names = fashion_mnist_classes());

  int64_t size() const override { return labels_.size(0); }
  Sample get(int64_t index) const override;
  const std::vector<std::string>& class_names() const override { return class_names_; }
  std::string sample_name(int64_t index) const override;

  const Tensor& images() const { return images_; }  // uint8 [N, H, W]
  const Tensor& labels() const { return labels_; }  // int64 [N]

 private:
  MnistDataset(Tensor images, Tensor labels, std::string labels_path, std::vector<std::string> class_names);

  Tensor images_, labels_;
  std::string labels_path_;
  std::vector<std::string> class_names_;
};

}  // namespace htp::data
