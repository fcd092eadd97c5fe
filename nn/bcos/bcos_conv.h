// B-cos convolution, v2 (xai-methods.md A.1, A.2; paper.md §2.2; B-cos-v2 bcos/modules/bcosconv2d.py).
//
//   l = conv2d(x, ŵ)                     ŵ: unit-norm filters (the child `linear`, a NormedConv2d with
//                                        out_channels · max_out filters, so the parameter is `linear.weight`)
//   o = max over consecutive groups of max_out channels of l                     [N, O, OH, OW]
//   B = 1: out = o
//   n[h,w] = sqrt( Σ_{patch, input channels of the group} x² + 1e-6 )    (1e-6 inside the root)
//   B = 2: out = o · |o| / n;   else out = o · (|o / n| + 1e-6)^(B−1)
// No bias ever. The patch norm is a sum-pool (avg-pool with divisor 1) of Σ_c x² with the convolution's kernel,
// stride and zero padding; with dilation (or padding > kernel/2, which pooling refuses) a convolution of x² with
// an all-ones kernel instead. Groups > 1: one norm per group, repeated for the O/G outputs of that group.
// Explanation mode (Detachable): |o| and n are detached (bcos_transform.h).
#pragma once
#include <memory>

#include "nn/bcos/explanation_mode.h"
#include "nn/bcos/normed.h"

namespace htp::nn {

class BcosConv2d : public Module, public Detachable {
 public:
  BcosConv2d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, int64_t stride = 1, int64_t padding = 0,
             int64_t dilation = 1, int64_t groups = 1, double b = 2.0, int64_t max_out = 1);
  std::string type_name() const override { return "BcosConv2d"; }
  Variable forward(const Variable& x) override;

  const int64_t in_channels, out_channels;
  const double b;
  const int64_t max_out;
  std::shared_ptr<NormedConv2d> linear;
};

// n = sqrt(Σ_patch x² + 1e-6) for the convolution `conv` with `out_channels` outputs: [N, 1, OH, OW] when groups is 1,
// else [N, out_channels, OH, OW].
Variable bcos_patch_norm(const Variable& x, const NormedConv2d& conv, int64_t out_channels);

}  // namespace htp::nn
