#include "nn/bcos/normed.h"

#include <cmath>

#include "autograd/ops.h"
#include "nn/init.h"
#include "tensor/creation.h"

namespace htp::nn {

namespace {

// PyTorch's Conv2d/Linear default: kaiming_uniform_(a = sqrt(5)), i.e. U(−1/sqrt(fan_in), 1/sqrt(fan_in)).
Tensor default_init(const Shape& shape) { return init::kaiming_uniform_(empty(shape), std::sqrt(5.0)); }

kernels::Conv2dParams conv_params(int64_t stride, int64_t padding, int64_t dilation, int64_t groups) {
  kernels::Conv2dParams p;
  p.stride = {stride, stride};
  p.padding = {padding, padding};
  p.dilation = {dilation, dilation};
  p.groups = groups;
  return p;
}

}  // namespace

NormedConv2d::NormedConv2d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, int64_t stride,
                           int64_t padding, int64_t dilation, int64_t groups)
    : in_channels(in_channels),
      out_channels(out_channels),
      kernel_size(kernel_size),
      params(conv_params(stride, padding, dilation, groups)) {
  HTP_CHECK(in_channels >= 1 && out_channels >= 1 && kernel_size >= 1 && groups >= 1 && in_channels % groups == 0 &&
                out_channels % groups == 0,
            "NormedConv2d: invalid geometry: in_channels ", in_channels, ", out_channels ", out_channels,
            ", kernel_size ", kernel_size, ", groups ", groups, " (groups must divide both channel counts)");
  weight = register_parameter("weight", default_init({out_channels, in_channels / groups, kernel_size, kernel_size}));
}

Variable NormedConv2d::normalized_weight() const { return div(weight, norm(weight, 2.0, {1, 2, 3}, true)); }

Variable NormedConv2d::forward(const Variable& x) {
  HTP_CHECK(x.dim() == 4 && x.size(1) == in_channels, "NormedConv2d '", path(), "': expected input [N, ", in_channels,
            ", H, W], got ", x.describe());
  return conv2d(x, normalized_weight(), Variable(), params);
}

NormedLinear::NormedLinear(int64_t in_features, int64_t out_features)
    : in_features(in_features), out_features(out_features) {
  HTP_CHECK(in_features >= 1 && out_features >= 1, "NormedLinear: invalid sizes in_features ", in_features,
            ", out_features ", out_features);
  weight = register_parameter("weight", default_init({out_features, in_features}));
}

Variable NormedLinear::normalized_weight() const { return div(weight, norm(weight, 2.0, {1}, true)); }

Variable NormedLinear::forward(const Variable& x) {
  HTP_CHECK(x.dim() >= 1 && x.size(-1) == in_features, "NormedLinear '", path(), "': expected input [..., ",
            in_features, "], got ", x.describe());
  return linear(x, normalized_weight());
}

}  // namespace htp::nn
