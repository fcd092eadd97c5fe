// Pieces of the training commands: the scaled paper schedules against nn/optim's fixed ones, the losses' off-label
// choice, data set names, backbone names, and checkpoint files (round trip and every error naming the file).
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>

#include "apps/train_checkpoint.h"
#include "apps/train_data.h"
#include "apps/train_eval.h"
#include "apps/train_model.h"
#include "apps/train_optim.h"
#include "nn/losses.h"
#include "nn/safetensors.h"
#include "tensor/creation.h"
#include "tensor/random.h"
#include "test_data_util.h"

using namespace htp;

TEST_SUITE("train") {
  TEST_CASE("train schedules: the scaled recipes equal the paper's at 100 (50) epochs") {
    const int64_t ipe = 7;
    const nn::LrSchedule coslr = app::make_schedule({"coslr"}, 100, ipe), ref_cos = nn::imagenet_coslr(ipe);
    const nn::LrSchedule step = app::make_schedule({"multistep"}, 100, ipe), ref_step = nn::imagenet_steplr(ipe);
    for (int64_t i = 0; i < 100 * ipe; ++i) {
      CHECK(coslr.factor(i) == ref_cos.factor(i));
      CHECK(step.factor(i) == ref_step.factor(i));
    }
    const nn::LrSchedule ml = app::make_schedule({"multilabel-steplr"}, 50, ipe), ref_ml = nn::multilabel_steplr(ipe);
    for (int64_t i = 0; i < 50 * ipe; ++i) CHECK(ml.factor(i) == ref_ml.factor(i));

    // Scaled to 10 epochs: steps at 6 and 8; a one-epoch warm-up, then the cosine by epoch from epoch 1.
    const nn::LrSchedule step10 = app::make_schedule({"multistep"}, 10, ipe);
    CHECK(step10.factor(6 * ipe - 1) == 1.0);
    CHECK(step10.factor(6 * ipe) == doctest::Approx(0.1));
    CHECK(step10.factor(8 * ipe) == doctest::Approx(0.01));
    const nn::LrSchedule cos10 = app::make_schedule({"coslr"}, 10, ipe);
    CHECK(cos10.factor(0) == doctest::Approx(0.01));
    CHECK(cos10.factor(ipe) == doctest::Approx(1.0));
    CHECK(cos10.factor(2 * ipe) == doctest::Approx(0.5 * (1 + std::cos(M_PI / 9))));

    // The per-iteration cosine: 1 at the start (no warm-up), halfway 0.5, decreasing; with warm-up from 0.01.
    const nn::LrSchedule cosine = app::make_schedule({"cosine", 0}, 4, 10);
    CHECK(cosine.factor(0) == 1.0);
    CHECK(cosine.factor(20) == doctest::Approx(0.5));
    CHECK(cosine.factor(39) < cosine.factor(38));
    const nn::LrSchedule warm = app::make_schedule({"cosine", 1}, 4, 10);
    CHECK(warm.factor(0) == doctest::Approx(0.01));
    CHECK(warm.factor(9) == doctest::Approx(1.0));
    CHECK(warm.factor(10) == doctest::Approx(1.0));
    CHECK_THROWS_WITH(app::make_schedule({"cosine", 4}, 4, 10),
                      doctest::Contains("--warmup-epochs must be in [0, --epochs)"));
    CHECK_THROWS_WITH(app::make_schedule({"linear"}, 4, 10), doctest::Contains("--schedule must be constant, cosine"));
  }

  TEST_CASE("train losses: off-label targets by context; bce with off 1/C is UniformOffLabelsBCE") {
    CHECK(app::make_loss("bce", app::LossContext::probe, false, false, 10).off == doctest::Approx(0.1));
    CHECK(app::make_loss("bce", app::LossContext::pretrain, false, false, 10).off == 0.0);
    CHECK(app::make_loss("bce", app::LossContext::pretrain, false, true, 10).off == doctest::Approx(0.1));
    CHECK(app::make_loss("bce", app::LossContext::probe, true, false, 20).off == 0.0);
    CHECK(app::make_loss("bce", app::LossContext::probe, true, true, 20).off == doctest::Approx(0.05));
    CHECK(app::make_loss("ce", app::LossContext::probe, false, false, 10).off == 0.0);
    CHECK_THROWS_WITH(app::make_loss("ce", app::LossContext::probe, true, false, 20),
                      doctest::Contains("--loss ce needs single-label data"));
    CHECK_THROWS_WITH(app::make_loss("mse", app::LossContext::probe, false, false, 10),
                      doctest::Contains("--loss must be ce or bce"));

    Generator gen(3);
    const Variable logits(randn({4, 5}, DType::f32, Device::cpu(), &gen));
    const Tensor labels = tensor(std::vector<int64_t>{0, 4, 2, 2}, {4});
    const app::LossSpec bce = app::make_loss("bce", app::LossContext::probe, false, false, 5);
    CHECK(app::compute_loss(bce, logits, labels).item<double>() ==
          doctest::Approx(nn::uniform_off_labels_bce(logits, labels).item<double>()).epsilon(1e-6));
    CHECK(app::compute_loss({"ce"}, logits, labels).item<double>() == nn::cross_entropy(logits, labels).item<double>());
  }

  TEST_CASE("train data and models: names, defaults and errors") {
    CHECK(app::parse_data_spec("fashion-mnist").path == "/usr/share/datasets/fashion-mnist");
    CHECK(app::parse_data_spec("mnist:/x/y").str() == "mnist:/x/y");
    CHECK_THROWS_WITH(app::parse_data_spec("cifar10"), doctest::Contains("unknown data set 'cifar10'"));
    CHECK_THROWS_WITH(app::parse_data_spec("imagefolder"), doctest::Contains("imagefolder needs a path"));
    CHECK_THROWS_WITH(app::open_split(app::parse_data_spec("mnist:/no/such/dir"), true),
                      doctest::Contains("'/no/such/dir' does not exist"));
    CHECK(app::default_encoding(app::parse_data_spec("fashion-mnist"), false).mean.size() == 1);
    CHECK(app::default_encoding(app::parse_data_spec("imagefolder:/x"), true).bcos);

    manual_seed(0);
    auto rn = app::make_backbone({"resnet18-small", 4, 1, 10});
    CHECK(rn->num_features == 32);
    CHECK(rn->type_name() == "ResNet");
    auto bcos = app::make_backbone({"bcos-resnet18-small", 0, 1, 10});
    CHECK(bcos->type_name() == "BcosResNet");
    CHECK(bcos->num_features == 8 * app::kDefaultSmallWidth);
    CHECK(app::make_backbone({"resnet50", 0, 3, 7})->num_features == 2048);
    CHECK_THROWS_WITH(app::make_backbone({"vgg16", 0, 1, 10}), doctest::Contains("unknown architecture 'vgg16'"));
  }

  TEST_CASE("train checkpoints: round trip, and errors that name the file") {
    testing::TempDir dir;
    const std::string path = dir / "c.safetensors";
    const app::Json settings = {{"lr", 0.1}, {"optimizer", {{"name", "sgd"}}}};
    app::save_checkpoint(path, "pretrain", settings, {{"epoch", 3}},
                         {{"model", {{"w", ones({2, 2})}}}, {"optim", {{"w.momentum_buffer", zeros({2, 2})}}}});
    const app::Checkpoint c = app::load_checkpoint(path);
    CHECK(c.kind == "pretrain");
    CHECK(c.state["epoch"] == 3);
    CHECK(c.section("model").at("w").to_vector() == std::vector<double>{1, 1, 1, 1});
    CHECK(c.section("optim").count("w.momentum_buffer") == 1);
    CHECK(app::is_checkpoint(path));
    CHECK(app::resolve_checkpoint_path(dir.path()) == dir / "checkpoint.safetensors");

    CHECK_NOTHROW(app::check_same_settings(c, settings));
    CHECK_THROWS_WITH(app::check_same_settings(c, {{"lr", 0.2}, {"optimizer", {{"name", "sgd"}}}}),
                      doctest::Contains("lr: checkpoint 0.1, this run 0.2"));

    CHECK_THROWS_WITH(app::load_checkpoint(dir / "missing.safetensors"),
                      testing::contains("checkpoint '" + dir / "missing.safetensors" + "' does not exist"));
    // Truncated: the header promises more bytes than the file has.
    std::vector<uint8_t> bytes = testing::file_bytes(path);
    bytes.resize(bytes.size() - 5);
    testing::write_bytes(dir / "cut.safetensors", bytes);
    CHECK_THROWS_WITH(app::load_checkpoint(dir / "cut.safetensors"), testing::contains(dir / "cut.safetensors"));
    testing::write_text(dir / "junk.safetensors", "not a checkpoint at all");
    CHECK_THROWS_WITH(app::load_checkpoint(dir / "junk.safetensors"), testing::contains(dir / "junk.safetensors"));
    nn::save_safetensors(dir / "plain.safetensors", {{"w", ones({1})}});
    CHECK_FALSE(app::is_checkpoint(dir / "plain.safetensors"));
    CHECK_THROWS_WITH(app::load_checkpoint(dir / "plain.safetensors"), doctest::Contains("not an htp checkpoint"));
  }

}  // TEST_SUITE
