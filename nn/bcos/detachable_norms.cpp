#include "nn/bcos/detachable_norms.h"

#include "autograd/ops.h"
#include "tensor/creation.h"

namespace htp::nn {

namespace {

// (x − mean) / sqrt(var + eps) over `dims`, the variance detached when `detach`.
Variable normalize(const Variable& x, const std::vector<int64_t>& dims, double eps, bool detach) {
  const Variable centred = sub(x, mean(x, dims, true));
  Variable v = var(detach ? x.detach() : x, dims, /*unbiased=*/false, /*keepdim=*/true);
  return div(centred, sqrt(add(v, eps)));
}

}  // namespace

DetachableLayerNorm::DetachableLayerNorm(Shape normalized_shape, double eps, bool with_bias)
    : normalized_shape(std::move(normalized_shape)), eps(eps) {
  HTP_CHECK(!this->normalized_shape.empty() && shape_numel(this->normalized_shape) >= 1,
            "DetachableLayerNorm: invalid normalized_shape ", shape_str(this->normalized_shape));
  weight = register_parameter("weight", ones(this->normalized_shape));
  if (with_bias) bias = register_parameter("bias", zeros(this->normalized_shape));
}

Variable DetachableLayerNorm::forward(const Variable& x) {
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  HTP_CHECK(x.dim() >= k && Shape(x.shape().end() - k, x.shape().end()) == normalized_shape, "DetachableLayerNorm '",
            path(), "': the last dims of ", x.describe(), " must be ", shape_str(normalized_shape));
  if (!detach_) return layer_norm(x, normalized_shape, weight, bias, eps);
  std::vector<int64_t> dims;
  for (int64_t d = x.dim() - k; d < x.dim(); ++d) dims.push_back(d);
  Variable y = mul(normalize(x, dims, eps, true), weight);
  return bias.defined() ? add(y, bias) : y;
}

DetachableGroupNorm2d::DetachableGroupNorm2d(int64_t num_groups, int64_t num_channels, double eps, bool with_bias)
    : num_groups(num_groups), num_channels(num_channels), eps(eps) {
  HTP_CHECK(num_groups >= 1 && num_channels >= 1 && num_channels % num_groups == 0,
            "DetachableGroupNorm2d: ", num_groups, " groups must divide ", num_channels, " channels");
  weight = register_parameter("weight", ones({num_channels}));
  if (with_bias) bias = register_parameter("bias", zeros({num_channels}));
}

Variable DetachableGroupNorm2d::forward(const Variable& x) {
  HTP_CHECK(x.dim() == 4 && x.size(1) == num_channels, "DetachableGroupNorm2d '", path(), "': expected input [N, ",
            num_channels, ", H, W], got ", x.describe());
  const Variable grouped = reshape(x, {x.size(0), num_groups, num_channels / num_groups, x.size(2), x.size(3)});
  Variable y =
      mul(reshape(normalize(grouped, {2, 3, 4}, eps, detach_), x.shape()), reshape(weight, {1, num_channels, 1, 1}));
  return bias.defined() ? add(y, reshape(bias, {1, num_channels, 1, 1})) : y;
}

}  // namespace htp::nn
