// B-cos linear transform, v2 (xai-methods.md A.1; paper.md §2.2; B-cos-v2 bcos/modules/bcoslinear.py).
//
//   l = x · ŵᵀ                           ŵ: unit-norm rows (the child `linear`, a NormedLinear with
//                                        out_features · max_out rows, so the parameter is `linear.weight`)
//   o = max over consecutive groups of max_out features of l                     [..., O]
//   B = 1: out = o
//   n = ‖x‖₂ over the last dim + 1e-12   (1e-12 after the root)                  [..., 1]
//   B = 2: out = o · |o| / n;   else out = o · (|o / n| + 1e-6)^(B−1)
// No bias ever. Explanation mode (Detachable): |o| and n are detached (bcos_transform.h).
#pragma once
#include <memory>

#include "nn/bcos/explanation_mode.h"
#include "nn/bcos/normed.h"

namespace htp::nn {

class BcosLinear : public Module, public Detachable {
 public:
  BcosLinear(int64_t in_features, int64_t out_features, double b = 2.0, int64_t max_out = 1);
  std::string type_name() const override { return "BcosLinear"; }
  Variable forward(const Variable& x) override;

  const int64_t in_features, out_features;
  const double b;
  const int64_t max_out;
  std::shared_ptr<NormedLinear> linear;
};

}  // namespace htp::nn
