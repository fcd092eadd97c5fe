// Explanation mode of B-cos networks (xai-methods.md A.7; B-cos-v2 bcos/modules/common.py, DetachableModule).
//
// A Detachable module has a `detach` flag. When it is on, the module stops the gradient through its dynamic,
// input-dependent factors (the B-cos scale |ŵ·x|/‖x‖ and the norm, a normalisation's variance), so that the whole
// network becomes the dynamic-linear map y = W(x)·x and ∂y/∂x = W(x). Forward values do not change.
//
//   set_explanation_mode(model, true);            // every Detachable module in the tree
//   { ExplanationModeGuard on(model); ... }        // scoped: restores each module's previous flag
#pragma once
#include <utility>
#include <vector>

#include "nn/module.h"

namespace htp::nn {

class Detachable {
 public:
  virtual ~Detachable() = default;
  void set_explanation_mode(bool on) { detach_ = on; }
  bool explanation_mode() const { return detach_; }

 protected:
  bool detach_ = false;
};

// Sets the flag on `root` and every module below it that is Detachable; returns how many modules it set.
int set_explanation_mode(Module& root, bool on);

// Turns explanation mode on (or off) for the tree of `root` and restores every module's own flag on exit.
class ExplanationModeGuard {
 public:
  explicit ExplanationModeGuard(Module& root, bool on = true);
  ~ExplanationModeGuard();
  ExplanationModeGuard(const ExplanationModeGuard&) = delete;
  ExplanationModeGuard& operator=(const ExplanationModeGuard&) = delete;

 private:
  std::vector<std::pair<Detachable*, bool>> previous_;
};

}  // namespace htp::nn
