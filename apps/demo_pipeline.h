// The stages of `htp demo` (apps/cmd_demo.cpp), our small-scale counterpart of the paper's Fig. 5 and §5.2 on
// Fashion-MNIST:
//
//   (a) pretrain   resnet18-small (CE, SGD) and bcos-resnet18-small (BCE, Adam) with `htp pretrain` itself
//                  (run_pretrain): <out>/backbones/<arch>
//   (b) probes     on each frozen backbone, with `htp probe` itself (run_probe, the paper's coslr recipe scaled to
//                  the demo's epochs, features computed once per backbone through a FeatureCache): the linear probe
//                  (bias-free "linear-nobias" on the B-cos backbone, as the paper's B-cos std-linear configs, so that
//                  the model stays dynamic-linear), the ReLU MLP ("mlp2"; "mlp2-bnu" with the paper's bias-free
//                  uncentered BatchNorm on the B-cos backbone) and the B-cos MLP "bcos-mlp2", each with CE and with
//                  BCE: <out>/probes/<arch>-<probe>-<loss>
//   (c, d) gridpg  one confident pool over all twelve probed models (the paper requires images every compared model
//                  classifies correctly with confidence >= 0.95), 2×2 grids from the test split, every applicable
//                  method on every model (apps/gridpg_eval.h), heatmap PNGs of the first grids:
//                  <out>/gridpg/results.json and <out>/gridpg/images/
//
// Every stage is skipped when its directory holds a finished result of the same settings: a stage writes
// demo-stage.json with its arguments, the fingerprints (checkpoint modification times) of what it was made from and,
// once done, the seconds it took; so a retrained backbone retrains its probes and a retrained probe redoes the grids. An interrupted training run
// continues with --resume. fresh: redo every stage.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "apps/gridpg_eval.h"
#include "apps/train_log.h"

namespace htp::app {

struct DemoSettings {
  std::string out = "runs/demo";
  std::string data = "fashion-mnist";
  bool quick = false;          // the tiny smoke-test sizes of cmd_demo.cpp
  int64_t width = 8;           // backbone base width
  int64_t train_limit = 30000; // training images of the backbones and the probes (the first N of the train split)
  int64_t test_limit = 0;      // test images (0: all)
  int64_t pretrain_epochs = 1;
  int64_t probe_epochs = 10;
  int64_t hidden = 256;  // MLP probes' hidden width
  int64_t batch_size = 128;
  uint64_t seed = 0;
  GridPgOptions gridpg;  // grids, threshold, LIME samples, IG steps, examples
  Json to_json() const;  // everything that decides the results
};

// How the demo runs, not what it computes (never part of a stage's settings); passed on to the training commands.
struct DemoRuntime {
  bool fresh = false;
  bool progress = true;
  int workers = 1;
  int64_t threads = 0;  // --threads (0: HTP_NUM_THREADS, else all cores)
};

struct StageTime {
  std::string stage;
  double seconds = 0;       // this run's time
  double made_seconds = 0;  // what making its parts took, in this run or the earlier ones that made them
  bool reused = false;      // every part came from an earlier run
};

struct BackboneRun {
  std::string arch, loss, dir;
  double top1 = 0;
  bool reused = false;
};

struct ProbeRun {
  std::string backbone, probe, loss, dir;
  double top1 = 0;  // the test accuracy the run recorded after its last epoch
  bool reused = false;
  std::string key() const { return backbone + "-" + probe + "-" + loss; }
};

struct DemoResults {
  DemoSettings settings;
  std::vector<BackboneRun> backbones;
  std::vector<ProbeRun> probes;
  Json gridpg;  // <out>/gridpg/results.json (see run_gridpg_stage in demo_pipeline.cpp)
  std::vector<StageTime> stages;
};

std::vector<BackboneRun> pretrain_backbones(const DemoSettings& s, const DemoRuntime& rt, StageTime& time);
std::vector<ProbeRun> train_probes(const DemoSettings& s, const DemoRuntime& rt,
                                   const std::vector<BackboneRun>& backbones, StageTime& time);
// Returns results.json (made now, or by an earlier run: time.reused).
Json run_gridpg_stage(const DemoSettings& s, const DemoRuntime& rt, const std::vector<ProbeRun>& probes,
                      StageTime& time);

}  // namespace htp::app
