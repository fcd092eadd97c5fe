#include "apps/demo_pipeline.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <numeric>

#include "apps/commands.h"
#include "apps/demo_report.h"
#include "apps/train_checkpoint.h"
#include "apps/train_jobs.h"
#include "tensor/error.h"

namespace htp::app {
namespace {

namespace fs = std::filesystem;
using Command = std::function<int(const std::vector<std::string>&)>;

constexpr const char* kStampFile = "demo-stage.json";

std::string join(const std::string& dir, const std::string& name) { return (fs::path(dir) / name).string(); }

double since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// What a later stage made from a finished training run depends on: its directory and checkpoint time.
Json fingerprint(const std::string& dir) {
  const auto mtime = fs::last_write_time(join(dir, kCheckpointFile)).time_since_epoch().count();
  return {{"dir", dir}, {"checkpoint_mtime", static_cast<int64_t>(mtime)}};
}

// The stamp of `dir` when it records the run `want`, else null.
Json matching_stamp(const std::string& dir, const Json& want) {
  const std::string path = join(dir, kStampFile);
  if (!fs::exists(path)) return nullptr;
  try {
    Json stamp = read_json_file(path);
    return stamp.at("run") == want ? stamp : Json(nullptr);
  } catch (const std::exception&) {
    return nullptr;  // unreadable: redo the stage
  }
}

double last_top1(const std::string& dir) {
  double top1 = NAN;
  for (const Json& r : JsonlLog(join(dir, "log.jsonl")).records())
    if (r.value("kind", "") == "eval") top1 = r.at("top1").get<double>();
  HTP_CHECK(!std::isnan(top1), "demo: the run in '", dir, "' logged no evaluation");
  return top1;
}

struct StageRun {
  bool reused = false;
  double made_seconds = 0;  // what making the result took (this run, or the earlier one that made it)
};

// Runs a training command (run_pretrain / run_probe) with `args` (which name `dir` as --out) unless `dir` holds the
// same run, finished; a stamped but unfinished run continues with --resume.
StageRun training_stage(const std::string& dir, const std::vector<std::string>& args, const Json& upstream,
                        int64_t epochs, const DemoRuntime& rt, const Command& command) {
  const auto start = std::chrono::steady_clock::now();
  const Json want = {{"args", args}, {"upstream", upstream}};
  const std::string checkpoint = join(dir, kCheckpointFile);
  const Json stamp = rt.fresh ? Json(nullptr) : matching_stamp(dir, want);
  bool resume = false;
  if (!stamp.is_null() && fs::exists(checkpoint)) {
    const int64_t done = load_checkpoint(checkpoint).state.at("epoch").get<int64_t>();
    if (done == epochs && stamp.contains("seconds")) {
      if (rt.progress)
        std::printf("  reusing %s (same settings, %lld epochs done)\n", dir.c_str(), static_cast<long long>(done));
      return {true, stamp["seconds"].get<double>()};
    }
    resume = true;
  } else {
    fs::remove_all(dir);
  }
  fs::create_directories(dir);
  write_json_file(join(dir, kStampFile), {{"run", want}});
  std::vector<std::string> argv = args;
  argv.insert(argv.end(), {"--workers", std::to_string(rt.workers), "--threads", std::to_string(rt.threads)});
  if (resume) argv.push_back("--resume");
  if (!rt.progress) argv.push_back("--quiet");
  HTP_CHECK(command(argv) == 0, "demo: the run in '", dir, "' failed");
  const double seconds = since(start);
  write_json_file(join(dir, kStampFile), {{"run", want}, {"seconds", seconds}});
  return {false, seconds};
}

std::vector<std::string> common_args(const DemoSettings& s, int64_t epochs, const std::string& out) {
  return {"--data",        s.data,
          "--epochs",      std::to_string(epochs),
          "--train-limit", std::to_string(s.train_limit),
          "--test-limit",  std::to_string(s.test_limit),
          "--batch-size",  std::to_string(s.batch_size),
          "--seed",        std::to_string(s.seed),
          "--out",         out};
}

// The probe kinds of a backbone: the linear probe (bias-free on B-cos backbones), the ReLU MLP and the B-cos MLP.
std::vector<std::string> probe_kinds_for(const std::string& arch) {
  const bool bcos = arch.rfind("bcos", 0) == 0;
  return {bcos ? "linear-nobias" : "linear", bcos ? "mlp2-bnu" : "mlp2", "bcos-mlp2"};
}

}  // namespace

Json DemoSettings::to_json() const {
  return {{"data", data},
          {"quick", quick},
          {"width", width},
          {"train_limit", train_limit},
          {"test_limit", test_limit},
          {"pretrain_epochs", pretrain_epochs},
          {"probe_epochs", probe_epochs},
          {"hidden", hidden},
          {"batch_size", batch_size},
          {"seed", seed},
          {"grid_size", gridpg.grid_size},
          {"grids", gridpg.grids},
          {"grid_seed", gridpg.seed},
          {"threshold", gridpg.threshold},
          {"max_per_class", gridpg.max_per_class},
          {"lime_samples", gridpg.lime_samples},
          {"ig_steps", gridpg.ig_steps},
          {"examples", gridpg.examples}};
}

std::vector<BackboneRun> pretrain_backbones(const DemoSettings& s, const DemoRuntime& rt, StageTime& time) {
  struct Recipe {
    std::string arch, loss;
    std::vector<std::string> optimiser;
  };
  const std::vector<Recipe> recipes = {
      // htp pretrain's defaults: SGD lr 0.1, momentum 0.9, weight decay 5e-4, cosine.
      {"resnet18-small", "ce", {}},
      // The B-cos papers' recipe (BCE + Adam), lr 3e-3 as chosen in bench/results/training-cpu.md.
      {"bcos-resnet18-small", "bce", {"--optimizer", "adam", "--lr", "3e-3", "--weight-decay", "0"}},
  };
  const auto start = std::chrono::steady_clock::now();
  std::vector<BackboneRun> runs;
  time.reused = true;
  time.made_seconds = 0;
  for (const Recipe& r : recipes) {
    BackboneRun run{r.arch, r.loss, join(join(s.out, "backbones"), r.arch)};
    std::vector<std::string> args = common_args(s, s.pretrain_epochs, run.dir);
    args.insert(args.end(), {"--arch", r.arch, "--width", std::to_string(s.width), "--loss", r.loss});
    args.insert(args.end(), r.optimiser.begin(), r.optimiser.end());
    if (rt.progress) std::printf("\n[a] pretraining %s (%s)\n", r.arch.c_str(), r.loss.c_str());
    const StageRun made = training_stage(run.dir, args, Json::array(), s.pretrain_epochs, rt, run_pretrain);
    run.reused = made.reused;
    run.top1 = last_top1(run.dir);
    time.reused = time.reused && made.reused;
    time.made_seconds += made.made_seconds;
    runs.push_back(run);
  }
  time.seconds = since(start);
  return runs;
}

std::vector<ProbeRun> train_probes(const DemoSettings& s, const DemoRuntime& rt,
                                   const std::vector<BackboneRun>& backbones, StageTime& time) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<ProbeRun> runs;
  time.reused = true;
  time.made_seconds = 0;
  for (const BackboneRun& b : backbones) {
    FeatureCache cache;  // the backbone's features, computed by its first probe run that needs them
    const Json upstream = fingerprint(b.dir);
    for (const std::string& kind : probe_kinds_for(b.arch))
      for (const std::string loss : {"ce", "bce"}) {
        ProbeRun run{b.arch, kind, loss, ""};
        run.dir = join(join(s.out, "probes"), run.key());
        std::vector<std::string> args = common_args(s, s.probe_epochs, run.dir);
        args.insert(args.end(), {"--backbone", b.dir, "--probe", kind, "--loss", loss, "--preset", "coslr"});
        if (kind.find("mlp") != std::string::npos) args.insert(args.end(), {"--hidden", std::to_string(s.hidden)});
        if (rt.progress) std::printf("\n[b] probe %s\n", run.key().c_str());
        const StageRun made =
            training_stage(run.dir, args, upstream, s.probe_epochs, rt,
                           [&cache](const std::vector<std::string>& a) { return run_probe_cached(a, &cache); });
        run.reused = made.reused;
        run.top1 = last_top1(run.dir);
        time.reused = time.reused && made.reused;
        time.made_seconds += made.made_seconds;
        runs.push_back(run);
      }
  }
  time.seconds = since(start);
  return runs;
}

Json run_gridpg_stage(const DemoSettings& s, const DemoRuntime& rt, const std::vector<ProbeRun>& probes,
                      StageTime& time) {
  const auto start = std::chrono::steady_clock::now();
  const std::string dir = join(s.out, "gridpg"), results_path = join(dir, "results.json");
  const GridPgOptions& o = s.gridpg;
  Json upstream = Json::array();
  for (const ProbeRun& p : probes) upstream.push_back(fingerprint(p.dir));
  const Json want = {{"settings", s.to_json()}, {"upstream", upstream}};
  const Json stamp = rt.fresh ? Json(nullptr) : matching_stamp(dir, want);
  if (!stamp.is_null() && stamp.contains("seconds") && fs::exists(results_path)) {
    if (rt.progress) std::printf("  reusing %s (same settings and probes)\n", results_path.c_str());
    time.reused = true;
    time.seconds = since(start);
    time.made_seconds = stamp["seconds"].get<double>();
    return read_json_file(results_path);
  }
  time.reused = false;
  fs::remove_all(dir);
  fs::create_directories(join(dir, "images"));

  const DataSpec data = parse_data_spec(s.data);
  std::vector<ExplainableModel> models;
  for (const ProbeRun& p : probes) models.push_back(load_explainable(p.dir, "", data));
  std::vector<const ExplainableModel*> pointers;
  for (const ExplainableModel& m : models) pointers.push_back(&m);
  const DataSplit test = open_split(data, false, s.test_limit);
  const Predictions predictions = predict(pointers, test, data, o);
  const GridSet grids = make_grid_set(predictions, test, data, common_image_size(pointers, data), o);
  const double grid_seconds = since(start);
  const int64_t n = o.grid_size, examples = std::min<int64_t>(o.examples, o.grids);
  if (rt.progress)
    std::printf("  %lld %lldx%lld grids from a pool of %lld confident %s images\n", static_cast<long long>(o.grids),
                static_cast<long long>(n), static_cast<long long>(n),
                static_cast<long long>(std::accumulate(grids.pool_per_class.begin(), grids.pool_per_class.end(),
                                                       int64_t{0})),
                test.split.c_str());

  Json example_list = Json::array();
  for (int64_t e = 0; e < examples; ++e) {
    const int64_t target = e % (n * n);  // a different cell for each example
    const std::string image = detail::concat("images/grid", e, ".png");
    write_grid_png(join(dir, image), grids.images[static_cast<size_t>(e)], n, target, 4);
    example_list.push_back({{"grid", e},
                            {"image", image},
                            {"classes", grids.specs[static_cast<size_t>(e)].classes},
                            {"target_cell", target},
                            {"maps", Json::object()}});
  }
  Json model_list = Json::array();
  for (size_t i = 0; i < models.size(); ++i) {
    const ProbeRun& p = probes[i];
    Json methods = Json::object();
    for (const MethodGridPg& r : evaluate_model(models[i], applicable_methods(models[i]), grids, o, p.key())) {
      methods[r.method] = {{"gridpg", r.mean}, {"seconds", r.seconds}, {"cells", r.cells}};
      for (int64_t e = 0; e < examples; ++e) {
        Json& ex = example_list[static_cast<size_t>(e)];
        const int64_t target = ex["target_cell"].get<int64_t>();
        const std::string image = detail::concat("images/grid", e, "-", p.key(), "-", r.method, ".png");
        write_map_png(join(dir, image), r.examples[static_cast<size_t>(e)].select(0, target), n, target, 3);
        ex["maps"][p.key()][r.method] = image;
      }
    }
    model_list.push_back({{"key", p.key()},
                          {"backbone", p.backbone},
                          {"probe", p.probe},
                          {"loss", p.loss},
                          {"dir", p.dir},
                          {"top1_pool_pass", predictions.top1[i]},
                          {"methods", methods}});
  }
  Json specs = Json::array();
  for (const metrics::GridSpec& g : grids.specs) specs.push_back({{"classes", g.classes}, {"images", g.images}});
  const Json results = {{"data", data.str()},
                        {"split", test.split},
                        {"test_images", test.dataset->size()},
                        {"class_names", test.dataset->class_names()},
                        {"grid_size", n},
                        {"cell_size", grids.cell_size},
                        {"threshold", o.threshold},
                        {"pool_per_class", grids.pool_per_class},
                        {"lime_samples", o.lime_samples},
                        {"ig_steps", o.ig_steps},
                        {"ixg_gaussian_kernel", metrics::gaussian_kernel_for_side(n * grids.cell_size)},
                        {"grids", specs},
                        {"models", model_list},
                        {"examples", example_list},
                        {"seconds", {{"grids", grid_seconds}, {"attributions", since(start) - grid_seconds}}}};
  write_json_file(results_path, results);
  time.seconds = time.made_seconds = since(start);
  write_json_file(join(dir, kStampFile), {{"run", want}, {"seconds", time.seconds}});
  return results;
}

}  // namespace htp::app
