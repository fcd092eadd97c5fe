// Command-line options shared by `htp pretrain`, `htp probe` and `htp eval`, and the loaders they build.
//
//   run options       --epochs --batch-size --seed --out --train-limit --test-limit --stop-after --resume
//   runtime options   --workers --threads --quiet   (how a run executes, not what it computes: never part of the
//                                                    run's settings, so they may change on --resume; the thread count
//                                                    can change the last bits of a result, though)
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "apps/args.h"
#include "data/loader.h"

namespace htp::app {

struct RunOptions {
  int64_t epochs = 0, batch_size = 0, train_limit = 0, test_limit = 0, stop_after = 0;
  uint64_t seed = 0;
  std::string out;
  bool resume = false;
};

struct RuntimeOptions {
  int workers = 1;
  bool quiet = false;
};

void declare_run_options(Args& args, const std::string& default_epochs, const std::string& default_out);
RunOptions read_run_options(const Args& args);

void declare_runtime_options(Args& args);
// Reads the options and applies --threads to the kernels' pool.
RuntimeOptions read_runtime_options(const Args& args);

std::shared_ptr<data::Loader> make_loader(std::shared_ptr<const data::Dataset> dataset, data::TransformPtr pipeline,
                                          int64_t batch_size, bool shuffle, uint64_t seed, int workers);

}  // namespace htp::app
