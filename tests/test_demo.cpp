// htp demo --quick on the synthetic bars data (tests/bars_dataset.h): the report files exist, report.json scores
// every backbone × probe × loss × applicable method with GridPG in [0, 1] and the accuracies the probe runs recorded
// (and `htp eval` reproduces), a second run reuses every checkpoint and the grids untouched, and a changed probe
// setting retrains the probes but not the backbones.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "apps/commands.h"
#include "apps/train_log.h"
#include "bars_dataset.h"
#include "test_util.h"

using namespace htp;
using htp::testing::Bars;
namespace fs = std::filesystem;

namespace {

// Modification times of every checkpoint and of the GridPG results under the demo's directory.
std::map<std::string, fs::file_time_type> made_files(const std::string& out) {
  std::map<std::string, fs::file_time_type> times;
  for (const auto& entry : fs::recursive_directory_iterator(out)) {
    const std::string name = entry.path().filename().string();
    if (name == "checkpoint.safetensors" || name == "results.json") times[entry.path().string()] = entry.last_write_time();
  }
  return times;
}

double last_logged_top1(const std::string& run) {
  double top1 = NAN;
  for (const app::Json& r : app::JsonlLog(run + "/log.jsonl").records())
    if (r["kind"] == "eval") top1 = r["top1"].get<double>();
  return top1;
}

}  // namespace

TEST_SUITE("train") {
  TEST_CASE("htp demo --quick: report, every setting scored, accuracies as recorded, reuse on the second run") {
    Bars bars(600, 100);
    const std::string out = bars.dir / "demo";
    const std::vector<std::string> args = {"--quick", "--data", bars.data(), "--out", out, "--workers", "0", "--quiet"};
    REQUIRE(app::run_demo(args) == 0);
    for (const char* f : {"report.md", "report.html", "report.json", "gridpg/results.json", "gridpg/images/grid0.png"})
      CHECK(fs::exists(out + "/" + f));

    const app::Json report = app::read_json_file(out + "/report.json");
    REQUIRE(report["models"].size() == 12);
    std::map<std::string, int> settings;
    for (const app::Json& m : report["models"]) {
      const std::string backbone = m["backbone"], probe = m["probe"];
      CAPTURE(m["key"]);
      settings[backbone + " " + probe + " " + m["loss"].get<std::string>()]++;
      const bool bcos = backbone.rfind("bcos", 0) == 0;
      CHECK(m["gridpg"].size() == (bcos ? 6 : 7));
      CHECK(m["gridpg"].contains(bcos ? "bcos" : "lrp"));
      for (const auto& [method, v] : m["gridpg"].items()) {
        CAPTURE(method);
        CHECK((v.get<double>() >= 0 && v.get<double>() <= 1));
      }
      CHECK(m["cells"] == 16);  // 4 grids of 2 x 2
      // The accuracy is the one the probe run recorded; htp eval on the checkpoint agrees up to one sample (its
      // feature pass runs in other batches than the cached one).
      const std::string dir = m["dir"];
      CHECK(m["top1"].get<double>() == last_logged_top1(dir));
      REQUIRE(app::run_eval({"--checkpoint", dir, "--workers", "0", "--quiet"}) == 0);
      CHECK(std::abs(app::read_json_file(dir + "/eval-test.json")["top1"].get<double>() - m["top1"].get<double>()) <=
            0.0101);
    }
    CHECK(settings.size() == 12);
    CHECK(settings.count("resnet18-small linear ce") == 1);
    CHECK(settings.count("bcos-resnet18-small linear-nobias bce") == 1);
    CHECK(settings.count("bcos-resnet18-small bcos-mlp2 bce") == 1);
    CHECK(report["comparisons"].size() == 39);  // 3 probes × (7 + 6) methods
    CHECK(testing::contains(report["summary"]["statement"].get<std::string>(), "BCE beat CE in "));
    CHECK(report["examples"][0]["maps"].size() == 12);

    // The second run trains nothing and reuses the grids.
    const auto before = made_files(out);
    REQUIRE(before.size() == 15);  // 2 backbones, 12 probes, the GridPG results
    REQUIRE(app::run_demo(args) == 0);
    CHECK(made_files(out) == before);
    const app::Json rerun = app::read_json_file(out + "/report.json");  // named: a range-for over a temporary's
    for (const app::Json& stage : rerun["stages"]) CHECK(stage["reused"] == true);  // member would dangle (C++20)

    // Another probe setting: the backbones stay, the probes and the grids are redone.
    std::vector<std::string> changed = args;
    changed.insert(changed.end(), {"--probe-epochs", "13"});
    REQUIRE(app::run_demo(changed) == 0);
    const auto after = made_files(out);
    for (const auto& [path, time] : before) {
      CAPTURE(path);
      CHECK((time == after.at(path)) == testing::contains(path, "/backbones/"));
    }
  }

}  // TEST_SUITE
