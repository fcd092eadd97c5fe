// COCO instances JSON: categories to contiguous indices, multi-hot labels, boxes, crowd and unlabeled options, and
// errors naming the file and field.
#include <doctest/doctest.h>

#include "data/coco.h"
#include "test_data_util.h"

using namespace htp;

namespace {

const char* kInstances = R"({
  "info": {"description": "test"},
  "images": [
    {"id": 42, "file_name": "a.jpg", "width": 4, "height": 2},
    {"id": 7, "file_name": "b.jpg", "width": 3, "height": 3},
    {"id": 9, "file_name": "c.jpg", "width": 5, "height": 5}
  ],
  "categories": [
    {"id": 18, "name": "dog", "supercategory": "animal"},
    {"id": 1, "name": "person"},
    {"id": 3, "name": "car"}
  ],
  "annotations": [
    {"id": 1, "image_id": 42, "category_id": 18, "bbox": [0.5, 1, 2, 1], "iscrowd": 0, "area": 2},
    {"id": 2, "image_id": 42, "category_id": 1, "bbox": [0, 0, 4, 2], "iscrowd": 1},
    {"id": 3, "image_id": 42, "category_id": 18, "bbox": [1, 0, 1, 1], "iscrowd": 0},
    {"id": 4, "image_id": 7, "category_id": 1, "bbox": [0, 0, 1, 1], "iscrowd": 1}
  ]
})";

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace

TEST_SUITE("data") {

TEST_CASE("COCO instances: categories sorted by id, objects per image") {
  const data::CocoInstances c = data::parse_coco_instances(kInstances, "inst.json");
  REQUIRE(c.categories.size() == 3);
  CHECK(c.categories[0].name == "person");
  CHECK(c.categories[1].name == "car");
  CHECK(c.categories[2].name == "dog");
  REQUIRE(c.images.size() == 3);
  CHECK(c.images[0].id == 42);
  CHECK(c.images[1].file_name == "b.jpg");
  REQUIRE(c.objects[0].size() == 3);
  CHECK(c.objects[0][0].label == 2);
  CHECK(c.objects[0][0].x == 0.5);
  CHECK(c.objects[0][1].crowd);
  CHECK(c.objects[1].size() == 1);
  CHECK(c.objects[2].empty());
}

TEST_CASE("COCO data set: multi-hot targets, xyxy boxes, crowd and unlabeled options") {
  testing::TempDir dir;
  const std::string json = testing::write_text(dir / "instances.json", kInstances);
  testing::write_jpg(dir / "img/a.jpg", 4, 2, std::vector<uint8_t>(24, 10));
  testing::write_jpg(dir / "img/b.jpg", 3, 3, std::vector<uint8_t>(27, 10));

  data::CocoDataset all(json, dir / "img");
  CHECK(all.size() == 3);
  CHECK(all.class_names() == std::vector<std::string>{"person", "car", "dog"});
  CHECK(all.labels(0) == std::vector<int64_t>{0, 2});
  const data::Sample s = all.get(0);
  CHECK(s.image.shape() == Shape{3, 2, 4});
  CHECK(s.target.to_vector() == std::vector<double>{1, 0, 1});
  REQUIRE(s.boxes.size() == 3);
  CHECK(s.boxes[0].label == 2);
  CHECK(s.boxes[0].x0 == 0.5);
  CHECK(s.boxes[0].y0 == 1);
  CHECK(s.boxes[0].x1 == 2.5);
  CHECK(s.boxes[0].y1 == 2);
  CHECK(all.targets().to_vector() == std::vector<double>{1, 0, 1, 1, 0, 0, 0, 0, 0});
  CHECK(all.sample_name(2) == dir / "img/c.jpg");
  CHECK_THROWS_WITH_AS(all.get(2), testing::contains(dir / "img/c.jpg: cannot open"), Error);

  data::CocoOptions opts;
  opts.include_crowd = false;
  opts.drop_unlabeled = true;
  data::CocoDataset strict(json, dir / "img", opts);
  REQUIRE(strict.size() == 1);  // b.jpg only had a crowd annotation, c.jpg none
  CHECK(strict.image_info(0).id == 42);
  CHECK(strict.labels(0) == std::vector<int64_t>{2});
  CHECK(strict.get(0).boxes.size() == 2);
}

TEST_CASE("COCO errors name the file and the field") {
  auto fails = [](const std::string& json, const std::string& message) {
    CHECK_THROWS_WITH_AS(data::parse_coco_instances(json, "i.json"), testing::contains(message), Error);
  };
  fails(R"({"images": [}")", "i.json: invalid JSON at byte 13");
  fails(std::string(kInstances).substr(0, 200), "i.json: invalid JSON");
  fails(replaced(kInstances, R"("bbox": [1, 0, 1, 1], )", ""), "i.json: annotations[2]: missing field \"bbox\"");
  fails(replaced(kInstances, "[0.5, 1, 2, 1]", "[0.5, 1, 2]"), "i.json: annotations[0].bbox: expected [x, y, w, h], got 3");
  fails(replaced(kInstances, "[0.5, 1, 2, 1]", "[0.5, 1, -2, 1]"), "annotations[0].bbox: negative width or height");
  fails(replaced(kInstances, "[0.5, 1, 2, 1]", R"([0.5, "1", 2, 1])"),
        "annotations[0].bbox[1]: expected a finite number, got \"1\"");
  fails(replaced(kInstances, R"("image_id": 7)", R"("image_id": 8)"),
        "annotations[3].image_id: 8 is not the id of an entry of \"images\"");
  fails(replaced(kInstances, R"("category_id": 1, "bbox": [0, 0, 4, 2])", R"("category_id": 2, "bbox": [0, 0, 4, 2])"),
        "annotations[1].category_id: 2 is not the id of a category");
  fails(replaced(kInstances, R"("id": 9,)", R"("id": 7,)"), "images[2].id: image id 7 appears twice");
  fails(replaced(kInstances, R"("id": 3, "name": "car")", R"("id": 1, "name": "car")"),
        "categories[2].id: category id 1 appears twice");
  fails(replaced(kInstances, R"("width": 3)", R"("width": 3.5)"), "images[1].width: expected an integer, got 3.5");
  fails(replaced(kInstances, R"("iscrowd": 1})", R"("iscrowd": 2})"), "annotations[1].iscrowd: expected 0 or 1, got 2");
  fails(R"({"images": {}, "categories": [], "annotations": []})", "i.json: images: expected an array, got object");
  fails(R"([1, 2])", "i.json: top level: expected an object, got array");
  CHECK_THROWS_WITH_AS(data::CocoDataset("/nonexistent/x.json", "/tmp"), testing::contains("/nonexistent/x.json: cannot open"),
                       Error);
}

}  // TEST_SUITE
