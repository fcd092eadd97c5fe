// Optimisers and learning-rate schedules of the training commands, from their names.
//
// Optimisers: sgd (momentum, L2 weight decay: torch.optim.SGD), adam (L2), adamw (decoupled).
// Schedules, for a run of E epochs (factor × the base lr at every iteration, nn/optim/schedule.h):
//   constant            1
//   cosine              linear warm-up 0.01 → 1 over warmup_epochs (per iteration), then cosine to 0 over the rest,
//                       per iteration (smooth for short runs)
//   multistep           ×0.1 at epochs round(0.6 E) and round(0.8 E): the paper's "linear-steplr" (60, 80 of 100)
//   coslr               the paper's "coslr": linear warm-up 0.01 → 1 over w = max(1, round(0.05 E)) epochs per
//                       iteration, then CosineAnnealingLR(T_max = E − w) by epoch on [w, E)
//   multilabel-steplr   the VOC/COCO recipe: linear warm-up 1e-7 → 1 over epoch 0 per iteration, then ×0.1 every
//                       max(1, round(0.12 E)) epochs (6 of 50)
// At E = 100 (50 for multilabel-steplr) these are exactly nn::imagenet_steplr / imagenet_coslr / multilabel_steplr.
#pragma once
#include <memory>
#include <string>

#include "apps/train_log.h"
#include "nn/optim/optimizer.h"
#include "nn/optim/schedule.h"

namespace htp::app {

struct OptimSpec {
  std::string name = "sgd";
  double lr = 0.1;
  double momentum = 0.9;  // sgd only
  double weight_decay = 0.0;
  Json to_json() const;
};

struct ScheduleSpec {
  std::string name = "cosine";
  int64_t warmup_epochs = 0;  // cosine only
  Json to_json() const;
};

std::unique_ptr<nn::Optimizer> make_optimizer(const OptimSpec& spec, const nn::NamedParameters& params);
// Errors name the accepted schedules; check_schedule validates a spec before the iterations per epoch are known.
void check_schedule(const ScheduleSpec& spec, int64_t epochs);
nn::LrSchedule make_schedule(const ScheduleSpec& spec, int64_t epochs, int64_t iters_per_epoch);

}  // namespace htp::app
