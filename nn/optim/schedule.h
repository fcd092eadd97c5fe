// Learning-rate schedules: mmengine's param schedulers (mmengine/optim/scheduler/param_scheduler.py, the library of
// the paper's configs), as closed forms of their chainable updates. A schedule gives the factor multiplying the
// base lr at each training iteration: optimizer.set_lr(base_lr * schedule.factor(iteration)).
//
// A scheduler acts on steps [begin, end) of its unit: epochs (by_epoch, stepped once per epoch: the lr of
// iteration i uses epoch i / iters_per_epoch) or iterations. At local step t = step − begin:
//   StepLR             γ^⌊t / step_size⌋
//   MultiStepLR        γ^(number of milestones m <= t)        (milestones local to begin, as in mmengine)
//   LinearLR           s + (e − s) · t / T,  T = end − begin − 1  (s = start_factor at the first step, e at the last)
//   CosineAnnealingLR  (1 + cos(π t / T_max)) / 2               (η_min = 0)
// Before begin a scheduler has factor 1; after end it keeps its last factor (mmengine stops updating the lr).
// Schedulers chain multiplicatively, as mmengine applies them one after the other to the same lr.
// to_iterations(E) is mmengine's convert_to_iter_based: begin, end, step_size, milestones and T_max times E.
//
// The paper's probe recipes (§2.6; configs under probing/ of the official code):
//   imagenet_steplr     MultiStepLR([60, 80], 0.1) by epoch                              (SGD lr 30, 100 epochs)
//   imagenet_coslr      LinearLR(0.01 → 1) on epochs [0, 5) converted to iterations,
//                       then CosineAnnealingLR(T_max 95) by epoch on [5, 100)            (Adam lr 1e-3, 100 epochs)
//                       — the config does not convert the cosine, so it steps once per epoch
//   multilabel_steplr   LinearLR(1e-7 → 1) on epoch [0, 1) converted to iterations, StepLR(6, 0.1) by epoch
//                                                                                        (VOC/COCO SGD lr 3, 50 epochs)
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

namespace htp::nn {

inline constexpr int64_t kScheduleForever = 1'000'000'000;  // mmengine's INF end

struct ScheduleWindow {
  int64_t begin = 0;
  int64_t end = kScheduleForever;
  bool by_epoch = true;
};

class Scheduler {
 public:
  explicit Scheduler(ScheduleWindow window);
  virtual ~Scheduler() = default;
  const ScheduleWindow& window() const { return window_; }
  virtual double factor(int64_t t) const = 0;  // at local step t >= 0
  virtual std::shared_ptr<Scheduler> to_iterations(int64_t iters_per_epoch) const = 0;

 protected:
  ScheduleWindow window_in_iterations(int64_t iters_per_epoch) const;

 private:
  ScheduleWindow window_;
};

class StepLR : public Scheduler {
 public:
  StepLR(int64_t step_size, double gamma = 0.1, ScheduleWindow window = {});
  double factor(int64_t t) const override;
  std::shared_ptr<Scheduler> to_iterations(int64_t iters_per_epoch) const override;

 private:
  int64_t step_size_;
  double gamma_;
};

class MultiStepLR : public Scheduler {
 public:
  MultiStepLR(std::vector<int64_t> milestones, double gamma = 0.1, ScheduleWindow window = {});
  double factor(int64_t t) const override;
  std::shared_ptr<Scheduler> to_iterations(int64_t iters_per_epoch) const override;

 private:
  std::vector<int64_t> milestones_;
  double gamma_;
};

class LinearLR : public Scheduler {
 public:
  LinearLR(double start_factor, double end_factor, ScheduleWindow window);  // window.end must be finite
  double factor(int64_t t) const override;
  std::shared_ptr<Scheduler> to_iterations(int64_t iters_per_epoch) const override;

 private:
  double start_, end_;
};

class CosineAnnealingLR : public Scheduler {
 public:
  CosineAnnealingLR(int64_t t_max, ScheduleWindow window = {});
  double factor(int64_t t) const override;
  std::shared_ptr<Scheduler> to_iterations(int64_t iters_per_epoch) const override;

 private:
  int64_t t_max_;
};

class LrSchedule {
 public:
  explicit LrSchedule(int64_t iters_per_epoch);
  LrSchedule& add(std::shared_ptr<Scheduler> scheduler);
  double factor(int64_t iteration) const;  // product over the schedulers
  int64_t iters_per_epoch() const { return iters_per_epoch_; }

 private:
  int64_t iters_per_epoch_;
  std::vector<std::shared_ptr<Scheduler>> schedulers_;
};

LrSchedule imagenet_steplr(int64_t iters_per_epoch);
LrSchedule imagenet_coslr(int64_t iters_per_epoch);
LrSchedule multilabel_steplr(int64_t iters_per_epoch);

}  // namespace htp::nn
