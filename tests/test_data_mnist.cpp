// MNIST / Fashion-MNIST from IDX files written here (plain and gzipped), every error path, and the real
// Fashion-MNIST files when Debian's dataset-fashion-mnist is installed.
#include <doctest/doctest.h>

#include <filesystem>
#include <numeric>

#include "data/mnist.h"
#include "test_data_util.h"

using namespace htp;

namespace {

std::vector<uint8_t> idx(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& values) {
  std::vector<uint8_t> b = {0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
  }
  b.insert(b.end(), values.begin(), values.end());
  return b;
}

std::vector<uint8_t> ramp(size_t n) {
  std::vector<uint8_t> v(n);
  std::iota(v.begin(), v.end(), uint8_t{0});
  return v;
}

}  // namespace

TEST_SUITE("data") {

TEST_CASE("MNIST: train split gzipped, test split plain, samples and class names") {
  testing::TempDir dir;
  testing::write_gzip(dir / "train-images-idx3-ubyte.gz", idx({3, 2, 2}, ramp(12)));
  testing::write_gzip(dir / "train-labels-idx1-ubyte.gz", idx({3}, {7, 0, 9}));
  testing::write_bytes(dir / "t10k-images-idx3-ubyte", idx({1, 2, 2}, {5, 6, 7, 8}));
  testing::write_bytes(dir / "t10k-labels-idx1-ubyte", idx({1}, {4}));

  data::MnistDataset train(dir.path(), data::MnistSplit::train);
  CHECK(train.size() == 3);
  CHECK(train.images().shape() == Shape{3, 2, 2});
  CHECK(train.labels().dtype() == DType::i64);
  const data::Sample s = train.get(1);
  CHECK(s.image.shape() == Shape{1, 2, 2});
  CHECK(s.image.dtype() == DType::u8);
  CHECK(s.image.to_vector() == std::vector<double>{4, 5, 6, 7});
  CHECK(s.label == 0);
  CHECK_FALSE(s.target.defined());
  CHECK(train.get(2).label == 9);
  CHECK(train.sample_name(2) == dir / "train-labels-idx1-ubyte.gz[2]");
  CHECK_THROWS_WITH_AS(train.get(3), testing::contains("sample index 3 out of range [0, 3)"), Error);

  data::MnistDataset test(dir.path(), data::MnistSplit::test, data::mnist_digit_classes());
  CHECK(test.size() == 1);
  CHECK(test.get(0).label == 4);
  CHECK(test.class_names()[4] == "4");

  REQUIRE(data::fashion_mnist_classes().size() == 10);
  CHECK(data::fashion_mnist_classes()[0] == "T-shirt/top");
  CHECK(data::fashion_mnist_classes()[9] == "Ankle boot");
}

TEST_CASE("MNIST errors name the files") {
  testing::TempDir dir;
  const std::string images = testing::write_bytes(dir / "images", idx({3, 2, 2}, ramp(12)));
  const std::string two_labels = testing::write_bytes(dir / "labels2", idx({2}, {1, 2}));
  CHECK_THROWS_WITH_AS(data::MnistDataset::from_files(images, two_labels),
                       testing::contains(images + " holds 3 images but " + two_labels + " holds 2 labels"), Error);
  const std::string bad_label = testing::write_bytes(dir / "labels_bad", idx({3}, {1, 10, 2}));
  CHECK_THROWS_WITH_AS(data::MnistDataset::from_files(images, bad_label),
                       testing::contains(bad_label + ": label 10 of sample 1 (byte 9) is not below the 10 classes"),
                       Error);
  const std::string flat = testing::write_bytes(dir / "flat", idx({3, 4}, ramp(12)));
  CHECK_THROWS_WITH_AS(data::MnistDataset::from_files(flat, bad_label),
                       testing::contains(flat + ": expected images [N, rows, cols], got shape [3, 4]"), Error);
  CHECK_THROWS_WITH_AS(data::MnistDataset::from_files(images, images),
                       testing::contains(images + ": expected labels [N], got shape [3, 2, 2]"), Error);
  CHECK_THROWS_WITH_AS(data::MnistDataset(dir / "missing", data::MnistSplit::train),
                       testing::contains(dir / "missing/train-images-idx3-ubyte: cannot open"), Error);
  // A truncated image file: the IDX reader names it and the byte counts.
  std::vector<uint8_t> cut = idx({3, 2, 2}, ramp(12));
  cut.erase(cut.end() - 5, cut.end());
  const std::string cut_path = testing::write_bytes(dir / "cut", cut);
  CHECK_THROWS_WITH_AS(data::MnistDataset::from_files(cut_path, two_labels),
                       testing::contains(cut_path + ": shape [3, 2, 2] needs 12 bytes"), Error);
}

TEST_CASE("Fashion-MNIST from /usr/share/datasets/fashion-mnist") {
  if (!std::filesystem::exists(std::string(data::kFashionMnistDir) + "/train-labels-idx1-ubyte.gz")) {
    MESSAGE("Fashion-MNIST not installed in ", data::kFashionMnistDir, " (apt-get install dataset-fashion-mnist): skipped");
    return;
  }
  data::MnistDataset train(data::kFashionMnistDir, data::MnistSplit::train);
  data::MnistDataset test(data::kFashionMnistDir, data::MnistSplit::test);
  CHECK(train.images().shape() == Shape{60000, 28, 28});
  CHECK(test.images().shape() == Shape{10000, 28, 28});
  // Fashion-MNIST is balanced: 6000 training and 1000 test images per class.
  for (const auto* ds : {&train, &test}) {
    std::vector<int64_t> counts(10, 0);
    const int64_t* l = ds->labels().data<int64_t>();
    for (int64_t i = 0; i < ds->size(); ++i) ++counts[l[i]];
    CHECK(counts == std::vector<int64_t>(10, ds->size() / 10));
  }
  CHECK(train.get(0).label == 9);  // the first training image is an ankle boot
  CHECK(test.get(0).label == 9);
}

}  // TEST_SUITE
