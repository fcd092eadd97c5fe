// Image operations and transforms against hand-computed pixels on small images, boxes moving with the image,
// the antialias-free resize against kernels/interpolate.h, and per-sample randomness.
#include <doctest/doctest.h>

#include <cmath>

#include "data/image_ops.h"
#include "data/pipelines.h"
#include "data/transforms.h"
#include "kernels/interpolate.h"
#include "tensor/creation.h"
#include "tensor/random.h"
#include "test_data_util.h"

using namespace htp;

namespace {

void check_close(const Tensor& t, const std::vector<double>& expected, double tol = 1e-6) {
  const std::vector<double> v = t.to_vector();
  REQUIRE(v.size() == expected.size());
  for (size_t i = 0; i < v.size(); ++i) CHECK_MESSAGE(std::abs(v[i] - expected[i]) <= tol, "element ", i, ": ", v[i], " vs ", expected[i]);
}

data::Sample sample_of(Tensor image, std::vector<data::Box> boxes = {}) {
  data::Sample s;
  s.image = std::move(image);
  s.label = 0;
  s.boxes = std::move(boxes);
  return s;
}

}  // namespace

TEST_SUITE("data") {

TEST_CASE("resize of a 2x2 checker: bilinear, half-pixel centres, edges clamped") {
  const Tensor checker = tensor(std::vector<float>{0, 1, 1, 0}, {1, 2, 2});
  const std::vector<double> row0 = {0, 0.25, 0.75, 1}, row1 = {0.25, 0.375, 0.625, 0.75};
  std::vector<double> expected = row0;
  expected.insert(expected.end(), row1.begin(), row1.end());
  for (double v : row1) expected.push_back(1 - v);
  for (double v : row0) expected.push_back(1 - v);
  for (bool aa : {false, true}) check_close(data::resize_image(checker, 4, 4, aa), expected);  // enlarging: no difference
  // uint8: resampled in float and rounded.
  check_close(data::resize_image(tensor(std::vector<uint8_t>{0, 255}, {1, 1, 2}), 1, 4), {0, 64, 191, 255});
}

TEST_CASE("resize without antialias equals kernels::interpolate_bilinear_forward; with antialias, Pillow's filter") {
  Generator gen(3);
  const Tensor x = rand({3, 7, 5}, DType::f32, Device::cpu(), &gen);
  for (auto [h, w] : {std::pair<int64_t, int64_t>{4, 9}, {3, 2}, {7, 5}, {1, 1}, {16, 3}}) {
    const Tensor ours = data::resize_image(x, h, w, false);
    const Tensor ref = kernels::interpolate_bilinear_forward(x.unsqueeze(0), {h, w}, false).squeeze(0);
    check_close(ours, ref.to_vector(), 1e-5);
  }
  // Shrinking [0, 1, 0, 1] to 2 with antialias: the triangle widens to support 2, weights (.75, .75, .25) / 1.75 and
  // (.25, .75, .75) / 1.75.
  const Tensor row = tensor(std::vector<float>{0, 1, 0, 1}, {1, 1, 4});
  check_close(data::resize_image(row, 1, 2, true), {3.0 / 7.0, 4.0 / 7.0});
  check_close(data::resize_image(row, 1, 2, false), {0.5, 0.5});  // src 0.5 and 2.5
  CHECK_THROWS_WITH_AS(data::resize_image(tensor({1.0f, 2.0f}), 2, 2), testing::contains("resize: expected an image [C, H, W]"),
                       Error);
  CHECK_THROWS_WITH_AS(data::resize_image(zeros({1, 2, 2}, DType::i64), 2, 2),
                       testing::contains("resize: expected a uint8 or float32 image, got int64[1, 2, 2]"), Error);
}

TEST_CASE("crop, flip, pad, to_float, normalize, bcos_encode on pixels") {
  const Tensor img = arange(0, 12, 1, DType::f32).reshape({1, 3, 4});  // rows [0 1 2 3], [4 5 6 7], [8 9 10 11]
  check_close(data::crop_image(img, 1, 2, 2, 2), {6, 7, 10, 11});
  check_close(data::crop_image(img, -1, 3, 2, 2, -1), {-1, -1, 3, -1});  // outside: fill
  check_close(data::hflip_image(img), {3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8});
  check_close(data::hflip_image(img.slice(2, 1, 3)), {2, 1, 6, 5, 10, 9});  // a strided view
  check_close(data::pad_image(img.slice(1, 0, 1), 1, 0, 2, 1, 9), {9, 0, 1, 2, 3, 9, 9, 9, 9, 9, 9, 9, 9, 9});
  const Tensor u8 = tensor(std::vector<uint8_t>{0, 51, 255, 102}, {2, 1, 2});
  const Tensor f = data::image_to_float(u8);
  CHECK(f.dtype() == DType::f32);
  check_close(f, {0, 0.2, 1, 0.4});
  check_close(data::normalize_image(f, {0.5, 0.2}, {0.5, 0.1}), {-1, -0.6, 8, 2}, 1e-5);
  check_close(data::bcos_encode_image(f), {0, 0.2, 1, 0.4, 1, 0.8, 0, 0.6});
  CHECK(data::bcos_encode_image(f).shape() == Shape{4, 1, 2});
  CHECK_THROWS_WITH_AS(data::normalize_image(u8, {0, 0}, {1, 1}), testing::contains("convert with to_float"), Error);
  CHECK_THROWS_WITH_AS(data::normalize_image(f, {0}, {1}), testing::contains("1 means and 1 stds for an image with 2 channels"),
                       Error);
  CHECK_THROWS_WITH_AS(data::bcos_encode_image(u8), testing::contains("bcos_encode: expected a float32 image"), Error);
  // The input is never written.
  CHECK(u8.to_vector() == std::vector<double>{0, 51, 255, 102});
}

TEST_CASE("center crop coordinates round half to even and pad when larger") {
  auto rect = [](int64_t H, int64_t W, int64_t h, int64_t w) {
    const data::CropRect r = data::center_crop_rect(H, W, h, w);
    return std::vector<int64_t>{r.top, r.left, r.height, r.width};
  };
  CHECK(rect(5, 5, 2, 2) == std::vector<int64_t>{2, 2, 2, 2});  // round(1.5) = 2
  CHECK(rect(4, 6, 3, 3) == std::vector<int64_t>{0, 2, 3, 3});  // round(0.5) = 0, round(1.5) = 2
  CHECK(rect(256, 341, 224, 224) == std::vector<int64_t>{16, 58, 224, 224});
  CHECK(rect(2, 2, 5, 4) == std::vector<int64_t>{-1, -1, 5, 4});
  SUBCASE("the transform") {
    data::SampleRng rng(0, 0, 0);
    const Tensor img = arange(0, 16, 1, DType::f32).reshape({1, 4, 4});
    const data::Sample s = (*data::center_crop(2, 2))(sample_of(img, {{3, 0, 0, 2, 2}, {4, 2, 2, 4, 4}}), rng);
    check_close(s.image, {5, 6, 9, 10});
    REQUIRE(s.boxes.size() == 2);  // both overlap the crop [1, 3)²
    CHECK(s.boxes[0].x0 == 0);
    CHECK(s.boxes[0].x1 == 1);
    CHECK(s.boxes[1].label == 4);
    CHECK(s.boxes[1].x0 == 1);
    CHECK(s.boxes[1].x1 == 2);
    const data::Sample none = (*data::center_crop(2, 2))(sample_of(img, {{1, 3.5, 0, 4, 4}}), rng);
    CHECK(none.boxes.empty());  // outside the crop
  }
}

TEST_CASE("random resized crop: torchvision's sampling, bounds, fallback, determinism") {
  for (uint64_t i = 0; i < 200; ++i) {
    data::SampleRng rng(5, 1, i);
    const data::CropRect r = data::random_resized_crop_rect(300, 400, {0.08, 1.0}, {3.0 / 4.0, 4.0 / 3.0}, rng);
    CHECK(r.top >= 0);
    CHECK(r.left >= 0);
    CHECK(r.top + r.height <= 300);
    CHECK(r.left + r.width <= 400);
    const double frac = static_cast<double>(r.height * r.width) / (300.0 * 400.0);
    CHECK(frac >= 0.075);
    const double aspect = static_cast<double>(r.width) / static_cast<double>(r.height);
    CHECK(aspect >= 0.74);
    CHECK(aspect <= 1.35);
    data::SampleRng again(5, 1, i);
    const data::CropRect r2 = data::random_resized_crop_rect(300, 400, {0.08, 1.0}, {3.0 / 4.0, 4.0 / 3.0}, again);
    CHECK(std::vector<int64_t>{r.top, r.left, r.height, r.width} == std::vector<int64_t>{r2.top, r2.left, r2.height, r2.width});
  }
  // A 1 × 100 strip never fits a crop of aspect 3/4 … 4/3 with 90 % of its area: the fallback is the central crop
  // of the whole height at the largest ratio, w = round(1 · 4/3) = 1.
  data::SampleRng rng(0, 0, 0);
  const data::CropRect f = data::random_resized_crop_rect(1, 100, {0.9, 1.0}, {3.0 / 4.0, 4.0 / 3.0}, rng);
  CHECK(std::vector<int64_t>{f.top, f.left, f.height, f.width} == std::vector<int64_t>{0, 49, 1, 1});
  data::SampleRng rng2(0, 0, 0);
  const data::CropRect g = data::random_resized_crop_rect(100, 10, {0.9, 1.0}, {3.0 / 4.0, 4.0 / 3.0}, rng2);
  CHECK(std::vector<int64_t>{g.top, g.left, g.height, g.width} == std::vector<int64_t>{43, 0, 13, 10});  // round(10/0.75)
  // The transform outputs the requested size and keeps the crop's content: a constant image stays constant.
  data::SampleRng r3(1, 0, 7);
  const data::Sample s = (*data::random_resized_crop(5, 6))(sample_of(full({3, 40, 30}, 100, DType::u8)), r3);
  CHECK(s.image.shape() == Shape{3, 5, 6});
  CHECK(s.image.dtype() == DType::u8);
  for (double v : s.image.to_vector()) CHECK(v == 100);
  CHECK_THROWS_WITH_AS(data::random_resized_crop(4, 4, {0.5, 0.2}), testing::contains("scale must satisfy"), Error);
}

TEST_CASE("horizontal flip moves boxes; p = 0 and p = 1; per-sample randomness") {
  const Tensor img = arange(0, 6, 1, DType::f32).reshape({1, 2, 3});
  data::SampleRng rng(0, 0, 0);
  const data::Sample flipped = (*data::horizontal_flip(1.0))(sample_of(img, {{2, 0, 0, 1, 2}}), rng);
  check_close(flipped.image, {2, 1, 0, 5, 4, 3});
  CHECK(flipped.boxes[0].x0 == 2);
  CHECK(flipped.boxes[0].x1 == 3);
  check_close((*data::horizontal_flip(0.0))(sample_of(img), rng).image, img.to_vector());
  int flips = 0;
  for (uint64_t i = 0; i < 400; ++i) {
    data::SampleRng r(9, 0, i);
    flips += (*data::horizontal_flip(0.5))(sample_of(img), r).image.to_vector()[0] == 2;
  }
  CHECK(flips > 150);
  CHECK(flips < 250);
}

TEST_CASE("resize transforms scale boxes; short side as torchvision; pad shifts boxes; compose") {
  data::SampleRng rng(0, 0, 0);
  const data::Sample r = (*data::resize(4, 6))(sample_of(zeros({3, 2, 3}), {{0, 1, 0.5, 2, 2}}), rng);
  CHECK(r.image.shape() == Shape{3, 4, 6});
  CHECK(r.boxes[0].x0 == 2);
  CHECK(r.boxes[0].y0 == 1);
  CHECK(r.boxes[0].x1 == 4);
  CHECK(r.boxes[0].y1 == 4);
  CHECK((*data::resize_short_side(256))(sample_of(zeros({3, 375, 500})), rng).image.shape() == Shape{3, 256, 341});
  CHECK((*data::resize_short_side(4))(sample_of(zeros({1, 9, 6})), rng).image.shape() == Shape{1, 6, 4});
  const data::Sample p = (*data::pad(2, 1, 0, 0))(sample_of(zeros({1, 2, 2}), {{0, 0, 0, 1, 1}}), rng);
  CHECK(p.image.shape() == Shape{1, 3, 4});
  CHECK(p.boxes[0].x0 == 2);
  CHECK(p.boxes[0].y1 == 2);

  const data::TransformPtr pipeline = data::compose({data::resize_short_side(8), data::center_crop(8, 8),
                                                     data::to_float(), data::normalize(data::kImageNetMean, data::kImageNetStd)});
  const data::Sample out = (*pipeline)(sample_of(full({3, 16, 20}, 255, DType::u8)), rng);
  CHECK(out.image.shape() == Shape{3, 8, 8});
  CHECK(out.image.dtype() == DType::f32);
  CHECK(std::abs(out.image.to_vector()[0] - (1 - 0.485) / 0.229) < 1e-5);
  CHECK(pipeline->describe() ==
        "Compose(ResizeShortSide(size=8, antialias=true), CenterCrop(size=[8, 8]), ToFloat(), "
        "Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]))");
  const data::Sample b = (*data::compose({data::to_float(), data::bcos_encode()}))(sample_of(full({3, 2, 2}, 51, DType::u8)), rng);
  CHECK(b.image.shape() == Shape{6, 2, 2});
  CHECK(std::abs(b.image.to_vector()[23] - 0.8) < 1e-6);
}

TEST_CASE("the paper's pipelines: sizes, channels, encodings") {
  const data::Sample img = sample_of(full({3, 300, 400}, 255, DType::u8), {{1, 0, 0, 400, 300}});
  auto run = [&](const data::TransformPtr& t) {
    data::SampleRng rng(4, 0, 1);
    return (*t)(img, rng);
  };
  using data::InputEncoding;
  const data::Sample train = run(data::imagenet_pipeline(true, InputEncoding::imagenet_normalized));
  CHECK(train.image.shape() == Shape{3, 224, 224});
  CHECK(std::abs(train.image.to_vector()[0] - (1 - 0.485) / 0.229) < 1e-5);
  CHECK(run(data::imagenet_pipeline(false, InputEncoding::bcos)).image.shape() == Shape{6, 224, 224});
  const data::Sample voc = run(data::multilabel_pipeline(224, false, InputEncoding::bcos));
  CHECK(voc.image.shape() == Shape{6, 224, 224});
  CHECK(voc.image.to_vector()[0] == 1);
  CHECK(voc.image.to_vector().back() == 0);
  REQUIRE(voc.boxes.size() == 1);
  CHECK(voc.boxes[0].x1 == doctest::Approx(224));
  CHECK(data::multilabel_pipeline(448, true, InputEncoding::bcos)->describe() ==
        "Compose(RandomResizedCrop(size=[448, 448], scale=(0.7, 1), ratio=(0.75, 1.33333), antialias=true), "
        "HorizontalFlip(p=0.5), ToFloat(), BcosEncode())");
  CHECK(run(data::encoding_pipeline(InputEncoding::bcos)).image.shape() == Shape{6, 300, 400});
}

TEST_CASE("SampleRng: a function of (seed, epoch, index) only") {
  data::SampleRng a(1, 2, 3), b(1, 2, 3), c(1, 2, 4), d(1, 3, 3), e(2, 2, 3);
  std::vector<uint32_t> wa, wb, wc, wd, we;
  for (int k = 0; k < 9; ++k) {
    wa.push_back(a.word());
    wb.push_back(b.word());
    wc.push_back(c.word());
    wd.push_back(d.word());
    we.push_back(e.word());
  }
  CHECK(wa == wb);
  CHECK(wa != wc);
  CHECK(wa != wd);
  CHECK(wa != we);
  // The words are those of the Philox stream at offset 2^63 + epoch · 2^40 + index.
  PhiloxStream s{{1, 0}, (uint64_t{1} << 63) + (uint64_t{2} << 40) + 3};
  CHECK(wa[5] == s.block(1)[1]);
  data::SampleRng r(7, 0, 0);
  for (int k = 0; k < 1000; ++k) {
    const double u = r.uniform();
    CHECK((u >= 0 && u < 1));
    const int64_t i = r.randint(-3, 4);
    CHECK((i >= -3 && i < 4));
  }
  CHECK_THROWS_WITH_AS(data::SampleRng(0, 1 << 23, 0), testing::contains("out of range"), Error);
}

}  // TEST_SUITE
