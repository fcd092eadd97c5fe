// Philox random fills on the device: the CPU's stream (tensor/philox.h) and distributions (tensor/random.h,
// tensor/random.cpp), one thread per Philox block, writing that block's elements.
//
// philox() below is a device copy of tensor/philox.cpp's philox4x32_10 (the Random123 reference: the same
// multipliers, Weyl constants, round function and counter layout { b lo, b hi, offset lo, offset hi }, key
// { seed lo, seed hi }); philox.h keeps the host one (std::array, a mutex in the Generator), so the device needs its
// own. Uniform words map to values with the CPU's shifts and powers of two, which are exact, and lo + (hi - lo) * u
// is computed in double with exact:: operations (no fused multiply-add) and rounded to the dtype like the CPU's copy:
// uniforms are bitwise equal to the CPU's. Normals use the CPU's Box–Muller in double with CUDA's log, sqrt, cos and
// sin, which are within 1-2 ulp of glibc's but not always equal to them: normals can differ from the CPU's in the
// last bit of a double (after rounding, rarely of a float). A zero normal (u1 == 0 exactly) is +0 here; the CPU's
// randn keeps the sign of r · cos θ.
#include "kernels/cuda/random.h"

#include <type_traits>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/device_types.cuh"
#include "kernels/cuda/exact_ops.cuh"
#include "kernels/cuda/runtime.h"

namespace htp::kernels::cuda {
namespace {

constexpr uint32_t kMul0 = 0xD2511F53u;   // PHILOX_M4x32_0
constexpr uint32_t kMul1 = 0xCD9E8D57u;   // PHILOX_M4x32_1
constexpr uint32_t kWeyl0 = 0x9E3779B9u;  // PHILOX_W32_0
constexpr uint32_t kWeyl1 = 0xBB67AE85u;  // PHILOX_W32_1
constexpr double kTwoPi = 6.283185307179586476925286766559;

struct Words {
  uint32_t w[4];
};

// Block b of the stream (offset, key): tensor/philox.cpp's PhiloxStream::block.
__device__ __forceinline__ Words philox(uint64_t b, uint64_t offset, uint32_t k0, uint32_t k1) {
  uint32_t c0 = static_cast<uint32_t>(b), c1 = static_cast<uint32_t>(b >> 32);
  uint32_t c2 = static_cast<uint32_t>(offset), c3 = static_cast<uint32_t>(offset >> 32);
#pragma unroll
  for (int r = 0; r < 10; ++r) {
    if (r > 0) {
      k0 += kWeyl0;
      k1 += kWeyl1;
    }
    const uint32_t hi0 = __umulhi(kMul0, c0), lo0 = kMul0 * c0;
    const uint32_t hi1 = __umulhi(kMul1, c2), lo1 = kMul1 * c2;
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  return {{c0, c1, c2, c3}};
}

__device__ __forceinline__ double u24(uint32_t a) { return static_cast<double>(a >> 8) * 0x1p-24; }
__device__ __forceinline__ double u53(uint32_t a, uint32_t b) {
  return static_cast<double>(((static_cast<uint64_t>(a) << 32) | b) >> 11) * 0x1p-53;
}

__device__ __forceinline__ void box_muller(double u1, double u2, double& z0, double& z1) {
  const double r = ::sqrt(-2.0 * ::log(1.0 - u1));
  z0 = r * ::cos(kTwoPi * u2);
  z1 = r * ::sin(kTwoPi * u2);
}

// The values of one Philox block for device type T, before the affine map: 2 for double, else 4.
template <class T>
inline constexpr int kPerBlock = std::is_same_v<T, double> ? 2 : 4;

template <class T>
__device__ __forceinline__ void uniform_values(const Words& w, double (&v)[kPerBlock<T>]) {
  if constexpr (std::is_same_v<T, double>) {
    v[0] = u53(w.w[0], w.w[1]);
    v[1] = u53(w.w[2], w.w[3]);
  } else {
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      if constexpr (std::is_same_v<T, __half>)
        v[j] = static_cast<double>(w.w[j] >> 21) * 0x1p-11;
      else if constexpr (std::is_same_v<T, __nv_bfloat16>)
        v[j] = static_cast<double>(w.w[j] >> 24) * 0x1p-8;
      else
        v[j] = u24(w.w[j]);
    }
  }
}

template <class T>
__device__ __forceinline__ void normal_values(const Words& w, double (&v)[kPerBlock<T>]) {
  if constexpr (std::is_same_v<T, double>) {
    box_muller(u53(w.w[0], w.w[1]), u53(w.w[2], w.w[3]), v[0], v[1]);
  } else {
    box_muller(u24(w.w[0]), u24(w.w[1]), v[0], v[1]);
    box_muller(u24(w.w[2]), u24(w.w[3]), v[2], v[3]);
  }
}

// out[i] = T(shift + scale * value_i): lo + (hi - lo) * u with shift = lo, scale = hi - lo, or mean + std * z.
template <class T, bool Normal>
__global__ void __launch_bounds__(kThreads) fill_kernel(T* out, int64_t n, uint64_t offset, uint32_t k0, uint32_t k1,
                                                        double shift, double scale) {
  constexpr int K = kPerBlock<T>;
  const int64_t blocks = (n + K - 1) / K;
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t b = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; b < blocks; b += step) {
    const Words w = philox(static_cast<uint64_t>(b), offset, k0, k1);
    double v[K];
    if constexpr (Normal)
      normal_values<T>(w, v);
    else
      uniform_values<T>(w, v);
#pragma unroll
    for (int j = 0; j < K; ++j)
      if (b * K + j < n) out[b * K + j] = convert<T>(exact::add(shift, exact::mul(scale, v[j])));
  }
}

template <bool Normal>
void fill(const Tensor& dst, const PhiloxStream& s, double shift, double scale, const char* op) {
  const int64_t n = dst.numel();
  HTP_CHECK(is_floating(dst.dtype()) && dst.is_contiguous() && dst.device().is_cuda(), op,
            ": expected a contiguous floating tensor on a CUDA device, got ", dst.describe());
  if (n == 0) return;
  const int device = dst.device().index;
  DeviceGuard guard(device);
  dispatch_device_type(dst.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T> || is_half_like_v<T>) {
      constexpr int K = kPerBlock<T>;
      fill_kernel<T, Normal><<<grid_size(device, (n + K - 1) / K), kThreads, 0, stream(device)>>>(
          static_cast<T*>(dst.raw_data()), n, s.offset, s.key[0], s.key[1], shift, scale);
      check_launch(op);
    }
  });
}

}  // namespace

void fill_uniform(const Tensor& dst, const PhiloxStream& s, double lo, double hi) {
  fill<false>(dst, s, lo, hi - lo, "uniform_");
}

void fill_normal(const Tensor& dst, const PhiloxStream& s, double mean, double std) {
  fill<true>(dst, s, mean, std, "normal_");
}

}  // namespace htp::kernels::cuda
