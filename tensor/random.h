// Random tensors from the counter-based Philox stream (tensor/philox.h). Every function takes one stream from the
// generator (`gen`, or default_generator() when null) and reads its 32-bit words w[0], w[1], … as follows, element i
// being the i-th element in row-major order:
//
//   u24(a)      = (a >> 8) * 2^-24                                  24-bit uniform in [0, 1)
//   u53(a, b)   = (((a << 32) | b) >> 11) * 2^-53                    53-bit uniform in [0, 1), a the high word
//   rand        float32:  u24(w[i])    float64: u53(w[2i], w[2i+1])
//               float16:  (w[i] >> 21) * 2^-11    bfloat16: (w[i] >> 24) * 2^-8   (exact in the type, so never 1)
//   randn       Box–Muller on pairs: elements 2k and 2k+1 are r·cos θ and r·sin θ with r = sqrt(-2 ln(1 - u1)),
//               θ = 2π u2, where (u1, u2) are the rand uniforms of elements 2k and 2k+1 with the float32 mapping
//               (float32, float16, bfloat16; words 2k, 2k+1) or the float64 one (words 4k..4k+3). Computed in double
//               and rounded to the dtype (float16/bfloat16 by way of float32, as Tensor::to does). The uniform bits
//               are exact on every backend; cos/sin/log may differ by an ulp between CPU and CUDA math libraries.
//   randint     x = (w[2i] << 32) | w[2i+1];  low + floor(x · (high - low) / 2^64)   (multiply-shift, Lemire 2019:
//               no rejection, so counter-friendly; the bias is at most (high - low) / 2^64)
//   bernoulli   1 when w[i] < p_i · 2^32, else 0
//   permutation keys x_i as in randint; the result lists 0..n-1 sorted by (x_i, i) — a uniform permutation
//   uniform_    lo + (hi - lo) · u with u the rand uniform of the tensor's dtype, computed in double; rounding to
//               the dtype can give hi itself when hi - lo is not a power of two
//   normal_     mean + std · z with z as in randn
//
// Values are generated on the CPU (plain loops) and then moved with Tensor::to(device), except rand, randn, uniform_
// and normal_ on a CUDA device, which generate there (kernels/cuda/random.cu) with the same mapping: a CUDA tensor
// holds the same numbers as a CPU one from the same seed and offset (normals to within an ulp of CUDA's log, sqrt,
// cos and sin against the host's).
#pragma once
#include <cstdint>

#include "tensor/philox.h"
#include "tensor/tensor.h"

namespace htp {

// Uniform on [0, 1). dtype: float32, float64, float16 or bfloat16.
Tensor rand(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu(), Generator* gen = nullptr);
// Standard normal. dtype: float32, float64, float16 or bfloat16.
Tensor randn(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu(), Generator* gen = nullptr);
// Integers uniform on [low, high). dtype: int64, int32, uint8, float32 or float64; [low, high) must fit it.
Tensor randint(int64_t low, int64_t high, const Shape& shape, DType dtype = DType::i64, Device device = Device::cpu(),
               Generator* gen = nullptr);
// 1 with probability p[i], else 0; p is a floating tensor with values in [0, 1]; the result has p's shape, dtype and
// device.
Tensor bernoulli(const Tensor& p, Generator* gen = nullptr);
// 1 with probability p, else 0, in any dtype.
Tensor bernoulli(const Shape& shape, double p, DType dtype = DType::f32, Device device = Device::cpu(),
                 Generator* gen = nullptr);
// A random ordering of 0 … n-1 (int64).
Tensor permutation(int64_t n, Device device = Device::cpu(), Generator* gen = nullptr);

// In-place fills of a floating tensor (any strides, any device); return `t`, whose storage version is bumped.
Tensor uniform_(Tensor t, double lo = 0.0, double hi = 1.0, Generator* gen = nullptr);  // needs lo <= hi
Tensor normal_(Tensor t, double mean = 0.0, double std = 1.0, Generator* gen = nullptr);  // needs std >= 0

}  // namespace htp
