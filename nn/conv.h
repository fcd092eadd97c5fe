// Conv2d (torch.nn.Conv2d): 2-D cross-correlation of x [N, in_channels, H, W] -> y [N, out_channels, OH, OW], with
//   OH = (H + 2 padding_h - dilation_h (kernel_h - 1) - 1) / stride_h + 1   (likewise OW; math in kernels/conv.h).
// Parameters: weight [out_channels, in_channels / groups, kernel_h, kernel_w], bias [out_channels] (undefined when
// bias = false), initialised as PyTorch does (nn/init.h, default_linear_init).
//
//   Conv2d(3, 64, 7, 2, 3, 1, 1, false);            // square kernel 7, stride 2, padding 3, no bias
//   Conv2d(8, 8, {3, 1}, 1, {1, 0}, 1, /*groups=*/8); // 3x1 depthwise
#pragma once
#include <array>

#include "kernels/conv.h"
#include "nn/module.h"
#include "tensor/philox.h"

namespace htp::nn {

// A (height, width) pair that a single number also converts to, as PyTorch's int-or-tuple arguments.
struct Size2 {
  Size2(int64_t both) : h(both), w(both) {}  // NOLINT(google-explicit-constructor): 3 means {3, 3}
  Size2(int64_t height, int64_t width) : h(height), w(width) {}
  std::array<int64_t, 2> array() const { return {h, w}; }
  int64_t h, w;
};

class Conv2d : public Module {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size, Size2 stride = 1, Size2 padding = 0,
         Size2 dilation = 1, int64_t groups = 1, bool bias = true, Generator* gen = nullptr);
  std::string type_name() const override { return "Conv2d"; }
  Variable forward(const Variable& x) override;

  const int64_t in_channels, out_channels;
  const Size2 kernel_size;
  const kernels::Conv2dParams params;  // stride, padding, dilation, groups
  Variable weight, bias;
};

}  // namespace htp::nn
