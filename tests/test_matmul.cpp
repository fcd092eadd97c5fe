// matmul / bmm / linear: forward against plain loops (1-D promotions, broadcast batches, transposed and strided views,
// K = 0, both dtypes, sizes that take the parallel paths), float64 gradchecks, and error messages.
#include <doctest/doctest.h>

#include <string>

#include "autograd/functions/linear_algebra.h"
#include "gradcheck.h"
#include "kernels/matmul.h"
#include "tensor/creation.h"
#include "tensor/random.h"
#include "test_util.h"

using namespace htp;
using testing::error_of;

namespace {

Tensor rnd(const Shape& s, DType dt = DType::f32) { return randn(s, dt); }

// C[M, N] = A[M, K] · B[K, N] on row-major value lists.
std::vector<double> ref_mm(const std::vector<double>& a, const std::vector<double>& b, int64_t M, int64_t K, int64_t N,
                           size_t a_off = 0, size_t b_off = 0) {
  std::vector<double> c(static_cast<size_t>(M * N), 0.0);
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j)
      for (int64_t k = 0; k < K; ++k) c[i * N + j] += a[a_off + i * K + k] * b[b_off + k * N + j];
  return c;
}

// The result has `shape` and matches `want` (float32 sums of K products: 1e-4 by default).
void check_close(const Tensor& got, const Shape& shape, const std::vector<double>& want, double tol = 1e-4) {
  REQUIRE(got.shape() == shape);
  testing::check_all_close(got, want, tol);
}

}  // namespace

TEST_SUITE("kernels") {
  TEST_CASE("matmul 2-D, both dtypes") {
    for (DType dt : {DType::f32, DType::f64}) {
      Tensor a = rnd({5, 7}, dt), b = rnd({7, 3}, dt);
      check_close(kernels::matmul(a, b), {5, 3}, ref_mm(a.to_vector(), b.to_vector(), 5, 7, 3));
      CHECK(kernels::matmul(a, b).dtype() == dt);
    }
  }

  TEST_CASE("matmul 1-D promotions") {
    Tensor v = rnd({4}), w = rnd({4}), m = rnd({4, 3}), n = rnd({2, 4});
    Tensor dot = kernels::matmul(v, w);
    CHECK(dot.dim() == 0);
    check_close(dot, {}, ref_mm(v.to_vector(), w.to_vector(), 1, 4, 1));
    check_close(kernels::matmul(v, m), {3}, ref_mm(v.to_vector(), m.to_vector(), 1, 4, 3));
    check_close(kernels::matmul(n, v), {2}, ref_mm(n.to_vector(), v.to_vector(), 2, 4, 1));
    // 1-D with a batched operand: [4] · [2, 4, 3] -> [2, 3] and [2, 3, 4] · [4] -> [2, 3]
    Tensor bm = rnd({2, 4, 3}), ab = rnd({2, 3, 4});
    std::vector<double> want;
    for (int64_t i = 0; i < 2; ++i) {
      auto r = ref_mm(v.to_vector(), bm.to_vector(), 1, 4, 3, 0, static_cast<size_t>(i * 12));
      want.insert(want.end(), r.begin(), r.end());
    }
    check_close(kernels::matmul(v, bm), {2, 3}, want);
    want.clear();
    for (int64_t i = 0; i < 2; ++i) {
      auto r = ref_mm(ab.to_vector(), v.to_vector(), 3, 4, 1, static_cast<size_t>(i * 12));
      want.insert(want.end(), r.begin(), r.end());
    }
    check_close(kernels::matmul(ab, v), {2, 3}, want);
  }

  TEST_CASE("matmul broadcasts batch dims") {
    Tensor a = rnd({2, 1, 3, 4}), b = rnd({3, 4, 5});
    std::vector<double> want;
    const auto va = a.to_vector(), vb = b.to_vector();
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < 3; ++j) {
        auto r = ref_mm(va, vb, 3, 4, 5, static_cast<size_t>(i * 12), static_cast<size_t>(j * 20));
        want.insert(want.end(), r.begin(), r.end());
      }
    check_close(kernels::matmul(a, b), {2, 3, 3, 5}, want);
    // A stack times one matrix (the folded single-GEMM path) and the reverse.
    Tensor s = rnd({4, 5, 6}), m = rnd({6, 7});
    want.clear();
    for (int64_t i = 0; i < 4; ++i) {
      auto r = ref_mm(s.to_vector(), m.to_vector(), 5, 6, 7, static_cast<size_t>(i * 30));
      want.insert(want.end(), r.begin(), r.end());
    }
    check_close(kernels::matmul(s, m), {4, 5, 7}, want);
    Tensor l = rnd({3, 5});
    want.clear();
    for (int64_t i = 0; i < 4; ++i) {
      auto r = ref_mm(l.to_vector(), s.to_vector(), 3, 5, 6, 0, static_cast<size_t>(i * 30));
      want.insert(want.end(), r.begin(), r.end());
    }
    check_close(kernels::matmul(l, s), {4, 3, 6}, want);
  }

  TEST_CASE("matmul on transposed, strided and broadcast views") {
    Tensor at = rnd({7, 5}), bt = rnd({3, 7});
    Tensor a = at.t(), b = bt.t();  // column-major views: GEMM trans flags
    check_close(kernels::matmul(a, b), {5, 3}, ref_mm(a.contiguous().to_vector(), b.contiguous().to_vector(), 5, 7, 3));
    Tensor big = rnd({10, 14});
    Tensor as = big.slice(0, 0, 10, 2).slice(1, 0, 14, 2);  // [5, 7], strides (28, 2): needs a copy
    check_close(kernels::matmul(as, b), {5, 3},
                ref_mm(as.contiguous().to_vector(), b.contiguous().to_vector(), 5, 7, 3));
    Tensor row = rnd({1, 7}).expand({5, 7});  // stride-0 rows
    check_close(kernels::matmul(row, b), {5, 3},
                ref_mm(row.contiguous().to_vector(), b.contiguous().to_vector(), 5, 7, 3));
    Tensor batch_t = rnd({2, 7, 5}).transpose(1, 2);  // [2, 5, 7], each matrix column-major
    Tensor bb = rnd({2, 7, 3});
    std::vector<double> want;
    for (int64_t i = 0; i < 2; ++i) {
      auto r = ref_mm(batch_t.contiguous().to_vector(), bb.to_vector(), 5, 7, 3, static_cast<size_t>(i * 35),
                      static_cast<size_t>(i * 21));
      want.insert(want.end(), r.begin(), r.end());
    }
    check_close(kernels::matmul(batch_t, bb), {2, 5, 3}, want);
    // Stacks times one shared matrix whose rows are not one contiguous block (no folding into one product).
    Tensor shared = rnd({7, 3});
    for (const Tensor& stack : {batch_t, rnd({2, 6, 7}).narrow(1, 0, 5), rnd({4, 5, 7}).slice(0, 0, 4, 2)}) {
      const auto vs = stack.contiguous().to_vector();
      want.clear();
      for (int64_t i = 0; i < 2; ++i) {
        auto r = ref_mm(vs, shared.to_vector(), 5, 7, 3, static_cast<size_t>(i * 35));
        want.insert(want.end(), r.begin(), r.end());
      }
      check_close(kernels::matmul(stack, shared), {2, 5, 3}, want);
    }
  }

  TEST_CASE("matmul empty and size-1 dims") {
    Tensor z = kernels::matmul(rnd({3, 0}), rnd({0, 4}));
    check_close(z, {3, 4}, std::vector<double>(12, 0.0));
    CHECK(kernels::matmul(rnd({0, 5}), rnd({5, 2})).shape() == Shape{0, 2});
    CHECK(kernels::matmul(rnd({2, 0, 3, 5}), rnd({5, 2})).shape() == Shape{2, 0, 3, 2});
    Tensor a = rnd({1, 1}), b = rnd({1, 6});
    check_close(kernels::matmul(a, b), {1, 6}, ref_mm(a.to_vector(), b.to_vector(), 1, 1, 6));
  }

  TEST_CASE("matmul large batches (parallel paths)") {
    Tensor a = rnd({8, 24, 40}), b = rnd({8, 40, 16});
    std::vector<double> want;
    for (int64_t i = 0; i < 8; ++i) {
      auto r =
          ref_mm(a.to_vector(), b.to_vector(), 24, 40, 16, static_cast<size_t>(i * 960), static_cast<size_t>(i * 640));
      want.insert(want.end(), r.begin(), r.end());
    }
    check_close(kernels::bmm(a, b), {8, 24, 16}, want);
    Tensor big_a = rnd({160, 200}, DType::f64), big_b = rnd({200, 150}, DType::f64);
    check_close(kernels::matmul(big_a, big_b), {160, 150}, ref_mm(big_a.to_vector(), big_b.to_vector(), 160, 200, 150),
                1e-10);
  }

  TEST_CASE("linear with and without bias") {
    Tensor x = rnd({2, 3, 5}), w = rnd({4, 5}), b = rnd({4});
    const auto vx = x.to_vector(), vw = w.to_vector(), vb = b.to_vector();
    std::vector<double> want(24), want_nb(24);
    for (int64_t r = 0; r < 6; ++r)
      for (int64_t o = 0; o < 4; ++o) {
        double s = 0;
        for (int64_t i = 0; i < 5; ++i) s += vx[r * 5 + i] * vw[o * 5 + i];
        want_nb[r * 4 + o] = s;
        want[r * 4 + o] = s + vb[o];
      }
    check_close(kernels::linear(x, w, b), {2, 3, 4}, want);
    check_close(kernels::linear(x, w), {2, 3, 4}, want_nb);
    check_close(kernels::linear(x.select(0, 1).select(0, 2), w, b), {4},
                std::vector<double>(want.end() - 4, want.end()));
    Tensor xt = rnd({5, 6}).t();  // non-contiguous input rows
    std::vector<double> want_t(24);
    const auto vxt = xt.contiguous().to_vector();
    for (int64_t r = 0; r < 6; ++r)
      for (int64_t o = 0; o < 4; ++o) {
        double s = vb[o];
        for (int64_t i = 0; i < 5; ++i) s += vxt[r * 5 + i] * vw[o * 5 + i];
        want_t[r * 4 + o] = s;
      }
    check_close(kernels::linear(xt, w, b), {6, 4}, want_t);
  }

  TEST_CASE("matmul / bmm / linear errors name the shapes") {
    std::string e = error_of([] { kernels::matmul(rnd({2, 3}), rnd({4, 5})); });
    CHECK(e.find("[2, 3]") != std::string::npos);
    CHECK(e.find("[4, 5]") != std::string::npos);
    e = error_of([] { kernels::matmul(rnd({2, 2, 3}), rnd({3, 3, 4})); });
    CHECK(e.find("[2, 2, 3]") != std::string::npos);
    CHECK(e.find("[3, 3, 4]") != std::string::npos);
    e = error_of([] { kernels::matmul(rnd({2, 3}), rnd({3, 4}, DType::f64)); });
    CHECK(e.find("dtypes differ") != std::string::npos);
    e = error_of([] { kernels::matmul(rnd({}), rnd({3})); });
    CHECK(e.find("at least one dimension") != std::string::npos);
    e = error_of([] { kernels::bmm(rnd({2, 3, 4}), rnd({3, 4, 5})); });
    CHECK(e.find("[2, 3, 4]") != std::string::npos);
    CHECK(e.find("[3, 4, 5]") != std::string::npos);
    e = error_of([] { kernels::linear(rnd({2, 3}), rnd({4, 5})); });
    CHECK(e.find("[2, 3]") != std::string::npos);
    CHECK(e.find("[4, 5]") != std::string::npos);
    e = error_of([] { kernels::linear(rnd({2, 5}), rnd({4, 5}), rnd({3})); });
    CHECK(e.find("bias float32[3]") != std::string::npos);
  }
}

TEST_SUITE("gradcheck") {
  using testing::leaf_f64;

  TEST_CASE("matmul gradients") {
    auto f = [](const variable_list& v) { return matmul(v[0], v[1]); };
    CHECK_GRADCHECK(f, {leaf_f64({3, 4}, 1), leaf_f64({4, 2}, 2)});
    CHECK_GRADCHECK(f, {leaf_f64({4}, 3), leaf_f64({4}, 4)});
    CHECK_GRADCHECK(f, {leaf_f64({4}, 5), leaf_f64({2, 4, 3}, 6)});
    CHECK_GRADCHECK(f, {leaf_f64({2, 3, 4}, 7), leaf_f64({4}, 8)});
    CHECK_GRADCHECK(f, {leaf_f64({2, 1, 3, 4}, 9), leaf_f64({3, 4, 2}, 10)});
    CHECK_GRADCHECK(f, {leaf_f64({2, 3, 4}, 11), leaf_f64({4, 5}, 12)});
    CHECK_GRADCHECK(f, {leaf_f64({3, 4}, 13), leaf_f64({2, 4, 5}, 14)});
  }

  TEST_CASE("matmul gradient with a constant operand") {
    Variable c(randn({4, 2}, DType::f64));
    CHECK_GRADCHECK([&](const variable_list& v) { return matmul(v[0], c); }, {leaf_f64({3, 4}, 15)});
  }

  TEST_CASE("bmm gradients") {
    CHECK_GRADCHECK([](const variable_list& v) { return bmm(v[0], v[1]); },
                    {leaf_f64({2, 3, 4}, 16), leaf_f64({2, 4, 5}, 17)});
  }

  TEST_CASE("linear gradients") {
    auto with_bias = [](const variable_list& v) { return linear(v[0], v[1], v[2]); };
    CHECK_GRADCHECK(with_bias, {leaf_f64({2, 3, 5}, 18), leaf_f64({4, 5}, 19), leaf_f64({4}, 20)});
    CHECK_GRADCHECK(with_bias, {leaf_f64({5}, 21), leaf_f64({4, 5}, 22), leaf_f64({4}, 23)});
    CHECK_GRADCHECK([](const variable_list& v) { return linear(v[0], v[1]); },
                    {leaf_f64({3, 5}, 24), leaf_f64({2, 5}, 25)});
  }
}

TEST_SUITE("autograd") {
  TEST_CASE("LinearBackward keeps input, weight and bias for backward rules") {
    Variable x(randn({2, 3}), true), w(randn({4, 3}), true), b(randn({4}), true);
    Variable y = linear(x, w, b);
    auto* node = dynamic_cast<LinearBackward*>(y.grad_fn().get());
    REQUIRE(node != nullptr);
    CHECK(node->input.get_unchecked().shape() == Shape{2, 3});
    CHECK(node->weight.get_unchecked().shape() == Shape{4, 3});
    CHECK(node->bias.get_unchecked().shape() == Shape{4});
    CHECK(!dynamic_cast<LinearBackward*>(linear(x, w).grad_fn().get())->bias.defined());
  }
}
