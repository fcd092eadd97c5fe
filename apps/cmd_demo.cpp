// htp demo: the project's main job, our small-scale counterpart of the paper's Fig. 5 and §5.2 on Fashion-MNIST.
// It pre-trains a conventional and a B-cos ResNet-18-small, trains linear / MLP / B-cos-MLP probes with CE and with
// BCE on each frozen backbone, builds 2×2 grids of confidently classified test images, runs every applicable
// attribution method on every backbone × probe × loss, and writes <out>/report.md, report.html (with heatmaps) and
// report.json: accuracy × GridPG per setting and whether BCE beat CE (apps/demo_pipeline.h, apps/demo_report.h).
// Stages whose results exist with the same settings are reused; --fresh redoes them. --quick shrinks everything to a
// smoke test (tests/test_demo.cpp).
//
//   htp demo                       # about 6–9 minutes on 2 idle cores; runs/demo/report.html
//   htp demo --quick --out /tmp/d  # seconds
#include <chrono>
#include <cstdio>

#include "apps/args.h"
#include "apps/commands.h"
#include "apps/demo_pipeline.h"
#include "apps/demo_report.h"
#include "apps/train_options.h"

namespace htp::app {
namespace {

DemoSettings quick_settings() {
  DemoSettings s;
  s.quick = true;
  s.width = 4;
  s.train_limit = 600;
  s.test_limit = 500;
  s.pretrain_epochs = 2;
  s.probe_epochs = 12;
  s.batch_size = 32;
  s.hidden = 32;
  s.gridpg.grids = 4;
  s.gridpg.threshold = 0;  // any correct prediction: tiny models are rarely confident
  s.gridpg.lime_samples = 10;
  s.gridpg.ig_steps = 4;
  s.gridpg.examples = 1;
  return s;
}

DemoSettings full_settings() {
  DemoSettings s;
  s.gridpg.grids = 24;
  s.gridpg.lime_samples = 100;
  s.gridpg.examples = 2;
  return s;
}

}  // namespace

int run_demo(const std::vector<std::string>& argv) {
  const DemoSettings full = full_settings(), quick = quick_settings();
  auto both = [](auto a, auto b) { return detail::concat("(default ", a, "; --quick ", b, ")"); };
  Args args("demo",
            "The main job: pre-trains a conventional and a B-cos backbone, trains linear / MLP / B-cos-MLP probes "
            "with CE and BCE, and reports accuracy and GridPG of every attribution method (the paper's Fig. 5 and "
            "§5.2 at small scale). Reuses what an earlier run with the same settings made.");
  args.option("out", full.out, "output directory: runs, grids, report.md / report.html / report.json");
  args.option("data", full.data, "fashion-mnist[:DIR] or mnist:DIR");
  args.flag("fresh", "redo every stage, even when an earlier run made it with the same settings");
  args.flag("quick", "tiny sizes for tests (the numbers mean nothing)");
  args.option("train-limit", "", "training images " + both(full.train_limit, quick.train_limit));
  args.option("test-limit", "", "test images, 0 all " + both(full.test_limit, quick.test_limit));
  args.option("width", "", "backbone base width " + both(full.width, quick.width));
  args.option("pretrain-epochs", "", "backbone epochs " + both(full.pretrain_epochs, quick.pretrain_epochs));
  args.option("probe-epochs", "", "probe epochs " + both(full.probe_epochs, quick.probe_epochs));
  args.option("hidden", "", "MLP probes' hidden width " + both(full.hidden, quick.hidden));
  args.option("grids", "", "2x2 grids " + both(full.gridpg.grids, quick.gridpg.grids));
  args.option("threshold", "", "confidence for the grid pool " + both(full.gridpg.threshold, quick.gridpg.threshold));
  args.option("lime-samples", "", "LIME samples " + both(full.gridpg.lime_samples, quick.gridpg.lime_samples));
  args.option("ig-steps", "", "Integrated Gradients steps " + both(full.gridpg.ig_steps, quick.gridpg.ig_steps));
  args.option("seed", "0", "seed of the training runs and of the grid draw");
  declare_runtime_options(args);
  if (!args.parse(argv)) return 0;
  const RuntimeOptions runtime = read_runtime_options(args);

  DemoSettings s = args.get_flag("quick") ? quick : full;
  s.out = args.get("out");
  s.data = args.get("data");
  auto set_int = [&](const char* name, int64_t& field) {
    if (!args.get(name).empty()) field = args.get_int(name);
  };
  set_int("train-limit", s.train_limit);
  set_int("test-limit", s.test_limit);
  set_int("width", s.width);
  set_int("pretrain-epochs", s.pretrain_epochs);
  set_int("probe-epochs", s.probe_epochs);
  set_int("hidden", s.hidden);
  set_int("grids", s.gridpg.grids);
  set_int("lime-samples", s.gridpg.lime_samples);
  set_int("ig-steps", s.gridpg.ig_steps);
  if (!args.get("threshold").empty()) s.gridpg.threshold = args.get_double("threshold");
  s.seed = static_cast<uint64_t>(args.get_int("seed"));
  s.gridpg.seed = s.seed;
  s.gridpg.workers = runtime.workers;
  s.gridpg.progress = !runtime.quiet;
  const DemoRuntime rt{args.get_flag("fresh"), !runtime.quiet, runtime.workers, args.get_int("threads")};

  const auto start = std::chrono::steady_clock::now();
  if (rt.progress)
    std::printf("htp demo: %s into %s%s\n", s.data.c_str(), s.out.c_str(), s.quick ? " (quick: a smoke test)" : "");
  DemoResults results;
  results.settings = s;
  StageTime pretrain{"(a) pre-train the two backbones"}, probes{"(b) probes (feature pass included)"},
      gridpg{"(c, d) confident pool, grids, attributions, heatmaps"};
  results.backbones = pretrain_backbones(s, rt, pretrain);
  results.probes = train_probes(s, rt, results.backbones, probes);
  if (rt.progress) std::printf("\n[c, d] GridPG of every method on every probed model\n");
  results.gridpg = run_gridpg_stage(s, rt, results.probes, gridpg);
  results.stages = {pretrain, probes, gridpg};
  const DemoSummary summary = write_demo_report(results);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (!runtime.quiet) {
    std::printf("\nAccuracy and GridPG (%%) per backbone x probe x loss x method:\n\n%s\n%s\n",
                summary.table.c_str(), summary.statement.c_str());
    std::printf("\nhtp demo: finished in %.0f s; report: %s/report.html (also report.md, report.json)\n", seconds,
                s.out.c_str());
  }
  return 0;
}

}  // namespace htp::app
