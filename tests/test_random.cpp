// Philox4x32-10 against the Random123 known-answer vectors (Random123 kat_vectors, "philox4x32 10" lines), the
// documented word-to-element mapping of tensor/random.h (recomputed here from philox4x32_10 directly), determinism,
// and the statistics of each distribution.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "tensor/creation.h"
#include "tensor/device_backend.h"
#include "tensor/random.h"

using namespace htp;

namespace {

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double var_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s / static_cast<double>(v.size() - 1);
}

bool same_values(const Tensor& a, const Tensor& b) { return a.to_vector() == b.to_vector(); }

// Word j of the stream (seed, offset), written out from the mapping in tensor/philox.h.
uint32_t stream_word(uint64_t seed, uint64_t offset, uint64_t j) {
  const uint64_t b = j / 4;
  const PhiloxCounter c = philox4x32_10({uint32_t(b), uint32_t(b >> 32), uint32_t(offset), uint32_t(offset >> 32)},
                                        {uint32_t(seed), uint32_t(seed >> 32)});
  return c[j % 4];
}

}  // namespace

TEST_SUITE("tensor") {

TEST_CASE("philox4x32_10 matches the Random123 known-answer vectors") {
  CHECK(philox4x32_10({0, 0, 0, 0}, {0, 0}) == PhiloxCounter{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
  CHECK(philox4x32_10({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}) ==
        PhiloxCounter{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
  CHECK(philox4x32_10({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}) ==
        PhiloxCounter{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
}

TEST_CASE("Generator: offsets, seeds and the default generator") {
  Generator g(0x0123456789abcdefULL);
  CHECK(g.seed() == 0x0123456789abcdefULL);
  CHECK(g.offset() == 0);
  const PhiloxStream s0 = g.next_stream();
  CHECK(s0.key == PhiloxKey{0x89abcdef, 0x01234567});
  CHECK(s0.offset == 0);
  CHECK(g.next_stream().offset == 1);
  CHECK(g.offset() == 2);
  rand({5}, DType::f32, Device::cpu(), &g);  // one call, one offset, whatever its size
  CHECK(g.offset() == 3);
  g.set_offset(1ULL << 40);
  CHECK(g.next_stream().offset == (1ULL << 40));
  g.manual_seed(9);
  CHECK(g.seed() == 9);
  CHECK(g.offset() == 0);

  manual_seed(1234);
  CHECK(default_generator().seed() == 1234);
  CHECK(default_generator().offset() == 0);
  rand({3});
  CHECK(default_generator().offset() == 1);
  Generator mine(5);
  rand({3}, DType::f32, Device::cpu(), &mine);  // an explicit generator leaves the default one alone
  CHECK(default_generator().offset() == 1);
  CHECK(&generator_or_default(nullptr) == &default_generator());
  CHECK(&generator_or_default(&mine) == &mine);
}

TEST_CASE("random tensors follow the documented word mapping") {
  const uint64_t seed = 0xfeedfacecafebeefULL;
  Generator g(seed);
  g.set_offset(7);
  const std::vector<double> f32 = rand({11}, DType::f32, Device::cpu(), &g).to_vector();
  for (uint64_t i = 0; i < 11; ++i) CHECK(f32[i] == double(stream_word(seed, 7, i) >> 8) * 0x1p-24);

  const std::vector<double> f64 = rand({5}, DType::f64, Device::cpu(), &g).to_vector();  // offset 8
  for (uint64_t i = 0; i < 5; ++i) {
    const uint64_t x = (uint64_t(stream_word(seed, 8, 2 * i)) << 32) | stream_word(seed, 8, 2 * i + 1);
    CHECK(f64[i] == double(x >> 11) * 0x1p-53);
  }

  const std::vector<double> f16 = rand({6}, DType::f16, Device::cpu(), &g).to_vector();  // offset 9
  for (uint64_t i = 0; i < 6; ++i) CHECK(f16[i] == double(stream_word(seed, 9, i) >> 21) * 0x1p-11);
  const std::vector<double> bf16 = rand({6}, DType::bf16, Device::cpu(), &g).to_vector();  // offset 10
  for (uint64_t i = 0; i < 6; ++i) CHECK(bf16[i] == double(stream_word(seed, 10, i) >> 24) * 0x1p-8);

  const std::vector<double> ri = randint(-5, 1000003, {7}, DType::i64, Device::cpu(), &g).to_vector();  // offset 11
  for (uint64_t i = 0; i < 7; ++i) {
    const uint64_t x = (uint64_t(stream_word(seed, 11, 2 * i)) << 32) | stream_word(seed, 11, 2 * i + 1);
    CHECK(ri[i] == double(-5 + int64_t((static_cast<unsigned __int128>(x) * 1000008u) >> 64)));
  }

  const std::vector<double> z = randn({3}, DType::f64, Device::cpu(), &g).to_vector();  // offset 12
  auto u53 = [&](uint64_t j) {
    const uint64_t x = (uint64_t(stream_word(seed, 12, j)) << 32) | stream_word(seed, 12, j + 1);
    return double(x >> 11) * 0x1p-53;
  };
  const double pi = std::acos(-1.0);
  for (uint64_t k = 0; k < 2; ++k) {
    const double r = std::sqrt(-2 * std::log(1 - u53(4 * k))), theta = 2 * pi * u53(4 * k + 2);
    CHECK(z[2 * k] == doctest::Approx(r * std::cos(theta)).epsilon(1e-14));
    if (2 * k + 1 < 3) CHECK(z[2 * k + 1] == doctest::Approx(r * std::sin(theta)).epsilon(1e-14));
  }

  const std::vector<double> b = bernoulli({9}, 0.5, DType::f32, Device::cpu(), &g).to_vector();  // offset 13
  for (uint64_t i = 0; i < 9; ++i) CHECK(b[i] == (stream_word(seed, 13, i) < 0x80000000u ? 1.0 : 0.0));
}

TEST_CASE("random tensors are deterministic in (seed, offset, element index)") {
  manual_seed(42);
  const Tensor a = rand({100});
  manual_seed(42);
  const Tensor b = rand({100});
  CHECK(same_values(a, b));
  manual_seed(43);
  CHECK(!same_values(a, rand({100})));
  manual_seed(42);
  rand({100});
  CHECK(!same_values(a, rand({100})));  // the next call uses the next offset

  // A small tensor is the prefix of a large one drawn at the same seed and offset, in every distribution.
  auto prefix_of = [](auto draw, int64_t small) {
    Generator g1(77), g2(77);
    g1.set_offset(3);
    g2.set_offset(3);
    const std::vector<double> s = draw({small}, &g1).to_vector(), l = draw({1000}, &g2).to_vector();
    return std::equal(s.begin(), s.end(), l.begin());
  };
  CHECK(prefix_of([](const Shape& sh, Generator* g) { return rand(sh, DType::f32, Device::cpu(), g); }, 10));
  CHECK(prefix_of([](const Shape& sh, Generator* g) { return rand(sh, DType::f64, Device::cpu(), g); }, 11));
  CHECK(prefix_of([](const Shape& sh, Generator* g) { return randn(sh, DType::f32, Device::cpu(), g); }, 9));
  CHECK(prefix_of([](const Shape& sh, Generator* g) { return randn(sh, DType::f64, Device::cpu(), g); }, 7));
  CHECK(prefix_of([](const Shape& sh, Generator* g) { return randint(0, 10, sh, DType::i32, Device::cpu(), g); }, 13));
  CHECK(prefix_of([](const Shape& sh, Generator* g) { return bernoulli(sh, 0.3, DType::u8, Device::cpu(), g); }, 10));

  // The shape does not matter, only the row-major element index.
  Generator g1(5), g2(5);
  CHECK(same_values(rand({3, 4}, DType::f32, Device::cpu(), &g1), rand({12}, DType::f32, Device::cpu(), &g2)));
}

TEST_CASE("rand and randn: ranges and statistics") {
  Generator g(2024);
  for (DType dt : {DType::f32, DType::f64, DType::f16, DType::bf16}) {
    CAPTURE(dtype_name(dt));
    const Tensor u = rand({100000}, dt, Device::cpu(), &g);
    CHECK(u.dtype() == dt);
    const std::vector<double> v = u.to_vector();
    CHECK(*std::min_element(v.begin(), v.end()) >= 0.0);
    CHECK(*std::max_element(v.begin(), v.end()) < 1.0);
    // Mean 1/2 and variance 1/12 (less the discretisation of bfloat16's 8 bits); the bounds are > 5 sigma.
    CHECK(mean_of(v) == doctest::Approx(dt == DType::bf16 ? 0.5 - 0x1p-9 : 0.5).epsilon(0.01));
    CHECK(var_of(v) == doctest::Approx(1.0 / 12).epsilon(0.02));

    const std::vector<double> z = randn({100000}, dt, Device::cpu(), &g).to_vector();
    CHECK(std::abs(mean_of(z)) < 0.016);
    CHECK(var_of(z) == doctest::Approx(1.0).epsilon(0.025));
    const double within_one = std::count_if(z.begin(), z.end(), [](double x) { return std::abs(x) < 1; }) / 1e5;
    CHECK(within_one == doctest::Approx(0.682689).epsilon(0.012));
  }
  CHECK(rand({2, 0, 3}).numel() == 0);
  CHECK(rand({}).dim() == 0);
  CHECK_THROWS_WITH(rand({2}, DType::i64), doctest::Contains("rand: expected a floating dtype"));
  CHECK_THROWS_WITH(randn({2}, DType::u8), doctest::Contains("randn: expected a floating dtype"));
}

TEST_CASE("random tensors on CUDA hold the CPU numbers, or fail clearly in a CPU-only build") {
  bool have_cuda = true;
  try {
    device_backend(DeviceType::CUDA);
  } catch (const Error&) {
    have_cuda = false;
  }
  if (!have_cuda) {
    CHECK_THROWS_WITH(rand({2}, DType::f32, Device::cuda()), doctest::Contains("not available"));
    return;
  }
  Generator g1(6), g2(6);
  CHECK(same_values(rand({1000}, DType::f32, Device::cuda(), &g1), rand({1000}, DType::f32, Device::cpu(), &g2)));
  CHECK(same_values(randint(0, 9, {99}, DType::i64, Device::cuda(), &g1),
                    randint(0, 9, {99}, DType::i64, Device::cpu(), &g2)));
  Tensor t = zeros({50}, DType::f64, Device::cuda());
  normal_(t, 0.0, 1.0, &g1);
  CHECK(same_values(t, randn({50}, DType::f64, Device::cpu(), &g2)));
}

TEST_CASE("randint: range, uniformity and dtype limits") {
  Generator g(11);
  const Tensor t = randint(-3, 4, {70000}, DType::i64, Device::cpu(), &g);
  CHECK(t.dtype() == DType::i64);
  std::vector<int> count(7, 0);
  for (double x : t.to_vector()) {
    REQUIRE(x >= -3);
    REQUIRE(x < 4);
    ++count[static_cast<int>(x) + 3];
  }
  double chi2 = 0;
  for (int c : count) chi2 += (c - 10000.0) * (c - 10000.0) / 10000.0;
  CHECK(chi2 < 30);  // 6 degrees of freedom: P(chi2 > 30) is about 4e-5

  const std::vector<double> bytes = randint(0, 256, {20000}, DType::u8, Device::cpu(), &g).to_vector();
  CHECK(std::set<double>(bytes.begin(), bytes.end()).size() == 256);
  const std::vector<double> big = randint(INT64_MIN, INT64_MAX, {1000}, DType::i64, Device::cpu(), &g).to_vector();
  CHECK(std::count_if(big.begin(), big.end(), [](double x) { return x < 0; }) > 400);
  CHECK(randint(5, 6, {10}, DType::f32, Device::cpu(), &g).to_vector() == std::vector<double>(10, 5.0));

  CHECK_THROWS_WITH(randint(3, 3, {2}), "randint: low (3) must be less than high (3)");
  CHECK_THROWS_WITH(randint(0, 257, {2}, DType::u8), doctest::Contains("does not fit uint8"));
  CHECK_THROWS_WITH(randint(-1, 5, {2}, DType::u8), doctest::Contains("does not fit uint8"));
  CHECK_THROWS_WITH(randint(0, 2, {2}, DType::boolean), doctest::Contains("randint: dtype must be"));
}

TEST_CASE("bernoulli: rates, per-element probabilities and errors") {
  Generator g(3);
  const Tensor b = bernoulli({100000}, 0.3, DType::f32, Device::cpu(), &g);
  const std::vector<double> v = b.to_vector();
  CHECK(std::all_of(v.begin(), v.end(), [](double x) { return x == 0.0 || x == 1.0; }));
  CHECK(mean_of(v) == doctest::Approx(0.3).epsilon(0.025));  // sigma = 0.0014
  CHECK(bernoulli({50}, 1.0, DType::boolean, Device::cpu(), &g).to_vector() == std::vector<double>(50, 1.0));
  CHECK(bernoulli({50}, 0.0, DType::i32, Device::cpu(), &g).to_vector() == std::vector<double>(50, 0.0));

  Tensor p = zeros({2, 500}, DType::f64);
  p.select(0, 1).fill_(1.0);
  const Tensor r = bernoulli(p, &g);
  CHECK(r.shape() == Shape{2, 500});
  CHECK(r.dtype() == DType::f64);
  CHECK(same_values(r, p));
  const Tensor half_p = full({20000}, 0.75, DType::f16);
  const Tensor rh = bernoulli(half_p, &g);
  CHECK(rh.dtype() == DType::f16);
  CHECK(mean_of(rh.to_vector()) == doctest::Approx(0.75).epsilon(0.02));

  CHECK_THROWS_WITH(bernoulli({3}, 1.5), "bernoulli: probability 1.5 is outside [0, 1]");
  CHECK_THROWS_WITH(bernoulli(tensor({0.5f, -0.25f})),
                    "bernoulli: probability -0.25 at element 1 of float32[2] on cpu is outside [0, 1]");
  CHECK_THROWS_WITH(bernoulli(zeros({2}, DType::i64)), doctest::Contains("expected a floating tensor"));
}

TEST_CASE("permutation is a deterministic random permutation") {
  Generator g(8);
  const std::vector<double> p = permutation(1000, Device::cpu(), &g).to_vector();
  std::vector<double> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 1000; ++i) REQUIRE(sorted[i] == i);
  int fixed = 0;
  for (int i = 0; i < 1000; ++i) fixed += p[i] == i;
  CHECK(fixed < 10);  // a uniform permutation has 1 fixed point on average
  CHECK(permutation(1000, Device::cpu(), &g).to_vector() != p);
  Generator h(8);
  CHECK(permutation(1000, Device::cpu(), &h).to_vector() == p);
  CHECK(permutation(0).numel() == 0);
  CHECK(permutation(1).to_vector() == std::vector<double>{0});
  CHECK(permutation(5).dtype() == DType::i64);

  // Every ordering of 3 elements turns up about equally often.
  std::vector<int> seen(6, 0);
  for (int k = 0; k < 6000; ++k) {
    const std::vector<double> q = permutation(3, Device::cpu(), &g).to_vector();
    const int code = int(q[0]) * 2 + (q[1] > q[2]);
    ++seen[code];
  }
  for (int c : seen) CHECK(std::abs(c - 1000) < 150);
  CHECK_THROWS_WITH(permutation(-1), "permutation: n must be non-negative, got -1");
}

TEST_CASE("uniform_ and normal_ fill in place") {
  Generator g(21);
  Tensor t = zeros({4, 50000});
  const uint64_t v0 = t.version();
  Tensor ret = uniform_(t, -2.0, 3.0, &g);
  CHECK(ret.storage().is_same(t.storage()));
  CHECK(t.version() == v0 + 1);
  std::vector<double> v = t.to_vector();
  CHECK(*std::min_element(v.begin(), v.end()) >= -2.0);
  CHECK(*std::max_element(v.begin(), v.end()) <= 3.0);
  CHECK(std::abs(mean_of(v) - 0.5) < 0.017);  // sigma = 5 / sqrt(12 * 200000) = 0.0032
  CHECK(var_of(v) == doctest::Approx(25.0 / 12).epsilon(0.02));

  normal_(t, 10.0, 0.5, &g);
  v = t.to_vector();
  CHECK(mean_of(v) == doctest::Approx(10.0).epsilon(0.001));
  CHECK(var_of(v) == doctest::Approx(0.25).epsilon(0.02));

  // Same numbers as rand on the same stream, mapped to [lo, hi).
  Generator g1(4), g2(4);
  const std::vector<double> u = rand({8}, DType::f64, Device::cpu(), &g1).to_vector();
  const std::vector<double> w = uniform_(empty({8}, DType::f64), 1.0, 5.0, &g2).to_vector();
  for (int i = 0; i < 8; ++i) CHECK(w[i] == 1.0 + 4.0 * u[i]);

  // A strided view: only its elements change, in its own row-major order.
  Tensor base = zeros({3, 4});
  Tensor col = base.select(1, 2);
  uniform_(col, 5.0, 6.0, &g);
  const std::vector<double> b = base.to_vector();
  for (int i = 0; i < 12; ++i) CHECK((i % 4 == 2 ? b[i] >= 5.0 : b[i] == 0.0));

  Tensor h = zeros({1000}, DType::bf16);
  normal_(h, 0.0, 1.0, &g);
  CHECK(std::abs(mean_of(h.to_vector())) < 0.2);

  CHECK_THROWS_WITH(uniform_(zeros({2}, DType::i32)), doctest::Contains("uniform_: expected a floating dtype"));
  CHECK_THROWS_WITH(uniform_(zeros({2}), 1.0, 0.0), "uniform_: expected finite lo <= hi, got [1, 0)");
  CHECK_THROWS_WITH(normal_(zeros({2}), 0.0, -1.0), doctest::Contains("std >= 0"));
  CHECK_THROWS_WITH(normal_(Tensor()), "normal_: undefined tensor");
}

}  // TEST_SUITE
