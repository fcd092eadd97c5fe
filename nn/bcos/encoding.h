// The B-cos input encoding [x, 1 − x] (xai-methods.md §0.1; paper.md §2.2; B-cos-v2 bcos/data/transforms.py,
// AddInverse): channel c and c + C form a pair.
//   add_inverse(x) = cat([x, 1 − x], dim = −3)      [N, C, H, W] -> [N, 2C, H, W]  ([C, H, W] -> [2C, H, W])
#pragma once
#include "nn/module.h"

namespace htp::nn {

Variable add_inverse(const Variable& x);

class AddInverse : public Module {
 public:
  std::string type_name() const override { return "AddInverse"; }
  Variable forward(const Variable& x) override;
};

}  // namespace htp::nn
