// Image decoding and image folders: PNG/JPEG files written here (RGB, grey, RGBA), sorting, corrupt files as errors
// and, on request, skipped and counted.
#include <doctest/doctest.h>

#include <filesystem>

#include "data/image_decode.h"
#include "data/image_folder.h"
#include "data/image_list.h"
#include "test_data_util.h"

using namespace htp;

namespace {

// 2 × 3 RGB pixels with distinct values: pixel (r, c) channel k = 10 (3r + c) + k.
std::vector<uint8_t> rgb_2x3() {
  std::vector<uint8_t> p;
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 3; ++c) {
      for (int k = 0; k < 3; ++k) p.push_back(static_cast<uint8_t>(10 * (3 * r + c) + k));
    }
  }
  return p;
}

}  // namespace

TEST_SUITE("data") {

TEST_CASE("decode_image: PNG to uint8 [3, H, W]; grey replicated, alpha dropped; JPEG") {
  testing::TempDir dir;
  Tensor rgb = data::load_image(testing::write_png(dir / "rgb.png", 3, 2, 3, rgb_2x3()));
  CHECK(rgb.shape() == Shape{3, 2, 3});
  CHECK(rgb.dtype() == DType::u8);
  // Channel-major: [k][r][c] = 10 (3r + c) + k.
  CHECK(rgb.to_vector() == std::vector<double>{0, 10, 20, 30, 40, 50, 1, 11, 21, 31, 41, 51, 2, 12, 22, 32, 42, 52});

  Tensor grey = data::load_image(testing::write_png(dir / "grey.png", 2, 1, 1, {7, 200}));
  CHECK(grey.shape() == Shape{3, 1, 2});
  CHECK(grey.to_vector() == std::vector<double>{7, 200, 7, 200, 7, 200});

  Tensor rgba = data::load_image(testing::write_png(dir / "rgba.png", 1, 1, 4, {1, 2, 3, 0}));
  CHECK(rgba.to_vector() == std::vector<double>{1, 2, 3});

  std::vector<uint8_t> flat(8 * 8 * 3, 128);
  Tensor jpg = data::load_image(testing::write_jpg(dir / "flat.jpg", 8, 8, flat));
  CHECK(jpg.shape() == Shape{3, 8, 8});
  for (double v : jpg.to_vector()) CHECK(std::abs(v - 128) <= 2);
}

TEST_CASE("decode_image errors name the file") {
  testing::TempDir dir;
  CHECK_THROWS_WITH_AS(data::decode_image({}, "empty.png"), testing::contains("empty.png: empty file"), Error);
  CHECK_THROWS_WITH_AS(data::decode_image({1, 2, 3, 4, 5, 6, 7, 8}, "junk.png"),
                       testing::contains("junk.png: cannot decode image ("), Error);
  CHECK_THROWS_WITH_AS(data::load_image(dir / "none.png"), testing::contains(dir / "none.png: cannot open"), Error);
  // A PNG cut in half: the header is intact, the pixel data is not.
  std::vector<uint8_t> big(64 * 64 * 3);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i * 7919 % 251);
  std::vector<uint8_t> png = testing::file_bytes(testing::write_png(dir / "big.png", 64, 64, 3, big));
  png.resize(png.size() / 2);
  CHECK_THROWS_WITH_AS(data::decode_image(png, "cut.png"), testing::contains("cut.png: cannot decode image"), Error);
}

TEST_CASE("ImageFolder: classes sorted, files sorted and recursive, other files ignored") {
  testing::TempDir dir;
  testing::write_png(dir / "zebra/b.png", 3, 2, 3, rgb_2x3());
  testing::write_png(dir / "zebra/a.PNG", 2, 1, 1, {1, 2});
  testing::write_png(dir / "zebra/sub/c.png", 2, 1, 1, {3, 4});
  testing::write_png(dir / "zebra/z.png", 2, 1, 1, {5, 6});
  testing::write_jpg(dir / "ant/x.jpeg", 8, 8, std::vector<uint8_t>(192, 50));
  testing::write_text(dir / "ant/readme.txt", "not an image");
  testing::write_text(dir / "stray.png", "files at the root are not classes");

  data::ImageFolder folder(dir.path());
  CHECK(folder.class_names() == std::vector<std::string>{"ant", "zebra"});
  REQUIRE(folder.size() == 5);
  // A directory's own files come before its sub-directory's (torchvision walks directories in sorted order).
  CHECK(folder.paths() == std::vector<std::string>{dir / "ant/x.jpeg", dir / "zebra/a.PNG", dir / "zebra/b.png",
                                                   dir / "zebra/z.png", dir / "zebra/sub/c.png"});
  CHECK(folder.labels() == std::vector<int64_t>{0, 1, 1, 1, 1});
  const data::Sample s = folder.get(2);
  CHECK(s.label == 1);
  CHECK(s.image.shape() == Shape{3, 2, 3});
  CHECK(folder.sample_name(4) == dir / "zebra/sub/c.png");
  CHECK(folder.skipped() == 0);
}

TEST_CASE("ImageFolder: a corrupt file is an error naming it, or skipped and counted on request") {
  testing::TempDir dir;
  testing::write_png(dir / "a/good.png", 3, 2, 3, rgb_2x3());
  const std::string bad = testing::write_text(dir / "a/bad.png", "definitely not a PNG");
  testing::write_png(dir / "b/good.png", 2, 1, 1, {1, 2});

  data::ImageFolder strict(dir.path());
  REQUIRE(strict.size() == 3);
  CHECK(strict.paths()[0] == bad);
  CHECK_THROWS_WITH_AS(strict.get(0), testing::contains(bad + ": cannot decode image"), Error);

  data::ImageFolderOptions opts;
  opts.skip_unreadable = true;
  opts.verify_threads = 2;
  data::ImageFolder lenient(dir.path(), opts);
  CHECK(lenient.size() == 2);
  CHECK(lenient.skipped() == 1);
  REQUIRE(lenient.skipped_files().size() == 1);
  CHECK(lenient.skipped_files()[0].path == bad);
  CHECK(lenient.skipped_files()[0].reason.find("cannot decode image") != std::string::npos);
  CHECK(lenient.labels() == std::vector<int64_t>{0, 1});
  CHECK(lenient.get(0).image.shape() == Shape{3, 2, 3});
}

TEST_CASE("ImageFolder errors: missing root, no classes, class without images") {
  testing::TempDir dir;
  CHECK_THROWS_WITH_AS(data::ImageFolder(dir / "nope"), testing::contains(dir / "nope: not a directory"), Error);
  CHECK_THROWS_WITH_AS(data::ImageFolder(dir.path()), testing::contains(dir.path() + ": no class sub-directories"),
                       Error);
  testing::write_png(dir / "full/x.png", 1, 1, 1, {0});
  std::filesystem::create_directories(dir / "empty");
  CHECK_THROWS_WITH_AS(data::ImageFolder(dir.path()),
                       testing::contains(dir / "empty: class directory without image files (extensions .png .jpg .jpeg)"),
                       Error);
}

TEST_CASE("ImageList: 'path label' lines (mmpretrain's ImageNet meta files) and their errors") {
  testing::TempDir dir;
  testing::write_png(dir / "val/ILSVRC2012_val_00000001.JPEG", 3, 2, 3, rgb_2x3());
  testing::write_png(dir / "val/ILSVRC2012_val_00000002.JPEG", 2, 1, 1, {1, 2});
  const std::string list = testing::write_text(dir / "meta/val.txt",
                                            "ILSVRC2012_val_00000001.JPEG 2\n\n  ILSVRC2012_val_00000002.JPEG\t0\n");
  const std::vector<std::string> classes = {"tench", "goldfish", "shark"};
  data::ImageList images(dir / "val", list, classes);
  REQUIRE(images.size() == 2);
  CHECK(images.labels() == std::vector<int64_t>{2, 0});
  CHECK(images.sample_name(1) == dir / "val/ILSVRC2012_val_00000002.JPEG");
  const data::Sample s = images.get(0);
  CHECK(s.image.shape() == Shape{3, 2, 3});
  CHECK(s.label == 2);

  auto fails = [&](const std::string& text, const std::string& message) {
    const std::string bad = testing::write_text(dir / "meta/bad.txt", text);
    CHECK_THROWS_WITH_AS(data::ImageList(dir / "val", bad, classes), testing::contains(bad + message), Error);
  };
  fails("a.JPEG 3\n", ": line 1: label '3' is not an integer in [0, 3)");
  fails("a.JPEG 1\nb.JPEG x\n", ": line 2: label 'x' is not an integer");
  fails("a.JPEG\n", ": line 1: expected 'path label', got 'a.JPEG'");
  fails("a.JPEG 1 2\n", ": line 1: expected 'path label'");
  fails("\n\n", ": no images listed");
  data::ImageList missing(dir / "val", testing::write_text(dir / "meta/m.txt", "gone.JPEG 1\n"), classes);
  CHECK_THROWS_WITH_AS(missing.get(0), testing::contains(dir / "val/gone.JPEG: cannot open"), Error);
}

}  // TEST_SUITE
