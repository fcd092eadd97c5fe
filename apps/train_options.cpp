#include "apps/train_options.h"

#include "kernels/cpu/parallel.h"
#include "tensor/error.h"

namespace htp::app {

void declare_run_options(Args& args, const std::string& default_epochs, const std::string& default_out) {
  args.option("epochs", default_epochs, "training epochs (the schedule spans them all)");
  args.option("batch-size", "128", "training batch size");
  args.option("seed", "0", "seed of the initialisation, the shuffles and the augmentation");
  args.option("out", default_out, "run directory: checkpoint.safetensors, settings.json, log.jsonl");
  args.option("train-limit", "0", "train on the first N training samples only (0: all)");
  args.option("test-limit", "0", "evaluate on the first N test samples only (0: all)");
  args.option("stop-after", "0", "stop after this many epochs, as if killed (continue with --resume; 0: never)");
  args.flag("resume", "continue the run in --out from its checkpoint (repeat the original options)");
}

RunOptions read_run_options(const Args& args) {
  RunOptions o;
  o.epochs = args.get_int("epochs");
  o.batch_size = args.get_int("batch-size");
  o.train_limit = args.get_int("train-limit");
  o.test_limit = args.get_int("test-limit");
  o.stop_after = args.get_int("stop-after");
  const int64_t seed = args.get_int("seed");
  o.out = args.get("out");
  o.resume = args.get_flag("resume");
  HTP_CHECK(o.epochs >= 1, "--epochs must be >= 1, got ", o.epochs);
  HTP_CHECK(o.batch_size >= 1, "--batch-size must be >= 1, got ", o.batch_size);
  HTP_CHECK(o.train_limit >= 0 && o.test_limit >= 0 && o.stop_after >= 0,
            "--train-limit, --test-limit and --stop-after must be >= 0");
  HTP_CHECK(seed >= 0, "--seed must be >= 0, got ", seed);
  HTP_CHECK(!o.out.empty(), "--out must name a directory");
  o.seed = static_cast<uint64_t>(seed);
  return o;
}

void declare_runtime_options(Args& args) {
  args.option("workers", "1", "data loader threads (0: load on the training thread)");
  args.option("threads", "0", "compute threads (0: HTP_NUM_THREADS, else all cores)");
  args.flag("quiet", "print nothing but errors (the results still go to the run's files)");
}

RuntimeOptions read_runtime_options(const Args& args) {
  RuntimeOptions o;
  const int64_t workers = args.get_int("workers"), threads = args.get_int("threads");
  HTP_CHECK(workers >= 0 && workers <= 64, "--workers must be in [0, 64], got ", workers);
  HTP_CHECK(threads >= 0 && threads <= 1024, "--threads must be in [0, 1024], got ", threads);
  if (threads > 0) kernels::cpu::set_num_threads(static_cast<int>(threads));
  o.workers = static_cast<int>(workers);
  o.quiet = args.get_flag("quiet");
  return o;
}

std::shared_ptr<data::Loader> make_loader(std::shared_ptr<const data::Dataset> dataset, data::TransformPtr pipeline,
                                          int64_t batch_size, bool shuffle, uint64_t seed, int workers) {
  return std::make_shared<data::Loader>(std::move(dataset), std::move(pipeline),
                                        data::LoaderOptions{.batch_size = batch_size,
                                                            .shuffle = shuffle,
                                                            .drop_last = false,
                                                            .workers = workers,
                                                            .prefetch = 0,
                                                            .seed = seed});
}

}  // namespace htp::app
