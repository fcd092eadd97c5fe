#include "autograd/functions/resample.h"

#include "kernels/interpolate.h"
#include "kernels/pad.h"

namespace htp {

tensor_list InterpolateBilinearBackward::apply(tensor_list&& g) {
  return {kernels::interpolate_bilinear_backward(g[0], input_shape, align_corners)};
}

tensor_list PadBackward::apply(tensor_list&& g) {
  std::vector<int64_t> inverse(pads.size());
  for (size_t i = 0; i < pads.size(); ++i) inverse[i] = -pads[i];
  return {kernels::pad_constant(g[0], inverse, 0.0)};
}

Variable interpolate_bilinear(const Variable& x, std::array<int64_t, 2> size, bool align_corners) {
  return record<InterpolateBilinearBackward>({x}, kernels::interpolate_bilinear_forward(x.data(), size, align_corners),
                                             [&](InterpolateBilinearBackward& n) {
                                               n.input_shape = x.shape();
                                               n.output_size = size;
                                               n.align_corners = align_corners;
                                             });
}

Variable pad(const Variable& x, const std::vector<int64_t>& pads, double value) {
  return record<PadBackward>({x}, kernels::pad_constant(x.data(), pads, value), [&](PadBackward& n) { n.pads = pads; });
}

}  // namespace htp
