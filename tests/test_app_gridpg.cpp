// GridPG over models (apps/gridpg_eval.h) and `htp gridpg`:
//   - a hand-made linear "model" whose gradient for class k is the indicator of quadrant k: the scores equal
//     metrics::grid_pointing_game of those masks, cell by cell, for grids that place the class in its quadrant and in
//     the opposite one; the stored example maps are the masks
//   - on a tiny trained model: the batched scores of evaluate_model equal single-grid attributions scored directly
//   - GradCAM's default layer resolves inside "backbone." of a probed model; IxG gets the scaled Gaussian
//   - `htp gridpg` on the synthetic bars data writes the table and JSON; its accuracies equal `htp eval`'s
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "apps/commands.h"
#include "apps/explain_method.h"
#include "apps/gridpg_eval.h"
#include "apps/train_model.h"
#include "apps/train_log.h"
#include "autograd/ops.h"
#include "kernels/index.h"
#include "metrics/gridpg.h"
#include "nn/probed_classifier.h"
#include "nn/probes.h"
#include "tensor/creation.h"
#include "xai/gradcam.h"
#include "bars_dataset.h"
#include "test_util.h"

using namespace htp;
using htp::testing::Bars;

namespace {

constexpr int64_t kSide = 56;

// The indicator of quadrant q of a 56 × 56 image (row-major quadrants, as grid cells).
Tensor quadrant_mask(int64_t q) {
  Tensor m = zeros({kSide, kSide});
  m.narrow(0, q / 2 * 28, 28).narrow(1, q % 2 * 28, 28).fill_(1.0);
  return m;
}

// logits[n, k] = Σ_pixels x[n, 0] · mask_k for k < 4 (and 0 for the other classes): ∂logit_k/∂x = mask_k.
class QuadrantModel : public nn::Module {
 public:
  QuadrantModel() {
    Tensor w = zeros({10, kSide * kSide});
    for (int64_t k = 0; k < 4; ++k) w.select(0, k).copy_(quadrant_mask(k).reshape({kSide * kSide}));
    weight_ = Variable(w);
  }
  std::string type_name() const override { return "QuadrantModel"; }
  Variable forward(const Variable& x) override { return linear(flatten(x, 1), weight_); }

 private:
  Variable weight_;
};

app::ExplainableModel quadrant_model() {
  app::ExplainableModel m;
  m.model = std::make_shared<QuadrantModel>();
  m.backbone.encoding = {false, {0.0}, {1.0}};  // the raw image is the input
  m.num_classes = 10;
  return m;
}

std::vector<std::string> pretrain_args(const Bars& bars, const std::string& out) {
  return {"--data", bars.data(), "--width", "4", "--batch-size", "32", "--lr", "0.05", "--epochs", "3",
          "--workers", "0", "--quiet", "--out", out};
}

}  // namespace

TEST_SUITE("train") {
  TEST_CASE("gridpg_eval: a model whose gradient is a known mask scores as grid_pointing_game of that mask") {
    const app::ExplainableModel model = quadrant_model();
    app::GridSet grids;
    grids.grid_size = 2;
    grids.cell_size = 28;
    grids.specs = {{{0, 1, 2, 3}, {0, 0, 0, 0}}, {{3, 2, 1, 0}, {0, 0, 0, 0}}};  // own quadrant, opposite quadrant
    grids.images = {zeros({1, kSide, kSide}), zeros({1, kSide, kSide})};
    app::GridPgOptions options;
    options.examples = 2;
    options.batch_grids = 2;
    options.progress = false;

    const std::vector<app::MethodGridPg> results = app::evaluate_model(model, {"gradient"}, grids, options, "masks");
    REQUIRE(results.size() == 1);
    const app::MethodGridPg& r = results[0];
    CHECK(r.method == "gradient");
    REQUIRE(r.cells.size() == 8);
    double sum = 0;
    for (size_t g = 0; g < 2; ++g)
      for (int64_t c = 0; c < 4; ++c) {
        const int64_t cls = grids.specs[g].classes[static_cast<size_t>(c)];
        const double want = metrics::grid_pointing_game(quadrant_mask(cls), 2, c, metrics::Smoothing::mean_5x5);
        CHECK(r.cells[g * 4 + static_cast<size_t>(c)] == doctest::Approx(want).epsilon(1e-12));
        sum += want;
      }
    CHECK(r.cells[0] > 0.9);  // the smoothing leaks a little across the cell border
    CHECK(r.cells[4] < 0.01);
    CHECK(r.mean == doctest::Approx(sum / 8).epsilon(1e-12));
    REQUIRE(r.examples.size() == 2);
    CHECK(r.examples[1].shape() == Shape{4, kSide, kSide});
    testing::check_close(r.examples[1].select(0, 0), quadrant_mask(3).to_vector(), 0);
  }

  TEST_CASE("gridpg_eval: smoothing per method, GradCAM's default layer inside a probed model") {
    CHECK(app::gridpg_smoothing("ixg") == metrics::Smoothing::gaussian_scaled);
    CHECK(app::gridpg_smoothing("lrp") == metrics::Smoothing::mean_5x5);
    CHECK(app::gridpg_smoothing("ig") == metrics::Smoothing::mean_5x5);
    app::GridPgOptions o;
    o.lime_samples = 7;
    o.ig_steps = 9;
    CHECK(app::method_options("lime", o).get_int("samples", 0) == 7);
    CHECK(app::method_options("ig", o).get_int("steps", 0) == 9);
    auto backbone = app::make_backbone({"resnet18-small", 4, 1, 10});
    nn::ProbedClassifier probed(backbone, nn::make_probe("mlp2", backbone->num_features, 10, 16));
    CHECK(xai::default_gradcam_layer(probed) == "backbone.layer4.1.conv2");
  }

  TEST_CASE("gridpg_eval: on a trained model the batched scores equal single-grid attributions scored directly") {
    Bars bars;
    const std::string run = bars.dir / "rn";
    REQUIRE(app::run_pretrain(pretrain_args(bars, run)) == 0);
    const app::DataSpec data = app::parse_data_spec(bars.data());
    const app::ExplainableModel model = app::load_explainable(run, "", data);
    const app::DataSplit test = app::open_split(data, false);
    app::GridPgOptions o;
    o.grids = 3;
    o.threshold = 0;
    o.batch_grids = 2;  // one full and one partial chunk
    o.examples = 3;
    o.workers = 0;
    o.progress = false;
    const app::Predictions p = app::predict({&model}, test, data, o);
    CHECK(p.top1[0] > 0.5);
    const app::GridSet grids = app::make_grid_set(p, test, data, 28, o);
    REQUIRE(grids.images.size() == 3);
    CHECK(grids.images[0].shape() == Shape{1, 56, 56});
    // Cell 1 of grid 0 is test image images[1], as the pipeline gives it (values in [0, 1]).
    CHECK(grids.images[0].narrow(1, 0, 28).narrow(2, 28, 28).to_vector().front() ==
          doctest::Approx(static_cast<double>(
                              test.dataset->get(grids.specs[0].images[1]).image.to(DType::f32).to_vector().front()) /
                          255.0)
              .epsilon(1e-6));

    for (const std::string method : {"ixg", "gradcam"}) {
      CAPTURE(method);
      const std::vector<app::MethodGridPg> r = app::evaluate_model(model, {method}, grids, o, "rn");
      REQUIRE(r[0].cells.size() == 12);
      for (size_t g = 0; g < 3; ++g) {
        const Tensor x = app::encode_image(model, grids.images[g]);
        std::vector<int64_t> targets = grids.specs[g].classes;
        const Tensor maps = xai::channel_sum(app::make_model_method(model, method)->attribute(
            *model.model, kernels::stack({x, x, x, x}, 0), targets));
        const metrics::GridPgScores direct = metrics::grid_pointing_game(maps, 2, app::gridpg_smoothing(method));
        for (size_t c = 0; c < 4; ++c) CHECK(r[0].cells[g * 4 + c] == doctest::Approx(direct.cells[c]).epsilon(1e-4));
        testing::check_close(r[0].examples[g], maps.to_vector(), 1e-4);
      }
      for (double v : r[0].cells) CHECK((v >= 0 && v <= 1));
    }
  }

  TEST_CASE("htp gridpg: a table and JSON for two probes; accuracies equal htp eval's") {
    Bars bars;
    const std::string backbone = bars.dir / "rn";
    REQUIRE(app::run_pretrain(pretrain_args(bars, backbone)) == 0);
    std::vector<std::string> probes;
    for (const std::string loss : {"ce", "bce"}) {
      probes.push_back(bars.dir / ("linear-" + loss));
      REQUIRE(app::run_probe({"--backbone", backbone, "--probe", "linear", "--loss", loss, "--epochs", "5",
                              "--lr", "0.03", "--batch-size", "32", "--workers", "0", "--quiet", "--out", probes.back()}) == 0);
    }
    const std::string json = bars.dir / "gridpg.json", md = bars.dir / "gridpg.md";
    REQUIRE(app::run_gridpg({"--model", probes[0] + "," + probes[1], "--grids", "3", "--threshold", "0",
                             "--lime-samples", "8", "--ig-steps", "4", "--workers", "0", "--quiet", "--out", json,
                             "--md", md}) == 0);
    const app::Json out = app::read_json_file(json);
    CHECK(out["grids"] == 3);
    CHECK(out["cells"] == 12);
    REQUIRE(out["models"].size() == 2);
    for (size_t i = 0; i < 2; ++i) {
      const app::Json& m = out["models"][i];
      CHECK(m["methods"].size() == 7);  // gradient ixg ig gradcam gbp lrp lime
      for (const auto& [name, v] : m["methods"].items()) {
        CAPTURE(name);
        CHECK(v["cells"] == 12);
        CHECK((v["gridpg"].get<double>() >= 0 && v["gridpg"].get<double>() <= 1));
      }
      REQUIRE(app::run_eval({"--checkpoint", probes[i], "--workers", "0", "--quiet"}) == 0);
      CHECK(m["top1"].get<double>() == app::read_json_file(probes[i] + "/eval-test.json")["top1"].get<double>());
    }
    std::ifstream f(md);
    std::stringstream text;
    text << f.rdbuf();
    CHECK(testing::contains(text.str(), "| model | top-1 (%) | gradient | ixg | ig | gradcam | gbp | lrp | lime |"));
    CHECK(testing::contains(text.str(), "linear probe (bce)"));

    CHECK(testing::contains(testing::error_of([&] {
                              app::run_gridpg({"--model", probes[0], "--grids", "1", "--threshold", "1.01",
                                               "--workers", "0", "--quiet"});
                            }),
                            "classes have test images that every model classifies correctly"));
  }

}  // TEST_SUITE
