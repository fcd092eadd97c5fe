// Random fills generated on the device from the Philox stream, with tensor/random.h's word-to-element mappings; the
// CUDA backend's DeviceBackend::fill_uniform / fill_normal (tensor/device_backend.h) call these.
#pragma once
#include "tensor/philox.h"
#include "tensor/tensor.h"

namespace htp::kernels::cuda {

// dst: a contiguous float32, float64, float16 or bfloat16 tensor on a CUDA device; s: the random call's stream.
// Element i is lo + (hi - lo) * u_i (uniform) or mean + std * z_i (normal), computed in double and rounded to dst's
// dtype, exactly as tensor/random.cpp computes it on the host.
void fill_uniform(const Tensor& dst, const PhiloxStream& s, double lo, double hi);
void fill_normal(const Tensor& dst, const PhiloxStream& s, double mean, double std);

}  // namespace htp::kernels::cuda
