// Constant padding: PyTorch's F.pad(x, pads, mode="constant", value=value), any dtype and device.
//
// pads lists (before, after) pairs from the last dim backwards: {left, right, top, bottom, front, back, ...}, at most
// 2 * x.dim() values; a negative pad crops. Per padded dim d: out.size(d) = x.size(d) + before + after (>= 0) and
//   out[..., i, ...] = x[..., i - before, ...] where that index is inside x, else value.
// Backward: pad_constant(grad_out, -pads, 0), which crops what was padded and zero-fills what was cropped.
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace htp::kernels {

Tensor pad_constant(const Tensor& x, const std::vector<int64_t>& pads, double value = 0.0);

}  // namespace htp::kernels
