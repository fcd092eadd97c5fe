// htp pretrain / probe / eval on the other data set kinds, written here at toy sizes: a VOC 2007 tree (multi-label:
// BCE, mAP with difficult-only classes ignored and absent classes left out) and an image folder (RGB, ImageNet
// normalisation, the train / val split folders).
#include <doctest/doctest.h>

#include "apps/commands.h"
#include "apps/train_log.h"
#include "test_data_util.h"

using namespace htp;

namespace {

// 32×32 RGB: a red square at the top left for "cat", a green one at the bottom right for "dog", on grey.
std::vector<uint8_t> voc_pixels(bool cat, bool dog) {
  std::vector<uint8_t> px(32 * 32 * 3, 96);
  for (int r = 0; r < 32; ++r)
    for (int c = 0; c < 32; ++c) {
      uint8_t* p = &px[(r * 32 + c) * 3];
      if (cat && r < 14 && c < 14) p[0] = 250, p[1] = 20, p[2] = 20;
      if (dog && r >= 18 && c >= 18) p[0] = 20, p[1] = 250, p[2] = 20;
    }
  return px;
}

std::string object(const std::string& name, bool difficult) {
  return "<object><name>" + name + "</name><difficult>" + (difficult ? "1" : "0") +
         "</difficult><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>14</xmax><ymax>14</ymax></bndbox></object>";
}

// Images 0..n-1 of a split: cat on i % 3 != 1, dog on i % 3 != 0; in the test split, image 0's cat is difficult.
void write_voc_split(const testing::TempDir& dir, const std::string& split, int first, int n) {
  std::string ids;
  for (int i = 0; i < n; ++i) {
    const std::string id = std::to_string(100000 + first + i).substr(1);
    const bool cat = i % 3 != 1, dog = i % 3 != 0;
    testing::write_jpg(dir / ("voc/JPEGImages/" + id + ".jpg"), 32, 32, voc_pixels(cat, dog));
    std::string objects = (cat ? object("cat", split == "test" && i == 0) : "") + (dog ? object("dog", false) : "");
    testing::write_text(dir / ("voc/Annotations/" + id + ".xml"),
                        "<annotation><filename>" + id +
                            ".jpg</filename><size><width>32</width><height>32</height>"
                            "<depth>3</depth></size>" +
                            objects + "</annotation>");
    ids += id + "\n";
  }
  testing::write_text(dir / ("voc/ImageSets/Main/" + split + ".txt"), ids);
}

std::vector<app::Json> evals(const std::string& run) {
  std::vector<app::Json> out;
  for (const app::Json& r : app::JsonlLog(run + "/log.jsonl").records())
    if (r["kind"] == "eval") out.push_back(r);
  return out;
}

}  // namespace

TEST_SUITE("train") {
  TEST_CASE("train data sets: VOC 2007 multi-label pretraining, mAP, probes with their off-labels") {
    testing::TempDir dir;
    write_voc_split(dir, "trainval", 0, 36);
    write_voc_split(dir, "test", 36, 12);
    const std::string data = "voc2007:" + dir / "voc", run = dir / "rn";
    const std::vector<std::string> common = {"--data",       data, "--image-size", "32", "--width", "4",
                                             "--batch-size", "12", "--workers",    "0",  "--quiet"};
    std::vector<std::string> a = common;
    a.insert(a.end(), {"--loss", "ce", "--out", run});
    CHECK_THROWS_WITH(app::run_pretrain(a), doctest::Contains("--loss ce needs single-label data"));
    a = common;
    a.insert(a.end(), {"--loss", "bce", "--optimizer", "adam", "--lr", "3e-3", "--epochs", "3", "--out", run});
    REQUIRE(app::run_pretrain(a) == 0);

    const app::Json last = evals(run).back();
    CHECK(last["samples"] == 12);
    REQUIRE(last["class_ap"].size() == 20);
    CHECK(last["classes_with_ap"] == 2);
    CHECK(last["class_ap"][7]["class"] == "cat");
    CHECK(last["class_ap"][0]["ap"].is_null());  // aeroplane: never present
    CHECK(last["mAP"].get<double>() > 0.5);
    CHECK(app::read_json_file(run + "/settings.json")["loss"]["off"] == 0.0);

    REQUIRE(app::run_eval({"--checkpoint", run, "--workers", "0", "--quiet"}) == 0);
    const app::Json ev = app::read_json_file(run + "/eval-test.json");
    CHECK(ev["mAP"].get<double>() == doctest::Approx(last["mAP"].get<double>()));

    for (const auto& [probe, off] : {std::pair{"linear", 0.0}, std::pair{"bcos-linear", 0.05}}) {
      const std::string p = dir / probe;
      REQUIRE(app::run_probe({"--backbone", run, "--probe", probe, "--loss", "bce", "--preset", "multilabel", "--lr",
                              "1", "--epochs", "2", "--batch-size", "12", "--workers", "0", "--quiet", "--out", p}) ==
              0);
      const app::Json settings = app::read_json_file(p + "/settings.json");
      CHECK(settings["loss"]["off"].get<double>() == doctest::Approx(off));
      CHECK(settings["schedule"]["name"] == "multilabel-steplr");
      CHECK(settings["data"] == data);
      CHECK(evals(p).back()["classes_with_ap"] == 2);
    }
  }

  TEST_CASE("train data sets: image folders with ImageNet normalisation") {
    testing::TempDir dir;
    for (const std::string split : {"train", "val"})
      for (int i = 0; i < (split == "train" ? 16 : 6); ++i) {
        const bool red = i % 2 == 0;
        std::vector<uint8_t> px(20 * 24 * 3);
        for (size_t k = 0; k < px.size(); ++k) px[k] = static_cast<uint8_t>(k % 3 == (red ? 0 : 2) ? 230 : 30 + k % 7);
        testing::write_png(dir / ("images/" + split + (red ? "/red/" : "/blue/") + std::to_string(i) + ".png"), 24, 20,
                           3, px);
      }
    const std::string run = dir / "rn";
    REQUIRE(app::run_pretrain({"--data", "imagefolder:" + dir / "images", "--image-size", "16", "--width", "4",
                               "--batch-size", "8", "--epochs", "2", "--lr", "0.05", "--workers", "0", "--quiet",
                               "--out", run}) == 0);
    const app::Json settings = app::read_json_file(run + "/settings.json");
    CHECK(settings["backbone"]["in_channels"] == 3);
    CHECK(settings["backbone"]["num_classes"] == 2);
    CHECK(settings["input"]["mean"].size() == 3);
    const app::Json last = evals(run).back();
    CHECK(last["samples"] == 6);
    CHECK(last["split"] == "val");
    CHECK(last["class_top1"][0]["class"] == "blue");
    CHECK_THROWS_WITH(app::run_pretrain({"--data", "imagefolder:" + dir / "images/train", "--quiet", "--out", run}),
                      doctest::Contains("expected the split folder"));
  }

}  // TEST_SUITE
