// The B-cos transform shared by BcosConv2d and BcosLinear (xai-methods.md A.1 steps 3–6, A.2; B-cos-v2
// bcos/modules/bcoslinear.py and bcosconv2d.py, forward).
//
//   max_out:     o_k = max_{m<M} l_{k·M+m} along `dim` (the M candidates of output k are consecutive)
//   bcos_scale:  B = 2:  out = o · |o| / n                      (no epsilon)
//                else:   out = o · (|o / n| + 1e-6)^(B − 1)
//                detach (explanation mode): the factor |o|/n resp. (|o/n| + 1e-6)^(B−1) is computed from
//                o.detach() and n.detach(), so out = s·o with s a constant and ∂out/∂x = s·∂o/∂x.
// n must broadcast to o (the patch norm [N, 1 or O, OH, OW] of a convolution, ‖x‖ [..., 1] of a linear map).
#pragma once
#include <cstdint>

#include "autograd/variable.h"

namespace htp::nn {

Variable max_out(const Variable& l, int64_t dim, int64_t m);
Variable bcos_scale(const Variable& o, const Variable& n, double b, bool detach);

}  // namespace htp::nn
