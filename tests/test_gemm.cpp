// CPU GEMM (kernels/cpu/gemm.h) against a long-double reference: every transpose pair, alpha/beta blends, write-only
// C under beta == 0, odd and empty sizes, padded leading dimensions, every ISA path this CPU has, several k-blocks and
// packing rounds, bitwise determinism across thread counts, and argument errors.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/parallel.h"

using namespace htp::kernels::cpu;

namespace {

template <typename T>
using gemm_fn = std::function<void(bool, bool, int64_t, int64_t, int64_t, T, const T*, int64_t, const T*, int64_t, T,
                                   T*, int64_t)>;

std::vector<Isa> available_isas() {
  std::vector<Isa> out;
  for (Isa isa : {Isa::portable, Isa::avx2, Isa::avx512})
    if (static_cast<int>(isa) <= static_cast<int>(best_isa())) out.push_back(isa);
  return out;
}

gemm_fn<float> sgemm_on(Isa isa) {
  return [isa](bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
               const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
    sgemm_isa(isa, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  };
}
gemm_fn<double> dgemm_on(Isa isa) {
  return [isa](bool ta, bool tb, int64_t M, int64_t N, int64_t K, double alpha, const double* A, int64_t lda,
               const double* B, int64_t ldb, double beta, double* C, int64_t ldc) {
    dgemm_isa(isa, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  };
}

// Values in [-1, 1) from a 64-bit LCG: cheap, and the same on every platform.
template <typename T>
std::vector<T> random_values(size_t n, uint64_t seed) {
  std::vector<T> v(n);
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (T& x : v) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    x = static_cast<T>(static_cast<double>(s >> 11) * 0x1p-52 - 1.0);
  }
  return v;
}

struct gemm_case {
  bool ta = false, tb = false;
  int64_t M = 0, N = 0, K = 0;
  double alpha = 1, beta = 0;
  int64_t pad = 0;     // extra elements per row in lda, ldb, ldc
  int64_t stride = 1;  // check every stride-th row and column (plus the last ones) against the reference
};

std::string describe(const gemm_case& c) {
  return std::string("ta=") + (c.ta ? "1" : "0") + " tb=" + (c.tb ? "1" : "0") + " M=" + std::to_string(c.M) +
         " N=" + std::to_string(c.N) + " K=" + std::to_string(c.K) + " alpha=" + std::to_string(c.alpha) +
         " beta=" + std::to_string(c.beta) + " pad=" + std::to_string(c.pad);
}

// Runs one product and checks C element-wise against the reference within
//   |got - ref| <= eps * (2 sqrt(K) + 4) * (|alpha| sum_k |a_ik b_kj| + |beta c_ij|),
// a rounding budget a dropped, doubled or misplaced term exceeds by orders of magnitude. beta == 0 starts C as NaN
// (it must not leak); the columns between N and ldc hold a sentinel that must survive.
template <typename T>
void check_gemm(const gemm_fn<T>& gemm, const gemm_case& c, uint64_t seed = 1) {
  INFO(describe(c));
  const int64_t a_rows = c.ta ? c.K : c.M, a_cols = c.ta ? c.M : c.K;
  const int64_t b_rows = c.tb ? c.N : c.K, b_cols = c.tb ? c.K : c.N;
  const int64_t lda = a_cols + c.pad, ldb = b_cols + c.pad, ldc = c.N + c.pad;
  const std::vector<T> A = random_values<T>(static_cast<size_t>(a_rows * lda), seed);
  const std::vector<T> B = random_values<T>(static_cast<size_t>(b_rows * ldb), seed + 1);
  std::vector<T> C0 = random_values<T>(static_cast<size_t>(c.M * ldc), seed + 2);
  constexpr T sentinel = T(12345);
  for (int64_t i = 0; i < c.M; ++i)
    for (int64_t j = 0; j < ldc; ++j)
      if (j >= c.N) C0[i * ldc + j] = sentinel;
      else if (c.beta == 0) C0[i * ldc + j] = std::numeric_limits<T>::quiet_NaN();
  std::vector<T> C = C0;

  gemm(c.ta, c.tb, c.M, c.N, c.K, T(c.alpha), A.data(), lda, B.data(), ldb, T(c.beta), C.data(), ldc);

  auto op_a = [&](int64_t i, int64_t k) { return c.ta ? A[k * lda + i] : A[i * lda + k]; };
  auto op_b = [&](int64_t k, int64_t j) { return c.tb ? B[j * ldb + k] : B[k * ldb + j]; };
  const long double eps = std::numeric_limits<T>::epsilon();
  const long double budget = eps * (2 * std::sqrt(static_cast<long double>(c.K)) + 4);
  int64_t bad = 0;
  std::string first_bad;
  auto sampled = [&](int64_t x, int64_t n) { return x % c.stride == 0 || x == n - 1; };
  for (int64_t i = 0; i < c.M; ++i) {
    if (!sampled(i, c.M)) continue;
    for (int64_t j = 0; j < ldc; ++j) {
      const T got = C[i * ldc + j];
      bool ok;
      long double ref = 0;
      if (j >= c.N) {
        ok = got == sentinel;
      } else {
        if (!sampled(j, c.N)) continue;
        long double sum = 0, mag = 0;
        for (int64_t k = 0; k < c.K; ++k) {
          const long double p = static_cast<long double>(op_a(i, k)) * op_b(k, j);
          sum += p;
          mag += std::fabs(p);
        }
        const long double c_old = c.beta == 0 ? 0 : c.beta * static_cast<long double>(C0[i * ldc + j]);
        ref = c.alpha * sum + c_old;
        const long double tol = budget * (std::fabs(c.alpha) * mag + std::fabs(c_old)) +
                                std::numeric_limits<T>::denorm_min();
        ok = std::isfinite(got) && std::fabs(static_cast<long double>(got) - ref) <= tol;
      }
      if (!ok && bad++ == 0)
        first_bad = "C[" + std::to_string(i) + "][" + std::to_string(j) + "] = " + std::to_string(got) +
                    ", expected " + std::to_string(static_cast<double>(ref));
    }
  }
  INFO(first_bad);
  CHECK(bad == 0);
}

template <typename T>
void check_transposes_and_blends(const gemm_fn<T>& gemm, int64_t M, int64_t N, int64_t K, int64_t stride = 1) {
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (double alpha : {1.0, 0.0, -0.75})
        for (double beta : {0.0, 1.0, 0.5}) check_gemm(gemm, {ta, tb, M, N, K, alpha, beta, 3, stride});
}

// Sizes around the tile edges of every path (mr 4/6/14, nr 8/16/32) and past one k-block (kc <= 384).
template <typename T>
void check_odd_sizes(const gemm_fn<T>& gemm) {
  const int64_t mn[] = {1, 7, 15, 33, 65, 127};
  const int64_t ks[] = {1, 7, 33, 127, 400};
  int variant = 0;
  for (int64_t M : mn)
    for (int64_t N : mn)
      for (int64_t K : ks) {
        const bool ta = variant & 1, tb = variant & 2;
        const double beta = variant % 3 == 0 ? 0.0 : 1.0;
        check_gemm(gemm, {ta, tb, M, N, K, 1.0, beta, variant % 5 == 0 ? 0 : 2});
        ++variant;
      }
}

}  // namespace

TEST_SUITE("kernels") {
  TEST_CASE("sgemm: transposes and alpha/beta blends, every ISA path") {
    for (Isa isa : available_isas()) {
      INFO("isa: " << isa_name(isa));
      check_transposes_and_blends(sgemm_on(isa), 33, 65, 127);
      check_transposes_and_blends(sgemm_on(isa), 300, 301, 300, 7);
    }
  }

  TEST_CASE("sgemm: odd sizes, K = 1, padded leading dimensions, every ISA path") {
    for (Isa isa : available_isas()) {
      INFO("isa: " << isa_name(isa));
      check_odd_sizes(sgemm_on(isa));
    }
  }

  TEST_CASE("sgemm: both parallel splits, several k-blocks and packing rounds") {
    for (Isa isa : available_isas()) {
      INFO("isa: " << isa_name(isa));
      const auto gemm = sgemm_on(isa);
      check_gemm(gemm, {false, false, 700, 90, 1000, 1.0, 0.5, 1, 3});    // tall: rows split, B shared
      check_gemm(gemm, {true, true, 60, 2000, 300, 1.0, 1.0, 2, 3});      // short and wide: columns split
      check_gemm(gemm, {false, true, 400, 1200, 2500, 1.0, 0.0, 0, 37});  // > 8 MiB of packed B: k-block rounds
    }
    // > 8 MiB of packed B even for one k-block: rounds over the columns (best path only, it is a big product).
    check_gemm<float>(sgemm, {true, false, 337, 5500, 384, -2.0, 0.5, 5, 41});
  }

  TEST_CASE("sgemm: empty sizes and alpha = 0") {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const std::vector<float> ones(12, 1.0f);
    std::vector<float> C(12, 7.0f);
    sgemm(false, false, 0, 3, 4, 1.0f, nullptr, 4, ones.data(), 3, 0.0f, nullptr, 3);  // M = 0: nothing to touch
    sgemm(false, false, 3, 0, 4, 1.0f, ones.data(), 4, nullptr, 0, 0.0f, nullptr, 0);  // N = 0
    sgemm(false, false, 3, 4, 0, 1.0f, nullptr, 0, nullptr, 4, 0.5f, C.data(), 4);  // K = 0: C = beta C
    for (float x : C) CHECK(x == 3.5f);
    C.assign(12, nan);
    sgemm(true, true, 3, 4, 0, 1.0f, nullptr, 3, nullptr, 0, 0.0f, C.data(), 4);  // K = 0, beta = 0: zeros, no NaN
    for (float x : C) CHECK(x == 0.0f);
    // alpha = 0: A and B are not read (NaN there must not leak), C = beta C.
    const std::vector<float> A(6, nan), B(8, nan);
    C.assign(12, 2.0f);
    sgemm(false, false, 3, 4, 2, 0.0f, A.data(), 2, B.data(), 4, 0.25f, C.data(), 4);
    for (float x : C) CHECK(x == 0.5f);
    for (Isa isa : available_isas()) {
      INFO("isa: " << isa_name(isa));
      check_gemm(sgemm_on(isa), {false, true, 5, 9, 0, 1.0, 0.5, 1});
      check_gemm(sgemm_on(isa), {true, false, 1, 1, 1, 1.0, 0.0, 0});
    }
  }

  TEST_CASE("dgemm: transposes, blends, odd sizes, every ISA path") {
    for (Isa isa : available_isas()) {
      INFO("isa: " << isa_name(isa));
      check_transposes_and_blends(dgemm_on(isa), 29, 47, 150);
      check_odd_sizes(dgemm_on(isa));
      check_gemm(dgemm_on(isa), {true, false, 400, 70, 700, 0.5, 1.0, 1, 3});
    }
    check_gemm<double>(dgemm, {false, false, 31, 17, 9, 1.0, 0.0, 0});
  }

  TEST_CASE("sgemm and dgemm are bitwise deterministic across runs and thread counts") {
    struct restore_threads {
      int saved = num_threads();
      ~restore_threads() { set_num_threads(saved); }
    } restore;
    struct shape {
      int64_t M, N, K;
    };
    // With the AVX-512 blocking: rows split on any thread count; columns split on any; columns split on 1 and 3
    // threads but rows split on 2.
    for (shape s : {shape{700, 300, 500}, shape{60, 900, 500}, shape{100, 900, 500}}) {
      INFO("M=" << s.M << " N=" << s.N << " K=" << s.K);
      const auto A = random_values<float>(s.M * s.K, 3), B = random_values<float>(s.K * s.N, 4);
      const auto Ad = random_values<double>(s.M * s.K, 5), Bd = random_values<double>(s.K * s.N, 6);
      std::vector<std::vector<float>> results;
      std::vector<std::vector<double>> results_d;
      for (int threads : {1, 2, 2, 3}) {
        set_num_threads(threads);
        results.emplace_back(s.M * s.N);
        sgemm(false, false, s.M, s.N, s.K, 1.0f, A.data(), s.K, B.data(), s.N, 0.0f, results.back().data(), s.N);
        results_d.emplace_back(s.M * s.N);
        dgemm(false, false, s.M, s.N, s.K, 1.0, Ad.data(), s.K, Bd.data(), s.N, 0.0, results_d.back().data(), s.N);
      }
      for (size_t r = 1; r < results.size(); ++r) {
        CHECK(results[r] == results[0]);
        CHECK(results_d[r] == results_d[0]);
      }
    }
  }

  TEST_CASE("sgemm rejects bad arguments with a clear message") {
    std::vector<float> A(64), B(64), C(64);
    auto message = [](auto&& call) {
      try {
        call();
      } catch (const std::invalid_argument& e) {
        return std::string(e.what());
      }
      return std::string("no exception");
    };
    auto contains = [](const std::string& s, const char* part) { return s.find(part) != std::string::npos; };
    CHECK(contains(message([&] { sgemm(false, false, -1, 4, 4, 1, A.data(), 4, B.data(), 4, 0, C.data(), 4); }),
                   "M=-1"));
    CHECK(contains(message([&] { sgemm(false, false, 4, 4, 4, 1, A.data(), 3, B.data(), 4, 0, C.data(), 4); }),
                   "lda (3) must be >= 4"));
    CHECK(contains(message([&] { sgemm(true, false, 5, 4, 2, 1, A.data(), 4, B.data(), 4, 0, C.data(), 4); }),
                   "lda (4) must be >= 5"));
    CHECK(contains(message([&] { sgemm(false, true, 4, 4, 6, 1, A.data(), 6, B.data(), 4, 0, C.data(), 4); }),
                   "ldb (4) must be >= 6"));
    CHECK(contains(message([&] { sgemm(false, false, 4, 5, 4, 1, A.data(), 4, B.data(), 5, 0, C.data(), 4); }),
                   "ldc (4) must be >= 5"));
    CHECK(contains(message([&] { sgemm(false, false, 4, 4, 4, 1, nullptr, 4, B.data(), 4, 0, C.data(), 4); }),
                   "A is null"));
    CHECK(contains(message([&] { sgemm(false, false, 4, 4, 4, 1, A.data(), 4, nullptr, 4, 0, C.data(), 4); }),
                   "B is null"));
    CHECK(contains(message([&] { sgemm(false, false, 4, 4, 4, 1, A.data(), 4, B.data(), 4, 0, nullptr, 4); }),
                   "C is null"));
    CHECK_THROWS_AS(dgemm(false, false, 2, 2, -3, 1, nullptr, 0, nullptr, 2, 0, nullptr, 2), std::invalid_argument);
    if (best_isa() != Isa::avx512)
      CHECK_THROWS_AS(sgemm_isa(Isa::avx512, false, false, 1, 1, 1, 1, A.data(), 1, B.data(), 1, 0, C.data(), 1),
                      std::invalid_argument);
  }
}
