// htp pretrain: supervised training of a backbone with its classification head (the conventional or the B-cos
// ResNet, small-input variants for 28–64 px images), with per-epoch evaluation, checkpoints and exact resumption
// (apps/train_loop.h). Fashion-MNIST by default:
//
//   htp pretrain --arch resnet18-small --epochs 4 --out runs/rn18
//   htp pretrain --arch bcos-resnet18-small --loss bce --optimizer adam --lr 1e-3 --out runs/bcos18
//   htp pretrain ... --resume          # after an interruption: the same options plus --resume
#include <cstdio>

#include "apps/args.h"
#include "apps/commands.h"
#include "apps/train_data.h"
#include "apps/train_jobs.h"
#include "apps/train_model.h"
#include "apps/train_optim.h"
#include "apps/train_options.h"
#include "tensor/random.h"

namespace htp::app {

int run_pretrain(const std::vector<std::string>& argv) {
  std::string archs;
  for (const std::string& a : backbone_archs()) archs += " " + a;
  Args args("pretrain",
            "Trains a backbone and its classification head on labelled images (supervised), evaluating "
            "on the test split after every epoch and checkpointing to --out.");
  args.option("data", "fashion-mnist",
              "fashion-mnist[:DIR], mnist:DIR, imagefolder:PATH (PATH/train, PATH/val) or voc2007:PATH");
  args.option("arch", "resnet18-small", "architecture, one of:" + archs);
  args.option("width", "0", "base width (channels of stage 1; 0: 8 for -small archs, 64 otherwise)");
  args.option("image-size", "0", "input size in pixels (0: 28 for the MNISTs, 224 otherwise)");
  args.option("augment", "none", "training augmentation: none or crop-flip");
  args.option("loss", "ce", "ce, or bce (off-label targets 1/C for B-cos models, 0 for conventional ones)");
  args.option("optimizer", "sgd", "sgd, adam or adamw");
  args.option("lr", "0.1", "base learning rate");
  args.option("momentum", "0.9", "SGD momentum");
  args.option("weight-decay", "5e-4", "weight decay (L2; decoupled for adamw)");
  args.option("schedule", "cosine", "constant, cosine, multistep, coslr or multilabel-steplr (apps/train_optim.h)");
  args.option("warmup-epochs", "0", "linear warm-up epochs of the cosine schedule");
  declare_run_options(args, "4", "runs/pretrain");
  declare_runtime_options(args);
  if (!args.parse(argv)) return 0;
  const RunOptions run = read_run_options(args);
  const RuntimeOptions rt = read_runtime_options(args);

  const DataSpec data_spec = parse_data_spec(args.get("data"));
  const DataSplit train = open_split(data_spec, true, run.train_limit),
                  test = open_split(data_spec, false, run.test_limit);
  BackboneSpec spec{args.get("arch"), args.get_int("width"), train.channels, train.num_classes()};
  const InputEncoding encoding = default_encoding(data_spec, spec.bcos());
  const int64_t image_size = resolve_image_size(data_spec, args.get_int("image-size"));
  const std::string augment = args.get("augment");
  check_augment(augment);
  const LossSpec loss =
      make_loss(args.get("loss"), LossContext::pretrain, train.multi_label, spec.bcos(), train.num_classes());
  const OptimSpec optim{args.get("optimizer"), args.get_double("lr"), args.get_double("momentum"),
                        args.get_double("weight-decay")};
  const ScheduleSpec sched{args.get("schedule"), args.get_int("warmup-epochs")};
  check_schedule(sched, run.epochs);

  const Json settings = {
      {"command", "pretrain"},
      {"backbone", spec.to_json()},
      {"input", encoding.to_json()},
      {"data", data_spec.str()},
      {"image_size", image_size},
      {"augment", augment},
      {"train_limit", run.train_limit},
      {"test_limit", run.test_limit},
      {"loss", loss.to_json()},
      {"optimizer", optim.to_json()},
      {"schedule", sched.to_json()},
      {"epochs", run.epochs},
      {"batch_size", run.batch_size},
      {"seed", run.seed},
  };

  manual_seed(run.seed);
  std::shared_ptr<nn::ImageClassifier> model = make_backbone(spec);
  auto train_loader = make_loader(train.dataset, make_pipeline(data_spec, encoding, image_size, true, augment),
                                  run.batch_size, true, run.seed, rt.workers);
  EvalSet test_set{make_loader(test.dataset, make_pipeline(data_spec, encoding, image_size, false, augment),
                               run.batch_size, false, run.seed, rt.workers),
                   test.dataset->size(), test.split, test.dataset->class_names(), test.ignore};
  std::unique_ptr<nn::Optimizer> optimizer = make_optimizer(optim, model->named_parameters());
  const nn::LrSchedule schedule = make_schedule(sched, run.epochs, train_loader->num_batches());

  if (!rt.quiet)
    std::printf(
        "htp pretrain: %s (width %lld, %lld parameters) on %s: %lld train / %lld %s images, %lld epochs of "
        "%lld batches\n",
        spec.arch.c_str(), static_cast<long long>(resolve_width(spec)), static_cast<long long>(model->num_parameters()),
        data_spec.str().c_str(), static_cast<long long>(train.dataset->size()),
        static_cast<long long>(test.dataset->size()), test.split.c_str(), static_cast<long long>(run.epochs),
        static_cast<long long>(train_loader->num_batches()));
  PretrainJob job(model, loss, test_set);
  const LoopOptions loop{run.out, run.epochs, run.stop_after, run.resume, rt.quiet, settings, run.seed};
  const TrainSetup setup{train_loader.get(), train.dataset->size(), optimizer.get(), &schedule, optim.lr};
  const LoopResult result = run_training(job, setup, loop);
  if (!rt.quiet) std::printf("htp pretrain: %s\n", summary(result, loop).c_str());
  return 0;
}

}  // namespace htp::app
