// CPU pooling (math and shapes: kernels/pool.h). Arguments are validated, inputs contiguous, float32 or float64 (and
// int64 indices); outputs are preallocated and fully overwritten. Planes (n, c) are split over the thread pool.
#pragma once
#include "kernels/pool.h"

namespace htp::kernels::cpu {

void max_pool2d_forward(const Tensor& x, const MaxPool2dParams& params, const Tensor& values, const Tensor& indices);
void max_pool2d_backward(const Tensor& grad_out, const Tensor& indices, const Tensor& grad_in);

void avg_pool2d_forward(const Tensor& x, const AvgPool2dParams& params, const Tensor& out);
void avg_pool2d_backward(const Tensor& grad_out, const AvgPool2dParams& params, const Tensor& grad_in);

void adaptive_avg_pool2d_forward(const Tensor& x, const Tensor& out);
void adaptive_avg_pool2d_backward(const Tensor& grad_out, const Tensor& grad_in);

}  // namespace htp::kernels::cpu
