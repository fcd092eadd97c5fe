// Distributions over the Philox stream; the word-to-element mapping is specified in tensor/random.h. Each function
// fills a float64 or int64 host tensor from the stream, then converts it to the requested dtype and device with the
// ordinary copy (Tensor::to / copy_). Uniform and normal floating tensors on a device whose backend generates random
// numbers itself (DeviceBackend::fill_uniform / fill_normal: the CUDA backend) are filled there instead, from the
// same stream, with no host loop and no transfer.
#include "tensor/random.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>
#include <vector>

#include "tensor/creation.h"
#include "tensor/device_backend.h"

namespace htp {
namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;
constexpr double k2Pow32 = 4294967296.0;

double u24(uint32_t a) { return static_cast<double>(a >> 8) * 0x1p-24; }
double u53(uint32_t a, uint32_t b) {
  return static_cast<double>(((static_cast<uint64_t>(a) << 32) | b) >> 11) * 0x1p-53;
}
uint64_t u64(uint32_t a, uint32_t b) { return (static_cast<uint64_t>(a) << 32) | b; }

// out[0 .. n) from consecutive Philox blocks, K values per block: make(words of block b, values of block b).
template <size_t K, class V, class F>
void fill_blocks(V* out, int64_t n, const PhiloxStream& s, F&& make) {
  std::array<V, K> v;
  const int64_t k = static_cast<int64_t>(K);
  for (int64_t base = 0; base < n; base += k) {
    make(s.block(static_cast<uint64_t>(base / k)), v);
    for (int64_t j = 0; j < k && base + j < n; ++j) out[base + j] = v[j];
  }
}

void check_floating(DType dtype, const char* op) {
  HTP_CHECK(is_floating(dtype), op, ": expected a floating dtype (float32, float64, float16 or bfloat16), got ",
            dtype_name(dtype));
}

// The rand uniforms of `dtype`, as a float64 host tensor.
Tensor uniform_f64(const Shape& shape, DType dtype, const PhiloxStream& s) {
  Tensor out = empty(shape, DType::f64);
  double* p = out.data<double>();
  const int64_t n = out.numel();
  switch (dtype) {
    case DType::f64:
      fill_blocks<2>(p, n, s, [](const PhiloxCounter& w, std::array<double, 2>& v) {
        v = {u53(w[0], w[1]), u53(w[2], w[3])};
      });
      break;
    case DType::f16:
      fill_blocks<4>(p, n, s, [](const PhiloxCounter& w, std::array<double, 4>& v) {
        for (int j = 0; j < 4; ++j) v[j] = static_cast<double>(w[j] >> 21) * 0x1p-11;
      });
      break;
    case DType::bf16:
      fill_blocks<4>(p, n, s, [](const PhiloxCounter& w, std::array<double, 4>& v) {
        for (int j = 0; j < 4; ++j) v[j] = static_cast<double>(w[j] >> 24) * 0x1p-8;
      });
      break;
    default:
      fill_blocks<4>(p, n, s, [](const PhiloxCounter& w, std::array<double, 4>& v) {
        for (int j = 0; j < 4; ++j) v[j] = u24(w[j]);
      });
  }
  return out;
}

void box_muller(double u1, double u2, double& z0, double& z1) {
  const double r = std::sqrt(-2.0 * std::log(1.0 - u1));
  z0 = r * std::cos(kTwoPi * u2);
  z1 = r * std::sin(kTwoPi * u2);
}

// Standard normals for `dtype` (float64 uniforms for float64, float32 ones otherwise), as a float64 host tensor.
Tensor normal_f64(const Shape& shape, DType dtype, const PhiloxStream& s) {
  Tensor out = empty(shape, DType::f64);
  double* p = out.data<double>();
  const int64_t n = out.numel();
  if (dtype == DType::f64) {
    fill_blocks<2>(p, n, s, [](const PhiloxCounter& w, std::array<double, 2>& v) {
      box_muller(u53(w[0], w[1]), u53(w[2], w[3]), v[0], v[1]);
    });
  } else {
    fill_blocks<4>(p, n, s, [](const PhiloxCounter& w, std::array<double, 4>& v) {
      box_muller(u24(w[0]), u24(w[1]), v[0], v[1]);
      box_muller(u24(w[2]), u24(w[3]), v[2], v[3]);
    });
  }
  return out;
}

// Fills `t` (any strides) on its device with fill(backend, contiguous destination) when t is not on the CPU and its
// backend generates there; false otherwise (nothing is written). Bumps t's version like copy_.
template <class Fill>
bool fill_on_device(const Tensor& t, Fill&& fill) {
  if (t.device().is_cpu()) return false;
  DeviceBackend& backend = device_backend(t.device().type);
  if (t.is_contiguous()) {
    if (!fill(backend, t)) return false;
    t.bump_version();
    return true;
  }
  const Tensor packed = empty(t.shape(), t.dtype(), t.device());
  if (!fill(backend, packed)) return false;
  Tensor(t).copy_(packed);
  return true;
}

bool uniform_on_device(const Tensor& t, const PhiloxStream& s, double lo, double hi) {
  return fill_on_device(t, [&](DeviceBackend& b, const Tensor& dst) { return b.fill_uniform(dst, s, lo, hi); });
}

bool normal_on_device(const Tensor& t, const PhiloxStream& s, double mean, double std) {
  return fill_on_device(t, [&](DeviceBackend& b, const Tensor& dst) { return b.fill_normal(dst, s, mean, std); });
}

// The 64-bit words x_i = (w[2i] << 32) | w[2i+1] of randint and permutation.
std::vector<uint64_t> words64(int64_t n, const PhiloxStream& s) {
  std::vector<uint64_t> x(static_cast<size_t>(n));
  fill_blocks<2>(x.data(), n, s, [](const PhiloxCounter& w, std::array<uint64_t, 2>& v) {
    v = {u64(w[0], w[1]), u64(w[2], w[3])};
  });
  return x;
}

// The integers [first, second] a dtype holds exactly, for randint's check.
std::pair<int64_t, int64_t> exact_int_range(DType dtype) {
  switch (dtype) {
    case DType::i64: return {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
    case DType::i32: return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    case DType::u8: return {0, 255};
    case DType::f32: return {-(int64_t(1) << 24), int64_t(1) << 24};
    case DType::f64: return {-(int64_t(1) << 53), int64_t(1) << 53};
    default:
      throw Error(
          detail::concat("randint: dtype must be int64, int32, uint8, float32 or float64, got ", dtype_name(dtype)));
  }
}

// 1 where word i < p_i · 2^32, for p_i = prob(i); a float64 host tensor.
template <class P>
Tensor bernoulli_f64(const Shape& shape, Generator* gen, P&& prob) {
  Tensor out = empty(shape, DType::f64);
  double* p = out.data<double>();
  fill_blocks<4>(p, out.numel(), generator_or_default(gen).next_stream(),
                 [](const PhiloxCounter& w, std::array<double, 4>& v) {
                   for (int j = 0; j < 4; ++j) v[j] = static_cast<double>(w[j]);
                 });
  for (int64_t i = 0; i < out.numel(); ++i) p[i] = p[i] < prob(i) * k2Pow32 ? 1.0 : 0.0;
  return out;
}

}  // namespace

Tensor rand(const Shape& shape, DType dtype, Device device, Generator* gen) {
  check_floating(dtype, "rand");
  const PhiloxStream s = generator_or_default(gen).next_stream();
  if (!device.is_cpu()) {
    Tensor out = empty(shape, dtype, device);
    if (uniform_on_device(out, s, 0.0, 1.0)) return out;  // 0 + 1 · u is u exactly
  }
  return uniform_f64(shape, dtype, s).to(dtype).to(device);
}

Tensor randn(const Shape& shape, DType dtype, Device device, Generator* gen) {
  check_floating(dtype, "randn");
  const PhiloxStream s = generator_or_default(gen).next_stream();
  if (!device.is_cpu()) {
    Tensor out = empty(shape, dtype, device);
    if (normal_on_device(out, s, 0.0, 1.0)) return out;
  }
  return normal_f64(shape, dtype, s).to(dtype).to(device);
}

Tensor randint(int64_t low, int64_t high, const Shape& shape, DType dtype, Device device, Generator* gen) {
  HTP_CHECK(low < high, "randint: low (", low, ") must be less than high (", high, ")");
  const auto [dmin, dmax] = exact_int_range(dtype);
  HTP_CHECK(low >= dmin && high - 1 <= dmax, "randint: the range [", low, ", ", high, ") does not fit ",
            dtype_name(dtype), " (", dmin, " to ", dmax, ")");
  Tensor out = empty(shape, DType::i64);
  const std::vector<uint64_t> x = words64(out.numel(), generator_or_default(gen).next_stream());
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  int64_t* p = out.data<int64_t>();
  for (size_t i = 0; i < x.size(); ++i) {
    const uint64_t r = static_cast<uint64_t>((static_cast<unsigned __int128>(x[i]) * range) >> 64);
    p[i] = static_cast<int64_t>(static_cast<uint64_t>(low) + r);
  }
  return out.to(dtype).to(device);
}

Tensor bernoulli(const Tensor& p, Generator* gen) {
  HTP_CHECK(p.defined() && is_floating(p.dtype()), "bernoulli: expected a floating tensor of probabilities, got ",
            p.describe());
  const std::vector<double> probs = p.to_vector();
  for (size_t i = 0; i < probs.size(); ++i)
    HTP_CHECK(probs[i] >= 0.0 && probs[i] <= 1.0, "bernoulli: probability ", probs[i], " at element ", i,
              " of ", p.describe(), " is outside [0, 1]");
  return bernoulli_f64(p.shape(), gen, [&](int64_t i) { return probs[i]; }).to(p.dtype()).to(p.device());
}

Tensor bernoulli(const Shape& shape, double p, DType dtype, Device device, Generator* gen) {
  HTP_CHECK(p >= 0.0 && p <= 1.0, "bernoulli: probability ", p, " is outside [0, 1]");
  return bernoulli_f64(shape, gen, [&](int64_t) { return p; }).to(dtype).to(device);
}

Tensor permutation(int64_t n, Device device, Generator* gen) {
  HTP_CHECK(n >= 0, "permutation: n must be non-negative, got ", n);
  const std::vector<uint64_t> key = words64(n, generator_or_default(gen).next_stream());
  Tensor out = empty({n}, DType::i64);
  int64_t* p = out.data<int64_t>();
  std::iota(p, p + n, int64_t{0});
  std::sort(p, p + n, [&](int64_t a, int64_t b) { return key[a] != key[b] ? key[a] < key[b] : a < b; });
  return out.to(device);
}

Tensor uniform_(Tensor t, double lo, double hi, Generator* gen) {
  HTP_CHECK(t.defined(), "uniform_: undefined tensor");
  check_floating(t.dtype(), "uniform_");
  HTP_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo <= hi, "uniform_: expected finite lo <= hi, got [", lo, ", ",
            hi, ")");
  const PhiloxStream s = generator_or_default(gen).next_stream();
  if (uniform_on_device(t, s, lo, hi)) return t;
  Tensor u = uniform_f64(t.shape(), t.dtype(), s);
  double* p = u.data<double>();
  for (int64_t i = 0; i < u.numel(); ++i) p[i] = lo + (hi - lo) * p[i];
  t.copy_(u);
  return t;
}

Tensor normal_(Tensor t, double mean, double std, Generator* gen) {
  HTP_CHECK(t.defined(), "normal_: undefined tensor");
  check_floating(t.dtype(), "normal_");
  HTP_CHECK(std::isfinite(mean) && std::isfinite(std) && std >= 0.0,
            "normal_: expected a finite mean and std >= 0, got mean ", mean, " and std ", std);
  const PhiloxStream s = generator_or_default(gen).next_stream();
  if (normal_on_device(t, s, mean, std)) return t;
  Tensor z = normal_f64(t.shape(), t.dtype(), s);
  double* p = z.data<double>();
  for (int64_t i = 0; i < z.numel(); ++i) p[i] = mean + std * p[i];
  t.copy_(z);
  return t;
}

}  // namespace htp
