#include "nn/bcos/encoding.h"

#include "autograd/ops.h"

namespace htp::nn {

Variable add_inverse(const Variable& x) {
  HTP_CHECK(x.dim() == 3 || x.dim() == 4, "add_inverse: expected an image [C, H, W] or batch [N, C, H, W], got ",
            x.describe());
  return cat({x, 1.0 - x}, -3);
}

Variable AddInverse::forward(const Variable& x) { return add_inverse(x); }

}  // namespace htp::nn
