#include "nn/bcos/bcos_conv.h"

#include "autograd/ops.h"
#include "nn/bcos/bcos_transform.h"
#include "tensor/creation.h"

namespace htp::nn {

BcosConv2d::BcosConv2d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, int64_t stride, int64_t padding,
                       int64_t dilation, int64_t groups, double b, int64_t max_out)
    : in_channels(in_channels), out_channels(out_channels), b(b), max_out(max_out) {
  HTP_CHECK(max_out >= 1, "BcosConv2d: max_out must be >= 1, got ", max_out);
  HTP_CHECK(b >= 1.0, "BcosConv2d: b must be >= 1, got ", b);
  HTP_CHECK(out_channels % groups == 0, "BcosConv2d: groups ", groups, " must divide out_channels ", out_channels);
  linear = register_module("linear", std::make_shared<NormedConv2d>(in_channels, out_channels * max_out, kernel_size,
                                                                    stride, padding, dilation, groups));
}

Variable BcosConv2d::forward(const Variable& x) {
  HTP_CHECK(x.dim() == 4 && x.size(1) == in_channels, "BcosConv2d '", path(), "': expected input [N, ", in_channels,
            ", H, W], got ", x.describe());
  const Variable o = nn::max_out(linear->operator()(x), 1, max_out);
  if (b == 1.0) return o;
  return bcos_scale(o, bcos_patch_norm(x, *linear, out_channels), b, detach_);
}

Variable bcos_patch_norm(const Variable& x, const NormedConv2d& conv, int64_t out_channels) {
  const kernels::Conv2dParams& p = conv.params;
  const int64_t k = conv.kernel_size, groups = p.groups;
  const Variable squares = square(x);
  Variable sums;  // [N, G, OH, OW]
  if (p.dilation[0] == 1 && p.dilation[1] == 1 && p.padding[0] <= k / 2 && p.padding[1] <= k / 2) {
    const Variable channel_sums =
        sum(reshape(squares, {x.size(0), groups, x.size(1) / groups, x.size(2), x.size(3)}), {2});
    kernels::AvgPool2dParams pool;
    pool.kernel = {k, k};
    pool.stride = p.stride;
    pool.padding = p.padding;
    pool.divisor_override = 1;
    sums = avg_pool2d(channel_sums, pool);
  } else {
    const Tensor ones_kernel = ones({groups, x.size(1) / groups, k, k}, x.dtype(), x.device());
    sums = conv2d(squares, Variable(ones_kernel), Variable(), p);
  }
  Variable n = sqrt(add(sums, 1e-6));
  if (groups == 1) return n;
  const int64_t N = n.size(0), OH = n.size(2), OW = n.size(3);
  return reshape(expand(unsqueeze(n, 2), {N, groups, out_channels / groups, OH, OW}), {N, out_channels, OH, OW});
}

}  // namespace htp::nn
