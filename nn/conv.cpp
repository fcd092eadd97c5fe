#include "nn/conv.h"

#include "autograd/functions/conv.h"
#include "nn/init.h"
#include "tensor/creation.h"

namespace htp::nn {

Conv2d::Conv2d(int64_t in, int64_t out, Size2 kernel, Size2 stride, Size2 padding, Size2 dilation, int64_t groups,
               bool with_bias, Generator* gen)
    : in_channels(in),
      out_channels(out),
      kernel_size(kernel),
      params{stride.array(), padding.array(), dilation.array(), groups} {
  HTP_CHECK(in > 0 && out > 0 && groups > 0 && in % groups == 0 && out % groups == 0, "Conv2d: in_channels (", in,
            ") and out_channels (", out, ") must be positive multiples of groups (", groups, ")");
  HTP_CHECK(kernel.h > 0 && kernel.w > 0 && stride.h > 0 && stride.w > 0 && padding.h >= 0 && padding.w >= 0 &&
                dilation.h > 0 && dilation.w > 0,
            "Conv2d: needs kernel, stride, dilation > 0 and padding >= 0, got kernel ", kernel.h, "x", kernel.w,
            ", stride ", stride.h, "x", stride.w, ", padding ", padding.h, "x", padding.w, ", dilation ", dilation.h,
            "x", dilation.w);
  weight = register_parameter("weight", empty({out, in / groups, kernel.h, kernel.w}));
  if (with_bias) bias = register_parameter("bias", empty({out}));
  init::default_linear_init(weight.data(), with_bias ? bias.data() : Tensor(), gen);
}

Variable Conv2d::forward(const Variable& x) {
  HTP_CHECK(x.dim() == 4 && x.size(1) == in_channels, "Conv2d '", path(), "' (", in_channels, " -> ", out_channels,
            "): expected an input of shape [N, ", in_channels, ", H, W], got ", x.describe());
  const int64_t span_h = params.dilation[0] * (kernel_size.h - 1) + 1,
                span_w = params.dilation[1] * (kernel_size.w - 1) + 1;
  HTP_CHECK(x.size(2) + 2 * params.padding[0] >= span_h && x.size(3) + 2 * params.padding[1] >= span_w, "Conv2d '",
            path(), "': the padded input (", x.size(2) + 2 * params.padding[0], "x", x.size(3) + 2 * params.padding[1],
            " of ", x.describe(), ") is smaller than the dilated kernel (", span_h, "x", span_w, ")");
  return conv2d(x, weight, bias, params);
}

}  // namespace htp::nn
