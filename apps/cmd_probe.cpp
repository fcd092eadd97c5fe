// htp probe: trains a probe (nn/probes.h) on the frozen features of a trained backbone (paper §2.3–2.6). The
// backbone runs in eval mode without a graph; only the probe's parameters are optimised. Without augmentation the
// backbone's feature maps are computed once for the training and test splits (--features cache, the default: one
// forward pass over the data instead of one per epoch; memory N · C · h · w floats) and the probe trains on them.
// run_probe_cached lets several runs in one process share those features through a FeatureCache (htp demo).
//
// Presets are the paper's recipes (paper.md §2.6), scaled to --epochs (apps/train_optim.h); any explicit optimiser
// or schedule option overrides its part of the preset:
//   coslr       Adam lr 1e-3, weight decay 0, linear warm-up (5 % of the epochs) then cosine    (ImageNet coslr)
//   steplr      SGD lr 30, momentum 0.9, weight decay 0, ×0.1 at 60 % and 80 % of the epochs   (ImageNet linear-steplr)
//   multilabel  SGD lr 30 (3 × head lr_mult 10), momentum 0.9, warm-up epoch, ×0.1 every 12 %   (VOC / COCO)
//
//   htp probe --backbone runs/rn18 --probe linear --loss ce --out runs/rn18-linear-ce
//   htp probe --backbone runs/rn18 --probe linear --loss bce --preset steplr --epochs 20 --out runs/rn18-linear-bce
#include <cstdio>

#include "apps/args.h"
#include "apps/commands.h"
#include "apps/train_backbone.h"
#include "apps/train_jobs.h"
#include "apps/train_optim.h"
#include "apps/train_options.h"
#include "nn/probes.h"
#include "tensor/random.h"

namespace htp::app {
namespace {

struct Preset {
  OptimSpec optim;
  std::string schedule;
};

Preset preset(const std::string& name) {
  if (name == "coslr") return {{"adam", 1e-3, 0.0, 0.0}, "coslr"};
  if (name == "steplr") return {{"sgd", 30.0, 0.9, 0.0}, "multistep"};
  if (name == "multilabel") return {{"sgd", 30.0, 0.9, 0.0}, "multilabel-steplr"};
  throw Error("--preset must be coslr, steplr or multilabel, got '" + name + "'");
}

}  // namespace

int run_probe(const std::vector<std::string>& argv) { return run_probe_cached(argv, nullptr); }

int run_probe_cached(const std::vector<std::string>& argv, FeatureCache* shared) {
  std::string kinds;
  for (const std::string& k : nn::probe_kinds()) kinds += " " + k;
  Args args("probe",
            "Trains a probe on the frozen features (layer4) of a trained backbone, evaluating on the test "
            "split after every epoch and checkpointing backbone + probe to --out.");
  args.option("backbone", "",
              "pretrain checkpoint or run directory, probe checkpoint, or plain weights (.safetensors)");
  args.option("arch", "", "architecture of plain --backbone weights (see htp pretrain --help)");
  args.option("probe", "linear", "probe kind, one of:" + kinds);
  args.option("hidden", "0", "hidden width of the MLP probes (0: the backbone's feature channels, as 2048 for RN-50)");
  args.option("loss", "ce",
              "ce, or bce (off-label targets 1/C single-label; multi-label 1/C for B-cos probes, else 0)");
  args.option("preset", "coslr", "the paper's recipe: coslr, steplr or multilabel");
  args.option("optimizer", "", "override the preset's optimiser: sgd, adam or adamw");
  args.option("lr", "", "override the preset's learning rate");
  args.option("momentum", "", "override the preset's SGD momentum");
  args.option("weight-decay", "", "override the preset's weight decay");
  args.option("schedule", "", "override the preset's schedule: constant, cosine, multistep, coslr, multilabel-steplr");
  args.option("warmup-epochs", "0", "linear warm-up epochs of the cosine schedule");
  args.option("data", "", "data set (default: the backbone's training data; see htp pretrain --help)");
  args.option("image-size", "0", "input size in pixels (0: the backbone's training size)");
  args.option("augment", "none", "training augmentation: none or crop-flip (needs --features online)");
  args.option("features", "cache", "cache (compute the frozen features once) or online (every batch)");
  declare_run_options(args, "10", "runs/probe");
  declare_runtime_options(args);
  if (!args.parse(argv)) return 0;
  HTP_CHECK(!args.get("backbone").empty(), "--backbone is required (see htp probe --help)");
  const RunOptions run = read_run_options(args);
  const RuntimeOptions rt = read_runtime_options(args);

  const std::string data_arg = args.get("data");
  DataSpec data_spec = parse_data_spec(data_arg.empty() ? "fashion-mnist" : data_arg);
  LoadedBackbone backbone = load_backbone(args.get("backbone"), args.get("arch"), data_spec);
  if (data_arg.empty() && !backbone.data.empty()) data_spec = parse_data_spec(backbone.data);
  const int64_t image_size =
      resolve_image_size(data_spec, args.get_int("image-size") > 0 ? args.get_int("image-size") : backbone.image_size);

  const std::string augment = args.get("augment"), features_mode = args.get("features");
  check_augment(augment);
  HTP_CHECK(features_mode == "cache" || features_mode == "online", "--features must be cache or online, got '",
            features_mode, "'");
  HTP_CHECK(!(features_mode == "cache" && augment != "none"), "--augment ", augment,
            " changes the images every epoch: use --features online");
  const bool cached = features_mode == "cache";

  const DataSplit train = open_split(data_spec, true, run.train_limit),
                  test = open_split(data_spec, false, run.test_limit);
  HTP_CHECK(train.channels == backbone.spec.in_channels, "the backbone '", backbone.source, "' takes ",
            backbone.spec.in_channels, "-channel images but --data ", data_spec.str(), " has ", train.channels);
  const std::string kind = args.get("probe");
  const int64_t hidden = args.get_int("hidden") > 0 ? args.get_int("hidden") : backbone.model->num_features;
  const LossSpec loss = make_loss(args.get("loss"), LossContext::probe, train.multi_label, kind.rfind("bcos", 0) == 0,
                                  train.num_classes());
  Preset p = preset(args.get("preset"));
  if (!args.get("optimizer").empty()) p.optim.name = args.get("optimizer");
  if (!args.get("lr").empty()) p.optim.lr = args.get_double("lr");
  if (!args.get("momentum").empty()) p.optim.momentum = args.get_double("momentum");
  if (!args.get("weight-decay").empty()) p.optim.weight_decay = args.get_double("weight-decay");
  if (!args.get("schedule").empty()) p.schedule = args.get("schedule");
  const ScheduleSpec sched{p.schedule, args.get_int("warmup-epochs")};
  check_schedule(sched, run.epochs);

  const Json settings = {{"command", "probe"},
                         {"backbone", backbone.spec.to_json()},
                         {"backbone_source", backbone.source},
                         {"input", backbone.encoding.to_json()},
                         {"probe", {{"kind", kind}, {"hidden", hidden}, {"num_classes", train.num_classes()}}},
                         {"data", data_spec.str()},
                         {"image_size", image_size},
                         {"augment", augment},
                         {"features", features_mode},
                         {"train_limit", run.train_limit},
                         {"test_limit", run.test_limit},
                         {"loss", loss.to_json()},
                         {"optimizer", p.optim.to_json()},
                         {"schedule", sched.to_json()},
                         {"epochs", run.epochs},
                         {"batch_size", run.batch_size},
                         {"seed", run.seed}};

  manual_seed(run.seed);
  std::shared_ptr<nn::Module> probe = nn::make_probe(kind, backbone.model->num_features, train.num_classes(), hidden);
  std::unique_ptr<nn::Optimizer> optimizer = make_optimizer(p.optim, probe->named_parameters());
  if (!rt.quiet)
    std::printf("htp probe: %s probe (%lld parameters) on %s (%s, frozen) with %s, %s %s lr %g, %lld epochs\n",
                kind.c_str(), static_cast<long long>(probe->num_parameters()), backbone.source.c_str(),
                backbone.spec.arch.c_str(), data_spec.str().c_str(), p.optim.name.c_str(), p.schedule.c_str(),
                p.optim.lr, static_cast<long long>(run.epochs));
  auto image_loader = [&](const DataSplit& split, bool training) {
    return make_loader(split.dataset, make_pipeline(data_spec, backbone.encoding, image_size, training, augment),
                       run.batch_size, training, run.seed, rt.workers);
  };
  std::shared_ptr<data::Loader> train_loader, test_loader;
  if (cached) {
    auto cache = [&](const DataSplit& split, bool training) {
      const std::string key = detail::concat(backbone.source, "|", data_spec.str(), "|", split.split, "|",
                                             split.dataset->size(), "|", image_size, "|", run.batch_size);
      std::pair<Tensor, Tensor> computed;
      if (shared && shared->entries.count(key)) {
        computed = shared->entries.at(key);
        if (!rt.quiet) std::printf("  %s features from the shared cache\n", split.split.c_str());
      } else {
        computed = extract_features(*backbone.model, *image_loader(split, false), split.dataset->size(), split.split,
                                    !rt.quiet);
        if (shared) shared->entries[key] = computed;
      }
      const auto& [f, y] = computed;
      if (!rt.quiet)
        std::printf("  cached %s features %s (%.0f MB)\n", split.split.c_str(), f.describe().c_str(),
                    static_cast<double>(f.numel()) * 4 / 1e6);
      auto dataset = std::make_shared<FeatureDataset>(f, y, split.dataset);
      return make_loader(dataset, data::compose({}), run.batch_size, training, run.seed, rt.workers);
    };
    train_loader = cache(train, true);
    test_loader = cache(test, false);
  } else {
    train_loader = image_loader(train, true);
    test_loader = image_loader(test, false);
  }
  EvalSet test_set{test_loader, test.dataset->size(), test.split, test.dataset->class_names(), test.ignore};
  const nn::LrSchedule schedule = make_schedule(sched, run.epochs, train_loader->num_batches());

  ProbeJob job(backbone.model, probe, loss, test_set, cached);
  const LoopOptions loop{run.out, run.epochs, run.stop_after, run.resume, rt.quiet, settings, run.seed};
  const TrainSetup setup{train_loader.get(), train.dataset->size(), optimizer.get(), &schedule, p.optim.lr};
  const LoopResult result = run_training(job, setup, loop);
  if (!rt.quiet) std::printf("htp probe: %s\n", summary(result, loop).c_str());
  return 0;
}

}  // namespace htp::app
