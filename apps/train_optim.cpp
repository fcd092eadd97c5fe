#include "apps/train_optim.h"

#include <algorithm>
#include <cmath>

#include "nn/optim/adam.h"
#include "nn/optim/sgd.h"
#include "tensor/error.h"

namespace htp::app {
namespace {

int64_t scaled(double fraction, int64_t epochs) { return static_cast<int64_t>(std::lround(fraction * epochs)); }

}  // namespace

void check_schedule(const ScheduleSpec& spec, int64_t epochs) {
  const std::string& n = spec.name;
  HTP_CHECK(n == "constant" || n == "cosine" || n == "multistep" || n == "coslr" || n == "multilabel-steplr",
            "--schedule must be constant, cosine, multistep, coslr or multilabel-steplr, got '", n, "'");
  HTP_CHECK(epochs >= 1, "--epochs must be >= 1, got ", epochs);
  HTP_CHECK(n != "cosine" || (spec.warmup_epochs >= 0 && spec.warmup_epochs < epochs),
            "--warmup-epochs must be in [0, --epochs), got ", spec.warmup_epochs);
}

Json OptimSpec::to_json() const {
  Json j = {{"name", name}, {"lr", lr}};
  if (name == "sgd") j["momentum"] = momentum;
  j["weight_decay"] = weight_decay;
  return j;
}

Json ScheduleSpec::to_json() const {
  Json j = {{"name", name}};
  if (name == "cosine") j["warmup_epochs"] = warmup_epochs;
  return j;
}

std::unique_ptr<nn::Optimizer> make_optimizer(const OptimSpec& spec, const nn::NamedParameters& params) {
  HTP_CHECK(spec.lr > 0, "--lr must be > 0, got ", spec.lr);
  std::vector<nn::ParamGroup> groups = {nn::ParamGroup{params}};
  if (spec.name == "sgd")
    return std::make_unique<nn::SGD>(
        std::move(groups), nn::SGDOptions{.lr = spec.lr, .momentum = spec.momentum, .weight_decay = spec.weight_decay});
  const nn::AdamOptions adam{.lr = spec.lr, .weight_decay = spec.weight_decay};
  if (spec.name == "adam") return std::make_unique<nn::Adam>(std::move(groups), adam);
  if (spec.name == "adamw") return std::make_unique<nn::AdamW>(std::move(groups), adam);
  throw Error("--optimizer must be sgd, adam or adamw, got '" + spec.name + "'");
}

nn::LrSchedule make_schedule(const ScheduleSpec& spec, int64_t epochs, int64_t iters_per_epoch) {
  check_schedule(spec, epochs);
  const int64_t ipe = iters_per_epoch, total = epochs * ipe;
  nn::LrSchedule s(ipe);
  if (spec.name == "cosine") {
    const int64_t w = spec.warmup_epochs * ipe;
    if (w > 0) s.add(std::make_shared<nn::LinearLR>(0.01, 1.0, nn::ScheduleWindow{0, w, false}));
    s.add(std::make_shared<nn::CosineAnnealingLR>(total - w, nn::ScheduleWindow{w, total, false}));
  } else if (spec.name == "multistep") {
    s.add(std::make_shared<nn::MultiStepLR>(std::vector<int64_t>{scaled(0.6, epochs), scaled(0.8, epochs)}, 0.1));
  } else if (spec.name == "coslr") {
    const int64_t w = std::max<int64_t>(1, scaled(0.05, epochs));
    s.add(nn::LinearLR(0.01, 1.0, {.begin = 0, .end = w}).to_iterations(ipe));
    if (epochs > w) s.add(std::make_shared<nn::CosineAnnealingLR>(epochs - w, nn::ScheduleWindow{w, epochs, true}));
  } else if (spec.name == "multilabel-steplr") {
    s.add(nn::LinearLR(1e-7, 1.0, {.begin = 0, .end = 1}).to_iterations(ipe));
    s.add(std::make_shared<nn::StepLR>(std::max<int64_t>(1, scaled(0.12, epochs)), 0.1));
  }
  return s;
}

}  // namespace htp::app
