#include "nn/bcos/explanation_mode.h"

namespace htp::nn {

namespace {

std::vector<Detachable*> detachables(Module& root) {
  std::vector<Detachable*> out;
  for (auto& [_, m] : root.named_modules())
    if (auto* d = dynamic_cast<Detachable*>(m)) out.push_back(d);
  return out;
}

}  // namespace

int set_explanation_mode(Module& root, bool on) {
  std::vector<Detachable*> modules = detachables(root);
  for (Detachable* d : modules) d->set_explanation_mode(on);
  return static_cast<int>(modules.size());
}

ExplanationModeGuard::ExplanationModeGuard(Module& root, bool on) {
  for (Detachable* d : detachables(root)) {
    previous_.emplace_back(d, d->explanation_mode());
    d->set_explanation_mode(on);
  }
}

ExplanationModeGuard::~ExplanationModeGuard() {
  for (auto& [d, was] : previous_) d->set_explanation_mode(was);
}

}  // namespace htp::nn
