#include "nn/linear.h"

#include "autograd/functions/linear_algebra.h"
#include "nn/init.h"
#include "tensor/creation.h"

namespace htp::nn {

Linear::Linear(int64_t in, int64_t out, bool with_bias, Generator* gen) : in_features(in), out_features(out) {
  HTP_CHECK(in > 0 && out > 0, "Linear: in_features and out_features must be positive, got ", in, " and ", out);
  weight = register_parameter("weight", empty({out, in}));
  if (with_bias) bias = register_parameter("bias", empty({out}));
  init::default_linear_init(weight.data(), with_bias ? bias.data() : Tensor(), gen);
}

Variable Linear::forward(const Variable& x) {
  HTP_CHECK(x.dim() >= 1 && x.size(-1) == in_features, "Linear '", path(), "' (", in_features, " -> ", out_features,
            "): expected an input of shape [..., ", in_features, "], got ", x.describe());
  return linear(x, weight, bias);
}

}  // namespace htp::nn
