// DType metadata and conversions: float16/bfloat16 against IEEE 754 round-to-nearest-even, checked exhaustively
// over all 65536 bit patterns (decoding against std::ldexp, rounding at every midpoint between neighbours), and
// Tensor::to between every pair of dtypes.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "tensor/creation.h"

using namespace htp;

namespace {

float bits_to_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// binary16 decoded from its definition: (-1)^s · 2^(e-15) · (1 + m/1024), subnormals m · 2^-24.
double half_reference(uint16_t b) {
  const int s = b >> 15, e = (b >> 10) & 31, m = b & 1023;
  double v;
  if (e == 31) v = m ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
  else if (e == 0) v = std::ldexp(m, -24);
  else v = std::ldexp(1024 + m, e - 25);
  return s ? -v : v;
}

uint16_t half_bits(float f) { return half(f).bits; }
uint16_t bf16_bits(float f) { return bfloat16(f).bits; }
float from_half(uint16_t b) {
  half h;
  h.bits = b;
  return static_cast<float>(h);
}
float from_bf16(uint16_t b) {
  bfloat16 h;
  h.bits = b;
  return static_cast<float>(h);
}

// For consecutive non-negative finite codes k, k+1 <= last (and their negatives): the midpoint rounds to the even
// code, and the floats just inside it to the nearer code.
template <class ToBits, class FromBits>
void check_round_to_nearest_even(uint16_t last, ToBits to_bits, FromBits from_bits) {
  const float inf = std::numeric_limits<float>::infinity();
  for (uint32_t k = 0; k < last; ++k) {
    const float lo = from_bits(static_cast<uint16_t>(k)), hi = from_bits(static_cast<uint16_t>(k + 1));
    const float mid = lo + (hi - lo) / 2;  // exact: one more bit than the 16-bit type
    const uint32_t even = k % 2 == 0 ? k : k + 1;
    for (uint32_t sign : {0u, 0x8000u}) {
      const float sg = sign ? -1.f : 1.f;
      REQUIRE(to_bits(sg * lo) == (k | sign));
      REQUIRE(to_bits(sg * mid) == (even | sign));
      REQUIRE(to_bits(sg * std::nextafter(mid, 0.f)) == (k | sign));
      REQUIRE(to_bits(sg * std::nextafter(mid, inf)) == ((k + 1) | sign));
    }
  }
}

}  // namespace

TEST_SUITE("tensor") {

TEST_CASE("dtype metadata and promotion") {
  CHECK(dtype_size(DType::f32) == 4);
  CHECK(dtype_size(DType::f64) == 8);
  CHECK(dtype_size(DType::i64) == 8);
  CHECK(dtype_size(DType::i32) == 4);
  CHECK(dtype_size(DType::u8) == 1);
  CHECK(dtype_size(DType::boolean) == 1);
  CHECK(dtype_size(DType::f16) == 2);
  CHECK(dtype_size(DType::bf16) == 2);
  CHECK(std::string(dtype_name(DType::bf16)) == "bfloat16");
  CHECK(std::string(dtype_name(DType::boolean)) == "bool");
  CHECK(is_floating(DType::f16));
  CHECK(!is_floating(DType::i64));
  CHECK(is_integral(DType::u8));
  CHECK(!is_integral(DType::boolean));
  CHECK(promote_types(DType::u8, DType::i32) == DType::i32);
  CHECK(promote_types(DType::i64, DType::f16) == DType::f16);
  CHECK(promote_types(DType::f16, DType::bf16) == DType::f32);
  CHECK(promote_types(DType::boolean, DType::u8) == DType::u8);
  CHECK(promote_types(DType::f64, DType::f32) == DType::f64);
  CHECK(promote_types(DType::bf16, DType::f32) == DType::f32);
  CHECK_THROWS_WITH(dispatch_floating(DType::i32, "exp", [](auto) { return 0; }),
                    "exp: expected a float32 or float64 tensor, got int32");
  CHECK_THROWS_WITH(dispatch_numeric(DType::f16, "sum", [](auto) { return 0; }),
                    doctest::Contains("sum: float16 tensors are storage-only"));
}

TEST_CASE("float16: decoding every bit pattern") {
  for (uint32_t b = 0; b < 65536; ++b) {
    const double ref = half_reference(static_cast<uint16_t>(b));
    const float got = from_half(static_cast<uint16_t>(b));
    if (std::isnan(ref)) REQUIRE(std::isnan(got));
    else REQUIRE(static_cast<double>(got) == ref);
    if (ref == 0) REQUIRE(std::signbit(got) == (b >> 15 == 1));
  }
}

TEST_CASE("float16: encoding rounds to nearest even, with subnormals, overflow, inf and nan") {
  check_round_to_nearest_even(0x7bff, half_bits, from_half);
  CHECK(half_bits(65504.f) == 0x7bff);
  CHECK(half_bits(65520.f) == 0x7c00);  // halfway between 65504 and 2^16 rounds to the even code: infinity
  CHECK(half_bits(std::nextafter(65520.f, 0.f)) == 0x7bff);
  CHECK(half_bits(1e10f) == 0x7c00);
  CHECK(half_bits(std::numeric_limits<float>::infinity()) == 0x7c00);
  CHECK(half_bits(-std::numeric_limits<float>::infinity()) == 0xfc00);
  CHECK(std::isnan(from_half(half_bits(std::numeric_limits<float>::quiet_NaN()))));
  CHECK(std::isnan(from_half(half_bits(-std::numeric_limits<float>::quiet_NaN()))));
  CHECK(half_bits(std::ldexp(1.f, -24)) == 0x0001);  // smallest subnormal
  CHECK(half_bits(std::ldexp(1.f, -25)) == 0x0000);  // half of it: a tie, to even (zero)
  CHECK(half_bits(std::ldexp(3.f, -26)) == 0x0001);  // three quarters of it: nearer the subnormal
  CHECK(half_bits(-1e-10f) == 0x8000);
  CHECK(half_bits(bits_to_float(0x00000001)) == 0);  // a float subnormal
  CHECK(half_bits(1.0f) == 0x3c00);
  CHECK(half_bits(-2.0f) == 0xc000);
}

TEST_CASE("bfloat16: every bit pattern round-trips; encoding rounds to nearest even") {
  for (uint32_t b = 0; b < 65536; ++b) {
    const float f = from_bf16(static_cast<uint16_t>(b));
    const uint32_t widened = b << 16;
    REQUIRE(std::memcmp(&f, &widened, 4) == 0);
    if (!std::isnan(f)) REQUIRE(bf16_bits(f) == b);
    else REQUIRE(std::isnan(from_bf16(bf16_bits(f))));
  }
  check_round_to_nearest_even(0x7f7f, bf16_bits, from_bf16);
  CHECK(bf16_bits(bits_to_float(0x7f7f7fff)) == 0x7f7f);  // just below the midpoint above the largest bfloat16
  CHECK(bf16_bits(bits_to_float(0x7f7f8000)) == 0x7f80);  // the midpoint: a tie, to the even code, infinity
  CHECK(bf16_bits(std::numeric_limits<float>::max()) == 0x7f80);
  CHECK(bf16_bits(-std::numeric_limits<float>::infinity()) == 0xff80);
  CHECK(std::isnan(from_bf16(bf16_bits(bits_to_float(0x7f800001)))));  // a signalling NaN stays a NaN
}

TEST_CASE("Tensor::to converts between every pair of dtypes") {
  const std::vector<DType> all = {DType::f32, DType::f64, DType::i64, DType::i32,
                                  DType::u8,  DType::boolean, DType::f16, DType::bf16};
  const std::vector<double> values = {0, 1, 3, 100, 255};  // exact in every dtype but bool
  for (DType from : all) {
    for (DType to : all) {
      CAPTURE(dtype_name(from));
      CAPTURE(dtype_name(to));
      const Tensor src = tensor(values, {5}).to(from);
      const Tensor dst = src.to(to);
      CHECK(dst.dtype() == to);
      CHECK(dst.shape() == Shape{5});
      std::vector<double> expected = values;
      if (from == DType::boolean || to == DType::boolean)
        for (double& v : expected) v = v != 0;
      CHECK(dst.to_vector() == expected);
      if (from == to) CHECK(dst.storage().is_same(src.storage()));
      else CHECK(!dst.storage().is_same(src.storage()));
    }
  }
  // Signed values, truncation toward zero, and non-finite values into floating types.
  const Tensor f = tensor(std::vector<double>{-2.75, 2.75, -0.5}, {3});
  CHECK(f.to(DType::i64).to_vector() == std::vector<double>{-2, 2, 0});
  CHECK(f.to(DType::i32).to_vector() == std::vector<double>{-2, 2, 0});
  CHECK(f.to(DType::boolean).to_vector() == std::vector<double>{1, 1, 1});
  CHECK(f.to(DType::f16).to_vector() == std::vector<double>{-2.75, 2.75, -0.5});
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> special =
      tensor(std::vector<double>{inf, -inf, NAN, 1e-300}, {4}).to(DType::f16).to_vector();
  CHECK(special[0] == inf);
  CHECK(special[1] == -inf);
  CHECK(std::isnan(special[2]));
  CHECK(special[3] == 0);
  CHECK(tensor(std::vector<double>{0.1}, {1}).to(DType::f32).to(DType::f64).item<double>() == double(0.1f));
  CHECK(tensor(std::vector<double>{1.0 + 1.0 / 256}, {1}).to(DType::bf16).item<double>() == 1.0);  // tie to even
  CHECK(tensor(std::vector<double>{1.0 + 3.0 / 256}, {1}).to(DType::bf16).item<double>() == 1.0 + 1.0 / 64);

  // A non-contiguous source converts in its logical order.
  const Tensor t = arange(0, 6, 1, DType::f32).view({2, 3}).t();
  const Tensor d = t.to(DType::f64);
  CHECK(d.is_contiguous());
  CHECK(d.to_vector() == std::vector<double>{0, 3, 1, 4, 2, 5});
}

}  // TEST_SUITE
