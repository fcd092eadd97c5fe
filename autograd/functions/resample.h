// Differentiable resampling and padding (forward math: kernels/interpolate.h, kernels/pad.h).
//   interpolate_bilinear  dx = the adjoint of the bilinear weights applied to dy
//   pad                   dx = pad(dy, -pads, 0): the padded border is dropped, cropped parts get zero gradient
#pragma once
#include <array>
#include <vector>

#include "autograd/node.h"

namespace htp {

Variable interpolate_bilinear(const Variable& x, std::array<int64_t, 2> size, bool align_corners = false);
Variable pad(const Variable& x, const std::vector<int64_t>& pads, double value = 0.0);

struct InterpolateBilinearBackward : Node {
  Shape input_shape;
  std::array<int64_t, 2> output_size{1, 1};
  bool align_corners = false;
  std::string name() const override { return "InterpolateBilinearBackward"; }
  tensor_list apply(tensor_list&& g) override;
};

struct PadBackward : Node {
  std::vector<int64_t> pads;  // F.pad order: last dim first
  std::string name() const override { return "PadBackward"; }
  tensor_list apply(tensor_list&& g) override;
};

}  // namespace htp
