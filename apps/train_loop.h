// The epoch loop shared by `htp pretrain` and `htp probe`, with checkpoints, the JSONL log and exact resumption.
//
// Epoch e (from 0) visits the training loader's epoch e (its shuffle and augmentation depend only on the loader's
// seed and e, data/loader.h); iteration i (counted over the whole run) uses lr = base lr × schedule.factor(i).
// After each epoch: a "train" record (mean loss over the epoch's samples, last lr, time, images/s) and an "eval"
// record (EvalResult::to_json) are appended to log.jsonl, and checkpoint.safetensors is rewritten with the weights,
// the optimiser state and the state JSON (apps/train_checkpoint.h), then the job's on_checkpoint hook runs.
//
// --resume loads the run directory's checkpoint (its settings must equal this run's), restores the weights,
// optimiser state, iteration count and the default generator's offset, drops log records of later epochs, and
// continues with the next epoch: the same batches, learning rates and random numbers as an uninterrupted run, so the
// final weights and logged losses are bitwise identical (kernels give the same results for the same thread count).
// stop_after (> 0) ends the run after that many epochs as a kill would, leaving the schedule as for all epochs.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "apps/train_checkpoint.h"
#include "apps/train_eval.h"
#include "data/loader.h"
#include "nn/optim/optimizer.h"
#include "nn/optim/schedule.h"

namespace htp::app {

class TrainJob {
 public:
  virtual ~TrainJob() = default;
  virtual std::string kind() const = 0;                 // "pretrain" or "probe": the checkpoint's htp.kind
  virtual void train_mode() = 0;                        // module modes for a training epoch
  virtual Variable loss(const data::Batch& batch) = 0;  // forward and loss of one batch (a graph to backward)
  virtual EvalResult evaluate(bool progress) = 0;       // on the held-out split
  virtual std::vector<std::pair<std::string, nn::StateDict>> weights() const = 0;  // by checkpoint prefix
  virtual void load_weights(const Checkpoint& checkpoint) = 0;
  virtual void on_checkpoint(const std::string& out_dir) {}
};

struct LoopOptions {
  std::string out_dir;
  int64_t epochs = 1;
  int64_t stop_after = 0;
  bool resume = false;
  bool quiet = false;  // no progress bars, no summary lines
  Json settings;       // the run's settings (settings.json, the checkpoint's htp.settings)
  uint64_t seed = 0;   // the default generator's and the loader's seed
};

struct TrainSetup {
  data::Loader* loader = nullptr;
  int64_t train_samples = 0;
  nn::Optimizer* optimizer = nullptr;
  const nn::LrSchedule* schedule = nullptr;
  double base_lr = 0;
};

struct LoopResult {
  int64_t epochs_done = 0;  // finished epochs, the resumed ones included
  Json best;                // {"metric", "value", "epoch"}; nulls before the first epoch
};

// "finished 5 of 5 epochs in runs/rn18 (best top1 92.30 % at epoch 5)", for the commands' last line.
std::string summary(const LoopResult& result, const LoopOptions& options);

LoopResult run_training(TrainJob& job, const TrainSetup& setup, const LoopOptions& options);

}  // namespace htp::app
