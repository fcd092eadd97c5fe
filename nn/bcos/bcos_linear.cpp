#include "nn/bcos/bcos_linear.h"

#include "autograd/ops.h"
#include "nn/bcos/bcos_transform.h"

namespace htp::nn {

BcosLinear::BcosLinear(int64_t in_features, int64_t out_features, double b, int64_t max_out)
    : in_features(in_features), out_features(out_features), b(b), max_out(max_out) {
  HTP_CHECK(max_out >= 1, "BcosLinear: max_out must be >= 1, got ", max_out);
  HTP_CHECK(b >= 1.0, "BcosLinear: b must be >= 1, got ", b);
  linear = register_module("linear", std::make_shared<NormedLinear>(in_features, out_features * max_out));
}

Variable BcosLinear::forward(const Variable& x) {
  HTP_CHECK(x.dim() >= 1 && x.size(-1) == in_features, "BcosLinear '", path(), "': expected input [..., ", in_features,
            "], got ", x.describe());
  const Variable o = nn::max_out(linear->operator()(x), -1, max_out);
  if (b == 1.0) return o;
  return bcos_scale(o, add(norm(x, 2.0, {-1}, true), 1e-12), b, detach_);
}

}  // namespace htp::nn
