// The padded output is filled with the value, then the part of x that survives cropping is copied into place through
// views (Tensor::copy_ handles strides, dtypes and devices), so no device kernel of its own is needed.
#include "kernels/pad.h"

#include <algorithm>
#include <array>

#include "tensor/creation.h"

namespace htp::kernels {

Tensor pad_constant(const Tensor& x, const std::vector<int64_t>& pads, double value) {
  HTP_CHECK(x.defined(), "pad_constant: undefined input");
  HTP_CHECK(pads.size() % 2 == 0 && static_cast<int64_t>(pads.size()) <= 2 * x.dim(), "pad_constant: pads ",
            shape_str(pads), " must be (before, after) pairs for at most the ", x.dim(), " dims of input ",
            x.describe());
  Shape out_shape = x.shape();
  Tensor src = x, dst;  // src: the surviving part of x; dst (a view of the output) receives it
  bool any_positive = false, nothing_survives = false;
  std::vector<std::array<int64_t, 4>> narrows;  // dim, start in x, start in the output, length
  for (size_t k = 0; k < pads.size() / 2; ++k) {
    const int64_t d = x.dim() - 1 - static_cast<int64_t>(k), before = pads[2 * k], after = pads[2 * k + 1];
    out_shape[d] = x.size(d) + before + after;
    HTP_CHECK(out_shape[d] >= 0, "pad_constant: pads ", shape_str(pads), " give dim ", d, " of input ", x.describe(),
              " the negative size ", out_shape[d]);
    any_positive = any_positive || before > 0 || after > 0;
    const int64_t crop_before = std::max<int64_t>(0, -before), crop_after = std::max<int64_t>(0, -after);
    const int64_t length = x.size(d) - crop_before - crop_after;
    nothing_survives = nothing_survives || length <= 0;
    narrows.push_back({d, crop_before, std::max<int64_t>(0, before), length});
  }
  Tensor out = empty(out_shape, x.dtype(), x.device());
  if (any_positive || nothing_survives) out.fill_(value);
  if (nothing_survives) return out;
  dst = out;
  for (const auto& [d, src_start, dst_start, length] : narrows) {
    src = src.narrow(d, src_start, length);
    dst = dst.narrow(d, dst_start, length);
  }
  dst.copy_(src);
  return out;
}

}  // namespace htp::kernels
