// Learning-rate schedulers (closed forms and semantics in nn/optim/schedule.h).
#include "nn/optim/schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "tensor/error.h"

namespace htp::nn {

Scheduler::Scheduler(ScheduleWindow window) : window_(window) {
  HTP_CHECK(window.begin >= 0 && window.end > window.begin, "lr scheduler: the window [begin, end) must satisfy ",
            "0 <= begin < end, got [", window.begin, ", ", window.end, ")");
}

ScheduleWindow Scheduler::window_in_iterations(int64_t iters_per_epoch) const {
  HTP_CHECK(window_.by_epoch, "lr scheduler: only an epoch-based scheduler converts to iterations");
  HTP_CHECK(iters_per_epoch > 0, "lr scheduler: iters_per_epoch must be > 0, got ", iters_per_epoch);
  return {window_.begin * iters_per_epoch,
          window_.end == kScheduleForever ? kScheduleForever : window_.end * iters_per_epoch, false};
}

StepLR::StepLR(int64_t step_size, double gamma, ScheduleWindow window)
    : Scheduler(window), step_size_(step_size), gamma_(gamma) {
  HTP_CHECK(step_size > 0, "StepLR: step_size must be > 0, got ", step_size);
}

double StepLR::factor(int64_t t) const { return std::pow(gamma_, static_cast<double>(t / step_size_)); }

std::shared_ptr<Scheduler> StepLR::to_iterations(int64_t iters_per_epoch) const {
  return std::make_shared<StepLR>(step_size_ * iters_per_epoch, gamma_, window_in_iterations(iters_per_epoch));
}

MultiStepLR::MultiStepLR(std::vector<int64_t> milestones, double gamma, ScheduleWindow window)
    : Scheduler(window), milestones_(std::move(milestones)), gamma_(gamma) {
  for (int64_t m : milestones_) HTP_CHECK(m >= 0, "MultiStepLR: milestones must be >= 0, got ", m);
}

double MultiStepLR::factor(int64_t t) const {
  const auto passed = std::count_if(milestones_.begin(), milestones_.end(), [t](int64_t m) { return m <= t; });
  return std::pow(gamma_, static_cast<double>(passed));
}

std::shared_ptr<Scheduler> MultiStepLR::to_iterations(int64_t iters_per_epoch) const {
  const ScheduleWindow window = window_in_iterations(iters_per_epoch);
  std::vector<int64_t> milestones = milestones_;
  for (int64_t& m : milestones) m *= iters_per_epoch;
  return std::make_shared<MultiStepLR>(std::move(milestones), gamma_, window);
}

LinearLR::LinearLR(double start_factor, double end_factor, ScheduleWindow window)
    : Scheduler(window), start_(start_factor), end_(end_factor) {
  HTP_CHECK(start_factor >= 0 && start_factor <= 1 && end_factor >= 0 && end_factor <= 1,
            "LinearLR: start and end factors must be in [0, 1], got ", start_factor, " and ", end_factor);
  HTP_CHECK(window.end != kScheduleForever, "LinearLR: the window needs a finite end");
}

double LinearLR::factor(int64_t t) const {
  const int64_t total = window().end - window().begin - 1;
  if (total == 0) return start_;
  return start_ + (end_ - start_) * static_cast<double>(std::min(t, total)) / static_cast<double>(total);
}

std::shared_ptr<Scheduler> LinearLR::to_iterations(int64_t iters_per_epoch) const {
  return std::make_shared<LinearLR>(start_, end_, window_in_iterations(iters_per_epoch));
}

CosineAnnealingLR::CosineAnnealingLR(int64_t t_max, ScheduleWindow window) : Scheduler(window), t_max_(t_max) {
  HTP_CHECK(t_max > 0, "CosineAnnealingLR: T_max must be > 0, got ", t_max);
}

double CosineAnnealingLR::factor(int64_t t) const {
  return 0.5 * (1.0 + std::cos(std::numbers::pi * static_cast<double>(t) / static_cast<double>(t_max_)));
}

std::shared_ptr<Scheduler> CosineAnnealingLR::to_iterations(int64_t iters_per_epoch) const {
  const ScheduleWindow window = window_in_iterations(iters_per_epoch);
  return std::make_shared<CosineAnnealingLR>(t_max_ * iters_per_epoch, window);
}

LrSchedule::LrSchedule(int64_t iters_per_epoch) : iters_per_epoch_(iters_per_epoch) {
  HTP_CHECK(iters_per_epoch > 0, "LrSchedule: iters_per_epoch must be > 0, got ", iters_per_epoch);
}

LrSchedule& LrSchedule::add(std::shared_ptr<Scheduler> scheduler) {
  HTP_CHECK(scheduler != nullptr, "LrSchedule: null scheduler");
  schedulers_.push_back(std::move(scheduler));
  return *this;
}

double LrSchedule::factor(int64_t iteration) const {
  HTP_CHECK(iteration >= 0, "LrSchedule: the iteration must be >= 0, got ", iteration);
  double f = 1.0;
  for (const auto& s : schedulers_) {
    const ScheduleWindow& w = s->window();
    const int64_t step = w.by_epoch ? iteration / iters_per_epoch_ : iteration;
    if (step >= w.begin) f *= s->factor(std::min(step, w.end - 1) - w.begin);
  }
  return f;
}

LrSchedule imagenet_steplr(int64_t iters_per_epoch) {
  return LrSchedule(iters_per_epoch).add(std::make_shared<MultiStepLR>(std::vector<int64_t>{60, 80}, 0.1));
}

LrSchedule imagenet_coslr(int64_t iters_per_epoch) {
  return LrSchedule(iters_per_epoch)
      .add(LinearLR(0.01, 1.0, {.begin = 0, .end = 5}).to_iterations(iters_per_epoch))
      .add(std::make_shared<CosineAnnealingLR>(95, ScheduleWindow{.begin = 5, .end = 100}));
}

LrSchedule multilabel_steplr(int64_t iters_per_epoch) {
  return LrSchedule(iters_per_epoch)
      .add(LinearLR(1e-7, 1.0, {.begin = 0, .end = 1}).to_iterations(iters_per_epoch))
      .add(std::make_shared<StepLR>(6, 0.1));
}

}  // namespace htp::nn
