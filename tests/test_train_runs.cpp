// End-to-end runs of htp pretrain / probe / eval on a tiny synthetic MNIST-format data set (written here: 10
// classes of 28×28 images, class k a bright bar at a class-specific place plus noise; 300 training and 100 test
// images) with a width-4 ResNet-18-small: the loss falls, a stopped and resumed run ends bitwise equal to an
// uninterrupted one, probing leaves the backbone (weights and BN statistics) bitwise unchanged, eval reproduces the
// logged accuracy, and bad checkpoints give errors naming the file.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include "apps/commands.h"
#include "apps/train_log.h"
#include "nn/probes.h"
#include "nn/safetensors.h"
#include "tensor/random.h"
#include "bars_dataset.h"
#include "test_data_util.h"

using namespace htp;
using htp::testing::Bars;

namespace {

std::vector<std::string> pretrain_args(const Bars& bars, const std::string& out, std::vector<std::string> extra) {
  std::vector<std::string> a = {"--data", bars.data(), "--width", "4",       "--batch-size", "32", "--lr",
                                "0.05",   "--workers", "0",       "--quiet", "--out",        out};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

std::vector<app::Json> log_of(const std::string& run, const std::string& kind) {
  std::vector<app::Json> out;
  for (const app::Json& r : app::JsonlLog(run + "/log.jsonl").records())
    if (r["kind"] == kind) out.push_back(r);
  return out;
}

bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.contiguous().raw_data(), b.contiguous().raw_data(), a.numel() * a.element_size()) == 0;
}

// The same names with bitwise equal tensors.
void check_bitwise_equal(const nn::StateDict& a, const nn::StateDict& b) {
  REQUIRE(a.size() == b.size());
  for (const auto& [name, t] : a) {
    INFO("tensor ", name);
    REQUIRE(b.count(name) == 1);
    CHECK(same_bytes(t, b.at(name)));
  }
}

nn::StateDict section(const nn::StateDict& all, const std::string& prefix) {
  nn::StateDict out;
  for (const auto& [name, t] : all)
    if (name.rfind(prefix + ".", 0) == 0) out[name.substr(prefix.size() + 1)] = t;
  return out;
}

}  // namespace

TEST_SUITE("train") {
  TEST_CASE("train runs: pretraining lowers the loss and learns the bars; eval reproduces the logged accuracy") {
    Bars bars;
    const std::string run = bars.dir / "rn";
    REQUIRE(app::run_pretrain(pretrain_args(bars, run, {"--epochs", "3"})) == 0);
    const std::vector<app::Json> train = log_of(run, "train"), eval = log_of(run, "eval");
    REQUIRE(train.size() == 3);
    REQUIRE(eval.size() == 3);
    CHECK(train[2]["loss"].get<double>() < 0.7 * train[0]["loss"].get<double>());
    CHECK(eval[2]["top1"].get<double>() > 0.6);
    CHECK(eval[2]["samples"] == 100);
    const app::Json settings = app::read_json_file(run + "/settings.json");
    CHECK(settings["backbone"]["arch"] == "resnet18-small");
    CHECK(settings["loss"]["kind"] == "ce");

    REQUIRE(app::run_eval({"--checkpoint", run, "--workers", "0", "--quiet", "--out", bars.dir / "eval.json"}) == 0);
    const app::Json ev = app::read_json_file(bars.dir / "eval.json");
    CHECK(ev["kind"] == "pretrain");
    CHECK(ev["top1"].get<double>() == eval[2]["top1"].get<double>());
    CHECK(ev["top5"].get<double>() >= ev["top1"].get<double>());
    CHECK(ev["class_top1"].size() == 10);

    // Plain weights (model.safetensors) with --arch evaluate the same.
    REQUIRE(app::run_eval({"--checkpoint", run + "/model.safetensors", "--arch", "resnet18-small", "--data",
                           bars.data(), "--workers", "0", "--quiet", "--out", bars.dir / "eval-plain.json"}) == 0);
    CHECK(app::read_json_file(bars.dir / "eval-plain.json")["top1"] == ev["top1"]);
  }

  TEST_CASE("train runs: 1 epoch + --resume equals 2 epochs straight, bitwise (augmentation, momentum, BN)") {
    Bars bars;
    const std::vector<std::string> common = {"--epochs", "2", "--augment", "crop-flip", "--weight-decay", "1e-4"};
    const std::string straight = bars.dir / "straight", resumed = bars.dir / "resumed";
    REQUIRE(app::run_pretrain(pretrain_args(bars, straight, common)) == 0);

    std::vector<std::string> first = common;
    first.insert(first.end(), {"--stop-after", "1"});
    REQUIRE(app::run_pretrain(pretrain_args(bars, resumed, first)) == 0);
    CHECK(log_of(resumed, "train").size() == 1);
    nn::Metadata meta;
    nn::load_safetensors(resumed + "/checkpoint.safetensors", &meta);
    CHECK(app::Json::parse(meta.at("htp.state"))["epoch"] == 1);

    // A changed setting is refused, naming it.
    std::vector<std::string> changed = common;
    changed.insert(changed.end(), {"--resume", "--lr", "0.2"});
    CHECK_THROWS_WITH(app::run_pretrain(pretrain_args(bars, resumed, changed)),
                      doctest::Contains("optimizer.lr: checkpoint 0.05, this run 0.2"));

    std::vector<std::string> second = common;
    second.push_back("--resume");
    REQUIRE(app::run_pretrain(pretrain_args(bars, resumed, second)) == 0);

    const nn::StateDict a = nn::load_safetensors(straight + "/checkpoint.safetensors");
    const nn::StateDict b = nn::load_safetensors(resumed + "/checkpoint.safetensors");
    check_bitwise_equal(section(a, "model"), section(b, "model"));
    check_bitwise_equal(section(a, "optim"), section(b, "optim"));
    CHECK(section(a, "optim").count("fc.weight.momentum_buffer") == 1);
    for (const std::string kind : {"train", "eval"}) {
      const std::vector<app::Json> la = log_of(straight, kind), lb = log_of(resumed, kind);
      REQUIRE(la.size() == 2);
      REQUIRE(lb.size() == 2);
      for (size_t e = 0; e < 2; ++e) CHECK(la[e]["loss"].get<double>() == lb[e]["loss"].get<double>());
    }
  }

  TEST_CASE("train runs: probes change only the probe; the frozen backbone and its BN statistics stay bitwise") {
    Bars bars;
    const std::string backbone = bars.dir / "rn";
    REQUIRE(app::run_pretrain(pretrain_args(bars, backbone, {"--epochs", "1"})) == 0);
    const nn::StateDict trained = section(nn::load_safetensors(backbone + "/checkpoint.safetensors"), "model");
    REQUIRE(trained.count("bn1.running_var") == 1);

    // online: the backbone runs on every batch (its BN must stay in eval mode); cache: features computed once.
    for (const auto& [probe, features] : {std::pair{"linear", "online"}, std::pair{"mlp2", "cache"}}) {
      CAPTURE(probe);
      const std::string run = bars.dir / (std::string(probe) + "-" + features);
      REQUIRE(app::run_probe({"--backbone", backbone, "--probe", probe, "--features", features, "--epochs", "3", "--lr",
                              "0.03", "--batch-size", "32", "--hidden", "16", "--workers", "0", "--quiet", "--out",
                              run}) == 0);
      const nn::StateDict all = nn::load_safetensors(run + "/checkpoint.safetensors");
      check_bitwise_equal(section(all, "backbone"), trained);

      manual_seed(0);  // the probe's initial weights, as the command made them
      const nn::StateDict initial = nn::make_probe(probe, 32, 10, 16)->state_dict(), now = section(all, "probe");
      REQUIRE(initial.size() == now.size());
      int changed = 0;
      for (const auto& [name, t] : initial) changed += !same_bytes(t, now.at(name));
      CHECK(changed > 0);
      CHECK(log_of(run, "train")[2]["loss"].get<double>() < log_of(run, "train")[0]["loss"].get<double>());
      CHECK(log_of(run, "eval")[2]["top1"].get<double>() > 0.6);

      REQUIRE(app::run_eval({"--checkpoint", run, "--workers", "0", "--quiet"}) == 0);
      const app::Json ev = app::read_json_file(run + "/eval-test.json");
      CHECK(ev["kind"] == "probe");
      // Up to one sample of 100: cached features came from batches of 32, eval recomputes them in batches of 256.
      CHECK(std::abs(ev["top1"].get<double>() - log_of(run, "eval")[2]["top1"].get<double>()) <= 0.0101);
    }
  }

  TEST_CASE("train runs: missing and corrupt checkpoints are errors naming the file") {
    Bars bars;
    const std::string run = bars.dir / "rn";
    CHECK_THROWS_WITH(app::run_pretrain(pretrain_args(bars, run, {"--epochs", "1", "--resume"})),
                      testing::contains("no checkpoint '" + run + "/checkpoint.safetensors' to resume from"));
    REQUIRE(app::run_pretrain(pretrain_args(bars, run, {"--epochs", "2", "--stop-after", "1"})) == 0);
    std::vector<uint8_t> bytes = testing::file_bytes(run + "/checkpoint.safetensors");
    bytes.resize(bytes.size() / 2);
    testing::write_bytes(run + "/checkpoint.safetensors", bytes);
    CHECK_THROWS_WITH(app::run_pretrain(pretrain_args(bars, run, {"--epochs", "2", "--resume"})),
                      testing::contains(run + "/checkpoint.safetensors"));
    CHECK_THROWS_WITH(app::run_eval({"--checkpoint", run, "--quiet"}),
                      testing::contains(run + "/checkpoint.safetensors"));
    CHECK_THROWS_WITH(app::run_probe({"--backbone", bars.dir / "nothing", "--quiet"}),
                      testing::contains("checkpoint '" + bars.dir / "nothing" + "' does not exist"));
    CHECK_THROWS_WITH(app::run_eval({"--checkpoint", run + "/model.safetensors", "--quiet"}),
                      doctest::Contains("holds plain weights: say which architecture with --arch"));
  }

}  // TEST_SUITE
