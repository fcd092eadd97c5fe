// CUDA twins of kernels/cpu/pool.h: same names, signatures and semantics (math and shapes in kernels/pool.h),
// contiguous float32 / float64 inputs (int64 indices) and preallocated outputs on one CUDA device.
#pragma once
#include "kernels/pool.h"

namespace htp::kernels::cuda {

void max_pool2d_forward(const Tensor& x, const MaxPool2dParams& params, const Tensor& values, const Tensor& indices);
void max_pool2d_backward(const Tensor& grad_out, const Tensor& indices, const Tensor& grad_in);

void avg_pool2d_forward(const Tensor& x, const AvgPool2dParams& params, const Tensor& out);
void avg_pool2d_backward(const Tensor& grad_out, const AvgPool2dParams& params, const Tensor& grad_in);

void adaptive_avg_pool2d_forward(const Tensor& x, const Tensor& out);
void adaptive_avg_pool2d_backward(const Tensor& grad_out, const Tensor& grad_in);

}  // namespace htp::kernels::cuda
