// The XML reader and PASCAL VOC annotations, image sets and data set, on snippets and files written here,
// malformed ones included.
#include <doctest/doctest.h>

#include "data/voc.h"
#include "data/xml.h"
#include "test_data_util.h"

using namespace htp;

namespace {

std::string object_xml(const std::string& name, int difficult, int xmin, int ymin, int xmax, int ymax) {
  return "  <object>\n    <name>" + name + "</name>\n    <pose>Left</pose>\n    <difficult>" +
         std::to_string(difficult) + "</difficult>\n    <bndbox><xmin>" + std::to_string(xmin) + "</xmin><ymin>" +
         std::to_string(ymin) + "</ymin><xmax>" + std::to_string(xmax) + "</xmax><ymax>" + std::to_string(ymax) +
         "</ymax></bndbox>\n  </object>\n";
}

std::string annotation_xml(int width, int height, const std::string& objects) {
  return "<annotation>\n  <folder>VOC2007</folder>\n  <filename>000001.jpg</filename>\n  <size><width>" +
         std::to_string(width) + "</width><height>" + std::to_string(height) +
         "</height><depth>3</depth></size>\n" + objects + "</annotation>\n";
}

}  // namespace

TEST_SUITE("data") {

TEST_CASE("XML: elements, attributes, text, entities, comments, CDATA") {
  const data::XmlElement root = data::parse_xml(
      "\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- c -->\n<a x=\"1\" y='two'>\n <b>  hi &amp; &lt;bye&gt; &#65;&#x42; </b>"
      "<c/><b>second</b><d><![CDATA[<raw>]]></d>\n</a>\n<!-- trailing -->\n",
      "t.xml");
  CHECK(root.name == "a");
  CHECK(root.line == 3);
  CHECK(root.attributes == std::vector<std::pair<std::string, std::string>>{{"x", "1"}, {"y", "two"}});
  REQUIRE(root.children.size() == 4);
  CHECK(root.find("b")->text == "hi & <bye> AB");
  CHECK(root.find_all("b").size() == 2);
  CHECK(root.find_all("b")[1]->text == "second");
  CHECK(root.find("c")->children.empty());
  CHECK(root.find("d")->text == "<raw>");
  CHECK(root.find("missing") == nullptr);
}

TEST_CASE("XML errors name the file, line and byte") {
  auto fails = [](const std::string& xml, const std::string& message) {
    CHECK_THROWS_WITH_AS(data::parse_xml(xml, "f.xml"), testing::contains(message), Error);
  };
  fails("<a>\n<b>text</a>", "f.xml: line 2 (byte 11): </a> closes <b> (line 2)");
  fails("<a>\n  <b>\n", "f.xml: line 2 (byte 6): unclosed element <b>");
  fails("<a><b x='1' x='2'/></a>", "duplicate attribute x in <b>");
  fails("<a>&nbsp;</a>", "line 1 (byte 3): unknown entity &nbsp;");
  fails("<a>&#xZZ;</a>", "bad character reference");
  fails("<a/><b/>", "content after the root element </a>");
  fails("text<a/>", "expected the root element");
  fails("<!DOCTYPE a><a/>", "DOCTYPE declarations are not supported");
  fails("<a x=1/>", "expected a quoted value for attribute x");
  fails("<a><!-- open </a>", "unterminated comment");
  fails("", "expected the root element");
  fails(std::string(300, '<'), "expected a name");
  std::string deep;
  for (int i = 0; i < 300; ++i) deep += "<a>";
  fails(deep, "nested deeper than 256 levels");
}

TEST_CASE("VOC annotation: objects, difficult-only classes are negatives, boxes of non-difficult objects") {
  const std::string xml = annotation_xml(
      353, 500,
      object_xml("dog", 0, 48, 240, 195, 371) + object_xml("person", 1, 8, 12, 352, 498) +
          object_xml("dog", 1, 1, 1, 10, 10) + object_xml("cat", 1, 5, 5, 20, 20) + object_xml("cat", 0, 2, 3, 4, 5));
  const data::VocAnnotation a = data::parse_voc_annotation(xml, "000001.xml");
  CHECK(a.filename == "000001.jpg");
  CHECK(a.width == 353);
  CHECK(a.height == 500);
  REQUIRE(a.objects.size() == 5);
  CHECK(a.objects[1].name == "person");
  CHECK(a.objects[1].label == 14);
  CHECK(a.objects[1].difficult);
  CHECK(a.objects[0].xmax == 195);
  CHECK(a.labels() == std::vector<int64_t>{7, 11});  // cat, dog
  CHECK(a.difficult_only_labels() == std::vector<int64_t>{14});  // person
  const std::vector<data::Box> boxes = a.boxes();
  REQUIRE(boxes.size() == 2);
  CHECK(boxes[0].label == 11);
  CHECK(boxes[0].x0 == 47);
  CHECK(boxes[0].y0 == 239);
  CHECK(boxes[0].x1 == 195);
  CHECK(boxes[0].y1 == 371);
  CHECK(boxes[1].label == 7);

  REQUIRE(data::voc_classes().size() == 20);
  CHECK(data::voc_classes()[0] == "aeroplane");
  CHECK(data::voc_classes()[19] == "tvmonitor");

  // <difficult> is optional (0).
  const std::string no_flag = annotation_xml(
      10, 10, "<object><name>bus</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object>");
  CHECK(data::parse_voc_annotation(no_flag, "n.xml").labels() == std::vector<int64_t>{5});
}

TEST_CASE("VOC annotation errors name the file, element and line") {
  auto fails = [](const std::string& xml, const std::string& message) {
    CHECK_THROWS_WITH_AS(data::parse_voc_annotation(xml, "x.xml"), testing::contains(message), Error);
  };
  const std::string dog = object_xml("dog", 0, 1, 2, 3, 4);
  std::string no_box = object_xml("cat", 0, 1, 2, 3, 4);
  no_box.erase(no_box.find("<bndbox>"), no_box.find("</bndbox>") + 9 - no_box.find("<bndbox>"));
  // Lines: 1-4 header, the first object 5-10 (its <bndbox> on 9), the second from 11.
  fails(annotation_xml(10, 10, dog + no_box), "x.xml: <annotation>/<object>[2] (line 11) has no <bndbox>");
  std::string bad_number = object_xml("dog", 0, 1, 2, 3, 4);
  bad_number.replace(bad_number.find("<xmax>3"), 7, "<xmax>3a");
  fails(annotation_xml(10, 10, bad_number), "x.xml: <annotation>/<object>[1]/<bndbox>/<xmax> (line 9): '3a' is not a number");
  fails(annotation_xml(10, 10, object_xml("unicorn", 0, 1, 2, 3, 4)),
        "<annotation>/<object>[1]/<name> (line 6): 'unicorn' is not a VOC class");
  fails(annotation_xml(10, 10, object_xml("dog", 2, 1, 2, 3, 4)), "<object>[1]/<difficult> (line 8): expected 0 or 1, got 2");
  fails(annotation_xml(10, 10, object_xml("dog", 0, 5, 2, 3, 4)), "<object>[1]/<bndbox> (line 9): box [5, 2, 3, 4] has xmin > xmax");
  fails(annotation_xml(0, 10, dog), "<annotation>/<size>/<width> (line 4): the image width must be positive");
  fails("<annotation><filename>a.jpg</filename></annotation>", "x.xml: <annotation> (line 1) has no <size>");
  fails("<annot/>", "x.xml: <annot> (line 1): expected the root element <annotation>");
  std::string unclosed = annotation_xml(10, 10, dog);
  unclosed.erase(unclosed.find("</object>"), 9);
  fails(unclosed, "x.xml: line 11 (byte");
  fails(unclosed, "</annotation> closes <object> (line 5)");
}

TEST_CASE("VOC data set: image sets, images, multi-hot targets, boxes, errors") {
  testing::TempDir dir;
  const std::string root = dir / "VOC2007";
  testing::write_text(root + "/ImageSets/Main/train.txt", "000002\n\n000001\n");
  testing::write_text(root + "/Annotations/000001.xml",
                   annotation_xml(4, 2, object_xml("dog", 0, 1, 1, 2, 2) + object_xml("person", 1, 1, 1, 4, 2)));
  testing::write_text(root + "/Annotations/000002.xml",
                   annotation_xml(3, 2, object_xml("aeroplane", 0, 2, 1, 3, 2) + object_xml("bus", 0, 1, 1, 1, 1)));
  testing::write_jpg(root + "/JPEGImages/000001.jpg", 4, 2, std::vector<uint8_t>(4 * 2 * 3, 90));
  testing::write_jpg(root + "/JPEGImages/000002.jpg", 3, 2, std::vector<uint8_t>(3 * 2 * 3, 30));

  data::VocDataset voc(root, "train");
  CHECK(voc.ids() == std::vector<std::string>{"000002", "000001"});
  REQUIRE(voc.size() == 2);
  const data::Sample s = voc.get(1);
  CHECK(s.image.shape() == Shape{3, 2, 4});
  CHECK(s.label == -1);
  CHECK(s.target.shape() == Shape{20});
  std::vector<double> expected(20, 0.0);
  expected[11] = 1;  // dog; the difficult person is a negative
  CHECK(s.target.to_vector() == expected);
  REQUIRE(s.boxes.size() == 1);
  CHECK(s.boxes[0].x0 == 0);
  CHECK(s.boxes[0].x1 == 2);
  CHECK(voc.sample_name(0) == root + "/JPEGImages/000002.jpg");
  CHECK(voc.annotation(1).objects.size() == 2);

  const Tensor targets = voc.targets(), difficult = voc.difficult_only();
  CHECK(targets.shape() == Shape{2, 20});
  CHECK(targets.select(0, 0).to_vector()[0] == 1);  // aeroplane
  CHECK(targets.select(0, 0).to_vector()[5] == 1);  // bus
  CHECK(difficult.select(0, 1).to_vector()[14] == 1);  // person
  CHECK(difficult.select(0, 0).to_vector() == std::vector<double>(20, 0.0));

  CHECK_THROWS_WITH_AS(data::VocDataset(root, "val"), testing::contains(root + "/ImageSets/Main/val.txt: cannot open"),
                       Error);
  testing::write_text(root + "/ImageSets/Main/bad.txt", "000001 1\n");
  CHECK_THROWS_WITH_AS(data::VocDataset(root, "bad"),
                       testing::contains(root + "/ImageSets/Main/bad.txt: line 1: expected one image id"), Error);
  testing::write_text(root + "/ImageSets/Main/missing.txt", "000003\n");
  CHECK_THROWS_WITH_AS(data::VocDataset(root, "missing"), testing::contains(root + "/Annotations/000003.xml: cannot open"),
                       Error);
  // An annotation whose size disagrees with its image.
  testing::write_text(root + "/ImageSets/Main/wrong.txt", "000004\n");
  testing::write_text(root + "/Annotations/000004.xml", annotation_xml(5, 5, ""));
  testing::write_jpg(root + "/JPEGImages/000004.jpg", 3, 2, std::vector<uint8_t>(18, 0));
  data::VocDataset wrong(root, "wrong");
  CHECK_THROWS_WITH_AS(wrong.get(0), testing::contains("000004.jpg: image is 3×2 but " + root +
                                                       "/Annotations/000004.xml says 5×5"), Error);
}

}  // TEST_SUITE
