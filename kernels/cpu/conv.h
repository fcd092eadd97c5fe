// CPU conv2d (math and shapes: kernels/conv.h). Arguments are validated, contiguous, float32 or float64; outputs are
// preallocated and fully overwritten.
//
// Per (image n, group g), with K = C/groups * kh * kw, P = OH * OW, Og = O / groups:
//   forward          y_ng[Og, P]  = w_g[Og, K] · col(x_ng)[K, P] + bias          (col = im2col, kernels/cpu/im2col.h)
//   backward input   gx_ng        = col2im(w_g^T[K, Og] · gy_ng[Og, P])
//   backward weight  gw_g[Og, K]  = sum_n gy_ng[Og, P] · col(x_ng)^T[P, K]   (images summed in order)
// A 1x1 kernel with stride 1 and no padding reads x_ng [C/groups, H W] as its own col matrix (no im2col / col2im).
// Threads: over (image, group) units when there are enough of them (parallel_over_units), else inside GEMM and im2col.
#pragma once
#include "kernels/conv.h"

namespace htp::kernels::cpu {

void conv2d_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dParams& params,
                    const Tensor& out);
void conv2d_backward_input(const Tensor& grad_out, const Tensor& weight, const Conv2dParams& params,
                           const Tensor& grad_in);
void conv2d_backward_weight(const Tensor& grad_out, const Tensor& x, const Conv2dParams& params,
                            const Tensor& grad_weight);
void conv2d_backward_bias(const Tensor& grad_out, const Tensor& grad_bias);

}  // namespace htp::kernels::cpu
