#include "nn/normalization.h"

#include "autograd/functions/norm.h"
#include "tensor/creation.h"

namespace htp::nn {

BatchNorm::BatchNorm(int64_t c, double eps_, double momentum_, bool affine_, bool track)
    : num_features(c), eps(eps_), momentum(momentum_), affine(affine_), track_running_stats(track) {
  HTP_CHECK(c > 0 && eps_ >= 0, "BatchNorm: needs num_features > 0 and eps >= 0, got ", c, " and ", eps_);
  if (affine) {
    weight = register_parameter("weight", ones({c}));
    bias = register_parameter("bias", zeros({c}));
  }
  if (track) {
    running_mean = register_buffer("running_mean", zeros({c}));
    running_var = register_buffer("running_var", ones({c}));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, DType::i64));
  }
}

Variable BatchNorm::forward(const Variable& x) {
  HTP_CHECK(accepts_rank(x.dim()) && x.size(1) == num_features, type_name(), " '", path(), "' (", num_features,
            " channels): expected an input of shape ", expected_shape(), " with C = ", num_features, ", got ",
            x.describe());
  const bool batch_stats = is_training() || !track_running_stats;
  if (batch_stats) {
    const int64_t per_channel = x.numel() / num_features;
    HTP_CHECK(per_channel > 1, type_name(), " '", path(),
              "': batch statistics need more than 1 value per channel, got ", x.describe());
  }
  if (is_training() && track_running_stats) {
    Tensor& count = num_batches_tracked.mutable_data();
    count.fill_(static_cast<double>(count.to(Device::cpu()).item<int64_t>() + 1));
  }
  return batch_norm(x, weight, bias, track_running_stats ? running_mean.data() : Tensor(),
                    track_running_stats ? running_var.data() : Tensor(), batch_stats, momentum, eps);
}

LayerNorm::LayerNorm(Shape shape, double eps_, bool elementwise_affine, bool with_bias)
    : normalized_shape(std::move(shape)), eps(eps_) {
  HTP_CHECK(!normalized_shape.empty() && shape_numel(normalized_shape) > 0, "LayerNorm: normalized_shape ",
            shape_str(normalized_shape), " must be non-empty with no zero sizes");
  if (elementwise_affine) {
    weight = register_parameter("weight", ones(normalized_shape));
    if (with_bias) bias = register_parameter("bias", zeros(normalized_shape));
  }
}

Variable LayerNorm::forward(const Variable& x) {
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  const bool fits = x.dim() >= k && Shape(x.shape().end() - k, x.shape().end()) == normalized_shape;
  HTP_CHECK(fits, "LayerNorm '", path(), "': expected an input of shape [..., ", shape_str(normalized_shape).substr(1),
            ", got ", x.describe());
  return layer_norm(x, normalized_shape, weight, bias, eps);
}

}  // namespace htp::nn
