// End-to-end runs of htp explain and htp epg on a width-4 ResNet-18-small trained for one epoch on the synthetic bars
// data set (tests/bars_dataset.h) with a BCE linear probe, and on random 3-channel plain weights for VOC boxes:
// the written .npy equals the method's channel-summed map computed here, the PNG is the documented overlay, errors
// name the problem, and EPG equals a direct computation on synthetic grids and on a tiny VOCdevkit written here.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

#include "apps/commands.h"
#include "apps/explain_model.h"
#include "apps/train_log.h"
#include "apps/train_model.h"
#include "autograd/grad_mode.h"
#include "bars_dataset.h"
#include "data/image_decode.h"
#include "data/image_ops.h"
#include "data/mnist.h"
#include "data/transforms.h"
#include "data/voc.h"
#include "metrics/aggregate.h"
#include "metrics/epg.h"
#include "metrics/grid_selection.h"
#include "metrics/heatmap.h"
#include "metrics/postprocess.h"
#include "nn/safetensors.h"
#include "tensor/creation.h"
#include "tensor/npy.h"
#include "tensor/random.h"
#include "test_data_util.h"
#include "xai/attribution.h"

using namespace htp;
using htp::testing::Bars;

namespace {

// A backbone pretrained for one epoch and a BCE linear probe on it, shared by the cases of this file.
struct Trained {
  Bars bars;
  std::string backbone = bars.dir / "rn", probe = bars.dir / "probe";
  Trained() {
    const std::vector<std::string> common = {"--epochs", "1", "--batch-size", "32", "--workers", "0", "--quiet"};
    std::vector<std::string> pretrain = {"--data", bars.data(), "--width", "4", "--lr", "0.05", "--out", backbone};
    std::vector<std::string> probing = {"--backbone", backbone, "--probe", "linear", "--loss", "bce", "--out", probe};
    pretrain.insert(pretrain.end(), common.begin(), common.end());
    probing.insert(probing.end(), common.begin(), common.end());
    if (app::run_pretrain(pretrain) != 0 || app::run_probe(probing) != 0) throw Error("training the test model failed");
  }
  data::MnistDataset test_split() const {
    return data::MnistDataset(bars.dir / "data", data::MnistSplit::test, data::mnist_digit_classes());
  }
};

Trained& trained() {
  static Trained t;
  return t;
}

app::ExplainableModel load(const std::string& path) {
  return app::load_explainable(path, "", app::parse_data_spec("fashion-mnist"));
}

// Test image i as the model input [1, 1, 28, 28].
Tensor encoded(const data::MnistDataset& split, int64_t i, const app::InputEncoding& e) {
  return data::normalize_image(data::image_to_float(split.get(i).image), e.mean, e.std).unsqueeze(0).contiguous();
}

std::string write_test_png(const data::MnistDataset& split, int64_t i, const std::string& path) {
  const Tensor image = split.images().select(0, i).contiguous();
  const uint8_t* p = image.data<uint8_t>();
  return testing::write_png(path, 28, 28, 1, std::vector<uint8_t>(p, p + 28 * 28));
}

Tensor direct_map(app::ExplainableModel& m, const std::string& method, const xai::MethodOptions& options,
                  const Tensor& x, int64_t target) {
  return xai::channel_sum(xai::make_method(method, options)->attribute(*m.model, x, {target})).select(0, 0);
}

// Σ A⁺ inside the boxes / (Σ A⁺ + 1e-12), A⁺ = score_map(map), rounded to 2 decimals (paper §4.2), by hand.
double direct_epg(const Tensor& map, const std::vector<metrics::PixelBox>& boxes, metrics::Smoothing smoothing) {
  const std::vector<double> a = metrics::score_map(map, smoothing).to_vector();
  const int64_t W = map.size(1);
  std::set<int64_t> inside_pixels;
  for (const metrics::PixelBox& b : boxes)
    for (int64_t y = b.y0; y < b.y1; ++y)
      for (int64_t x = b.x0; x < b.x1; ++x) inside_pixels.insert(y * W + x);
  double inside = 0, total = 0;
  for (size_t i = 0; i < a.size(); ++i) total += a[i];
  for (int64_t i : inside_pixels) inside += a[static_cast<size_t>(i)];
  return metrics::round_decimals(inside / (total + 1e-12), 2);
}

// x [1, 1, H, W] back in [0, 1]: x · std + mean, replicated to RGB [3, H, W].
Tensor decoded_rgb(const Tensor& x, const app::InputEncoding& e) {
  std::vector<double> rgb;
  for (int ch = 0; ch < 3; ++ch)
    for (double v : x.to_vector()) rgb.push_back(static_cast<float>(v * e.std[0] + e.mean[0]));
  return tensor(rgb, {3, x.size(2), x.size(3)}).to(DType::f32);
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

}  // namespace

TEST_SUITE("xai") {
  TEST_CASE("htp explain: the .npy is the method's channel-summed map, for a PNG and a .npy input") {
    Trained& t = trained();
    const data::MnistDataset split = t.test_split();
    app::ExplainableModel m = load(t.probe);
    const Tensor x = encoded(split, 3, m.backbone.encoding);
    const std::string png = write_test_png(split, 3, t.bars.dir / "in.png"), out = t.bars.dir / "a.npy";
    struct Case {
      std::string method, option;
      xai::MethodOptions direct;  // what the command must end up using
    };
    const std::vector<Case> cases = {
        {"gradient", "", {}},
        {"ixg", "", {}},
        {"ig", "steps=8", {{"steps", "8"}}},
        {"gradcam", "layer=backbone.layer4.0.conv2", {{"layer", "backbone.layer4.0.conv2"}}},
        {"gbp", "", {}},
        {"lrp", "", {{"mean", "0.1307"}, {"std", "0.3081"}}},                // the MNIST encoding's ZBox bounds
        {"lime", "samples=60", {{"samples", "60"}, {"output", "sigmoid"}}},  // BCE probe: sigmoid
    };
    for (const Case& c : cases) {
      CAPTURE(c.method);
      REQUIRE(app::run_explain({"--weights", t.probe, "--input", png, "--method", c.method, "--option", c.option,
                                "--target", "3", "--out", out, "--quiet"}) == 0);
      const Tensor got = load_npy(out);
      CHECK(got.dtype() == DType::f32);
      CHECK(got.shape() == Shape{28, 28});
      CHECK(got.to_vector() == direct_map(m, c.method, c.direct, x, 3).to_vector());
    }

    // A .npy input is the model input as is; the default target is the predicted class.
    save_npy(t.bars.dir / "x.npy", x);
    REQUIRE(app::run_explain({"--weights", t.probe, "--input", t.bars.dir / "x.npy", "--method", "ixg", "--out", out,
                              "--quiet"}) == 0);
    std::vector<double> logits;
    {
      NoGradGuard no_grad;
      logits = (*m.model)(Variable(x)).data().to_vector();
    }
    const int64_t predicted = std::max_element(logits.begin(), logits.end()) - logits.begin();
    CHECK(load_npy(out).to_vector() == direct_map(m, "ixg", {}, x, predicted).to_vector());
  }

  TEST_CASE("htp explain: --png is the heatmap over the input, upscaled 8x with nearest neighbour to 224 x 224") {
    Trained& t = trained();
    const data::MnistDataset split = t.test_split();
    app::ExplainableModel m = load(t.probe);
    const app::InputEncoding& e = m.backbone.encoding;
    const Tensor x = encoded(split, 5, e);
    const std::string png = t.bars.dir / "a.png";
    REQUIRE(app::run_explain({"--weights", t.probe, "--input", write_test_png(split, 5, t.bars.dir / "in.png"),
                              "--method", "gradient", "--target", "5", "--png", png, "--quiet"}) == 0);
    const Tensor got = data::load_image(png);
    REQUIRE(got.shape() == Shape{3, 224, 224});
    // Expected: zennit's bwr colours of the map over the decoded input (x · std + mean, grey replicated), alpha 0.5.
    const Tensor grey = decoded_rgb(x, e);
    const Tensor want = metrics::overlay(
        grey, metrics::colorize(direct_map(m, "gradient", {}, x, 5), metrics::Colormap::diverging), 0.5);
    const uint8_t* g = got.contiguous().data<uint8_t>();
    const Tensor w = want.contiguous();
    int64_t off = 0, mismatched_blocks = 0;
    for (int64_t ch = 0; ch < 3; ++ch)
      for (int64_t r = 0; r < 224; ++r)
        for (int64_t c = 0; c < 224; ++c) {
          const int diff =
              std::abs(int(g[(ch * 224 + r) * 224 + c]) - int(w.data<uint8_t>()[(ch * 28 + r / 8) * 28 + c / 8]));
          off = std::max<int64_t>(off, diff);
          mismatched_blocks += g[(ch * 224 + r) * 224 + c] != g[(ch * 224 + r / 8 * 8) * 224 + c / 8 * 8];
        }
    CHECK(off <= 1);  // x · std + mean in float vs the PNG's bytes / 255: at most one level at a rounding tie
    CHECK(mismatched_blocks == 0);

    REQUIRE(app::run_explain({"--weights", t.probe, "--input", t.bars.dir / "in.png", "--method", "gradcam",
                              "--colormap", "sequential", "--png", png, "--quiet"}) == 0);
    CHECK(data::load_image(png).shape() == Shape{3, 224, 224});
  }

  TEST_CASE("htp explain: errors name the problem") {
    Trained& t = trained();
    const std::string in = write_test_png(t.test_split(), 0, t.bars.dir / "in.png"), out = t.bars.dir / "a.npy";
    auto explain = [&](std::vector<std::string> extra) {
      std::vector<std::string> a = {"--weights", t.probe, "--input", in, "--out", out, "--quiet"};
      a.insert(a.end(), extra.begin(), extra.end());
      return app::run_explain(a);
    };
    const std::string checkpoint = t.probe + "/checkpoint.safetensors";
    CHECK_THROWS_WITH(explain({"--method", "ixg", "--target", "10"}),
                      testing::contains("--target 10 is out of range: '" + checkpoint + "' predicts 10 classes"));
    CHECK_THROWS_WITH(explain({"--method", "nope"}), doctest::Contains("unknown attribution method 'nope' (known:"));
    CHECK_THROWS_WITH(explain({"--method", "ixg", "--input", t.bars.dir / "missing.png"}),
                      testing::contains("--input '" + t.bars.dir / "missing.png" + "' does not exist"));
    save_npy(t.bars.dir / "rgb.npy", zeros({3, 28, 28}));
    CHECK_THROWS_WITH(explain({"--method", "ixg", "--input", t.bars.dir / "rgb.npy"}),
                      testing::contains("--input '" + t.bars.dir / "rgb.npy" + "' has 3 channels but '" + checkpoint +
                                        "' takes 1-channel images"));
    CHECK_THROWS_WITH(explain({"--method", "ixg", "--weights", t.bars.dir / "nothing"}),
                      testing::contains("checkpoint '" + t.bars.dir / "nothing" + "' does not exist"));
    CHECK_THROWS_WITH(explain({"--method", "ig", "--option", "steps"}),
                      doctest::Contains("--option 'steps': 'steps' is not key=value"));
    CHECK_THROWS_WITH(explain({"--method", "gradient", "--option", "layer=x"}), doctest::Contains("layer"));
    CHECK_THROWS_WITH(app::run_explain({"--weights", t.probe, "--input", in, "--method", "ixg"}),
                      doctest::Contains("give --out A.npy and/or --png A.png"));
  }

  TEST_CASE("htp epg: synthetic 3x3 grids of the bars equal a direct computation; errors") {
    Trained& t = trained();
    const data::MnistDataset split = t.test_split();
    app::ExplainableModel m = load(t.probe);
    const std::string json = t.bars.dir / "epg.json", md = t.bars.dir / "epg.md";
    REQUIRE(app::run_epg({"--model", t.probe, "--methods", "gradient,gradcam", "--limit", "2", "--batch-size", "1",
                          "--quiet", "--out", json, "--md", md}) == 0);
    const app::Json result = app::read_json_file(json)["models"][0]["epg"];

    // The grids, their maps and scores by hand: pools = every test image of a class, grid g from Philox(0, g).
    std::vector<std::vector<int64_t>> pools(10);
    for (int64_t i = 0; i < split.size(); ++i) pools[static_cast<size_t>(split.get(i).label)].push_back(i);
    const std::vector<metrics::GridSpec> grids = metrics::build_grids(pools, 3, 2, 0);
    for (const std::string method : {"gradient", "gradcam"}) {
      CAPTURE(method);
      std::vector<double> scores;
      for (const metrics::GridSpec& grid : grids) {
        Tensor x = empty({1, 1, 84, 84});
        for (int64_t k = 0; k < 9; ++k)
          x.narrow(2, k / 3 * 28, 28)
              .narrow(3, k % 3 * 28, 28)
              .copy_(encoded(split, grid.images[k], m.backbone.encoding));
        for (int64_t k = 0; k < 9; ++k) {
          const metrics::PixelBox cell{k % 3 * 28, k / 3 * 28, k % 3 * 28 + 28, k / 3 * 28 + 28};
          scores.push_back(
              direct_epg(direct_map(m, method, {}, x, grid.classes[k]), {cell}, metrics::Smoothing::mean_5x5));
        }
      }
      CHECK(result[method]["count"] == 18);
      const double got = result[method]["mean"].get<double>();
      CHECK(got >= 0.0);
      CHECK(got <= 1.0);
      CHECK(got == doctest::Approx(mean(scores)).epsilon(1e-12));
    }
    const std::vector<uint8_t> table = testing::file_bytes(md);
    CHECK(std::string(table.begin(), table.end()).find("| model | pairs | gradient | gradcam |") != std::string::npos);

    // Batching pairs changes nothing but the last bits (a score may move by one rounding step).
    REQUIRE(app::run_epg({"--model", t.probe + "," + t.backbone, "--methods", "gradient", "--limit", "2",
                          "--batch-size", "5", "--quiet", "--out", json}) == 0);
    const app::Json both = app::read_json_file(json)["models"];
    REQUIRE(both.size() == 2);
    CHECK(std::abs(both[0]["epg"]["gradient"]["mean"].get<double>() - result["gradient"]["mean"].get<double>()) <=
          0.01 + 1e-12);
    CHECK(both[1]["epg"]["gradient"]["count"] == 18);

    auto epg = [&](std::vector<std::string> extra) {
      std::vector<std::string> a = {"--model", t.probe, "--limit", "1", "--quiet"};
      a.insert(a.end(), extra.begin(), extra.end());
      return app::run_epg(a);
    };
    CHECK_THROWS_WITH(epg({"--methods", "ixg", "--grid-size", "2"}),
                      doctest::Contains("needs maps larger than 64 px, but "));
    CHECK_THROWS_WITH(epg({"--grid-size", "4"}), doctest::Contains("needs 16 classes"));
    CHECK_THROWS_WITH(epg({"--methods", "gradient,nope"}), doctest::Contains("--methods: unknown method 'nope'"));
    CHECK_THROWS_WITH(epg({"--data", "imagefolder:" + t.bars.dir.path()}), doctest::Contains("no boxes"));
  }

  TEST_CASE("htp epg: VOC boxes (non-difficult, the reference's box rule) on random 3-channel weights") {
    testing::TempDir dir;
    const std::string root = dir / "VOC2007";
    auto object = [](const std::string& name, int difficult, int x0, int y0, int x1, int y1) {
      return "<object><name>" + name + "</name><difficult>" + std::to_string(difficult) + "</difficult><bndbox><xmin>" +
             std::to_string(x0) + "</xmin><ymin>" + std::to_string(y0) + "</ymin><xmax>" + std::to_string(x1) +
             "</xmax><ymax>" + std::to_string(y1) + "</ymax></bndbox></object>";
    };
    auto annotation = [](int w, int h, const std::string& objects) {
      return "<annotation><filename>x.jpg</filename><size><width>" + std::to_string(w) + "</width><height>" +
             std::to_string(h) + "</height><depth>3</depth></size>" + objects + "</annotation>";
    };
    testing::write_text(root + "/ImageSets/Main/test.txt", "000001\n000002\n");
    testing::write_text(root + "/Annotations/000001.xml",
                        annotation(50, 40,
                                   object("dog", 0, 5, 6, 30, 35) + object("person", 0, 20, 2, 50, 40) +
                                       object("dog", 0, 35, 30, 45, 38) + object("cat", 1, 1, 1, 10, 10)));
    testing::write_text(root + "/Annotations/000002.xml",
                        annotation(40, 40, object("aeroplane", 0, 1, 1, 40, 20) + object("bus", 1, 3, 3, 9, 9)));
    for (const auto& [id, w, h] : {std::tuple{"000001", 50, 40}, std::tuple{"000002", 40, 40}}) {
      std::vector<uint8_t> rgb(static_cast<size_t>(w * h * 3));
      uint32_t s = 7;
      for (uint8_t& v : rgb) v = static_cast<uint8_t>((s = s * 1664525u + 1013904223u) >> 24);
      testing::write_jpg(root + "/JPEGImages/" + id + ".jpg", w, h, rgb);
    }
    manual_seed(1);
    const std::shared_ptr<nn::ImageClassifier> net = app::make_backbone({"resnet18-small", 4, 3, 20});
    const std::string weights = dir / "w.safetensors", json = dir / "epg.json";
    nn::save_safetensors(weights, net->state_dict());
    REQUIRE(app::run_epg({"--model", weights, "--arch", "resnet18-small", "--data", "voc2007:" + root, "--methods",
                          "gradient,ixg", "--image-size", "96", "--batch-size", "1", "--quiet", "--out", json}) == 0);
    const app::Json result = app::read_json_file(json)["models"][0];
    CHECK(result["image_size"] == 96);

    // By hand: resize to 96 x 96, ImageNet normalisation, one case per class with a non-difficult object, its boxes
    // floor(xmin · 96 / W) … floor(xmax · 96 / W) from the file's corners (the reference's rule).
    app::ExplainableModel m = app::load_explainable(weights, "resnet18-small", app::parse_data_spec("voc2007:" + root));
    const data::VocDataset voc(root, "test");
    for (const std::string method : {"gradient", "ixg"}) {
      CAPTURE(method);
      std::vector<double> scores;
      for (int64_t i = 0; i < voc.size(); ++i) {
        const data::VocAnnotation& a = voc.annotation(i);
        const Tensor x = data::normalize_image(data::image_to_float(data::resize_image(voc.get(i).image, 96, 96)),
                                               data::kImageNetMean, data::kImageNetStd)
                             .unsqueeze(0)
                             .contiguous();
        for (int64_t c : a.labels()) {
          std::vector<metrics::PixelBox> boxes;
          for (const data::VocObject& o : a.objects)
            if (o.label == c && !o.difficult)
              boxes.push_back({static_cast<int64_t>(std::floor(o.xmin * 96 / a.width)),
                               static_cast<int64_t>(std::floor(o.ymin * 96 / a.height)),
                               static_cast<int64_t>(std::floor(o.xmax * 96 / a.width)),
                               static_cast<int64_t>(std::floor(o.ymax * 96 / a.height))});
          scores.push_back(
              direct_epg(direct_map(m, method, {}, x, c), boxes,
                         method == "ixg" ? metrics::Smoothing::gaussian_129 : metrics::Smoothing::mean_5x5));
        }
      }
      REQUIRE(scores.size() == 3);  // dog and person, aeroplane; the difficult-only cat and bus are not explained
      CHECK(result["epg"][method]["count"] == 3);
      CHECK(result["epg"][method]["mean"].get<double>() == doctest::Approx(mean(scores)).epsilon(1e-12));
    }
  }
}
