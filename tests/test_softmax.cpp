// Softmax family: forward and backward kernels against plain double loops, stability, layouts, gradchecks, errors.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "autograd/functions/softmax.h"
#include "gradcheck.h"
#include "kernels/softmax.h"
#include "tensor/creation.h"
#include "test_util.h"

using namespace htp;
using testing::check_approx;
using testing::random_tensor;

namespace {

// Calls fn(offset of the first element, stride) for every line of a row-major `shape` along `dim`.
template <class F>
void for_each_line(const Shape& shape, int64_t dim, F&& fn) {
  const Strides st = contiguous_strides(shape);
  const int64_t total = shape_numel(shape);
  if (total == 0) return;
  for (int64_t flat = 0; flat < total; ++flat)
    if ((flat / st[dim]) % shape[dim] == 0) fn(flat, st[dim]);
}

// Reference softmax / log_softmax along `dim`, computed in double with the textbook formula.
std::vector<double> reference_softmax(const Tensor& x, int64_t dim, bool log) {
  std::vector<double> v = x.to_vector(), out(v.size());
  const int64_t n = x.size(dim);
  for_each_line(x.shape(), dim, [&](int64_t base, int64_t stride) {
    double m = -INFINITY, s = 0;
    for (int64_t i = 0; i < n; ++i) m = std::max(m, v[base + i * stride]);
    for (int64_t i = 0; i < n; ++i) s += std::exp(v[base + i * stride] - m);
    for (int64_t i = 0; i < n; ++i) {
      const double z = v[base + i * stride] - m;
      out[base + i * stride] = log ? z - std::log(s) : std::exp(z) / s;
    }
  });
  return out;
}

// Reference backward kernels from y and g.
std::vector<double> reference_backward(const Tensor& g, const Tensor& y, int64_t dim, bool log) {
  std::vector<double> gv = g.to_vector(), yv = y.to_vector(), out(gv.size());
  const int64_t n = y.size(dim);
  for_each_line(y.shape(), dim, [&](int64_t base, int64_t stride) {
    double s = 0;
    for (int64_t i = 0; i < n; ++i) s += log ? gv[base + i * stride] : gv[base + i * stride] * yv[base + i * stride];
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = base + i * stride;
      out[k] = log ? gv[k] - std::exp(yv[k]) * s : yv[k] * (gv[k] - s);
    }
  });
  return out;
}

}  // namespace

TEST_SUITE("kernels") {
  TEST_CASE("softmax and log_softmax match the reference along every dim of a 3-D tensor") {
    for (DType dt : {DType::f32, DType::f64}) {
      const double tol = dt == DType::f32 ? 1e-5 : 1e-12;
      // [3, 4, 300]: the last dim is wider than one column block of the inner > 1 path.
      Tensor x = random_tensor({3, 4, 300}, dt, 7, -3, 3);
      for (int64_t dim = -3; dim < 3; ++dim) {
        const int64_t d = dim < 0 ? dim + 3 : dim;
        CAPTURE(dim);
        check_approx(kernels::softmax(x, dim), reference_softmax(x, d, false), tol);
        check_approx(kernels::log_softmax(x, dim), reference_softmax(x, d, true), tol);
      }
    }
  }

  TEST_CASE("softmax is stable for large inputs") {
    Tensor x = tensor(std::vector<float>{1000, 1000, 1000, -1000, -1000, -1000}, {3, 2});
    std::vector<double> p = kernels::softmax(x, 1).to_vector();
    std::vector<double> lp = kernels::log_softmax(x, 1).to_vector();
    const std::vector<double> p_expected{0.5, 0.5, 1, 0, 0.5, 0.5};
    const std::vector<double> lp_expected{-std::log(2.0), -std::log(2.0), 0, -2000, -std::log(2.0), -std::log(2.0)};
    for (size_t i = 0; i < 6; ++i) {
      CHECK(p[i] == doctest::Approx(p_expected[i]));
      CHECK(lp[i] == doctest::Approx(lp_expected[i]));
    }
    // Along dim 0 (the column path): column 0 is [1000, 1000, -1000].
    std::vector<double> c = kernels::softmax(x, 0).to_vector();
    CHECK(c[0] == doctest::Approx(0.5));
    CHECK(c[4] == doctest::Approx(0.0));
  }

  TEST_CASE("softmax handles non-contiguous inputs, empty and size-1 dims, and scalars") {
    Tensor base = random_tensor({5, 4, 3}, DType::f64, 3, -3, 3);
    Tensor x = base.permute({2, 0, 1}).slice(1, 0, 5, 2);  // [3, 3, 4], non-contiguous
    REQUIRE(!x.is_contiguous());
    for (int64_t d = 0; d < 3; ++d) {
      check_approx(kernels::softmax(x, d), reference_softmax(x, d, false), 1e-12);
      check_approx(kernels::log_softmax(x, d), reference_softmax(x, d, true), 1e-12);
    }
    Tensor e = zeros({2, 0, 3});
    CHECK(kernels::softmax(e, 1).shape() == Shape{2, 0, 3});
    CHECK(kernels::log_softmax(e, 2).shape() == Shape{2, 0, 3});
    Tensor one = random_tensor({4, 1}, DType::f32, 2, -3, 3);
    for (double v : kernels::softmax(one, 1).to_vector()) CHECK(v == 1.0);
    for (double v : kernels::log_softmax(one, 1).to_vector()) CHECK(v == 0.0);
    CHECK(kernels::softmax(scalar_tensor(5.0), 0).item<float>() == 1.0f);
    CHECK(kernels::softmax(scalar_tensor(5.0), 0).dim() == 0);
  }

  TEST_CASE("softmax_backward and log_softmax_backward match the reference") {
    for (DType dt : {DType::f32, DType::f64}) {
      const double tol = dt == DType::f32 ? 1e-5 : 1e-12;
      Tensor x = random_tensor({4, 3, 5}, dt, 11, -3, 3);
      Tensor g = random_tensor({4, 3, 5}, dt, 12, -3, 3);
      for (int64_t d = 0; d < 3; ++d) {
        CAPTURE(d);
        Tensor y = kernels::softmax(x, d);
        check_approx(kernels::softmax_backward(g, y, d), reference_backward(g, y, d, false), tol);
        Tensor ly = kernels::log_softmax(x, d);
        check_approx(kernels::log_softmax_backward(g.transpose(0, 2).contiguous().transpose(0, 2), ly, d),
                     reference_backward(g, ly, d, true), tol);
      }
    }
  }

  TEST_CASE("softmax kernels on inputs large enough to be split across threads") {
    Tensor x = random_tensor({40, 2000}, DType::f32, 21, -3, 3);
    Tensor g = random_tensor({40, 2000}, DType::f32, 22, -3, 3);
    for (int64_t d = 0; d < 2; ++d) {
      CAPTURE(d);
      Tensor y = kernels::softmax(x, d);
      check_approx(y, reference_softmax(x, d, false), 1e-5);
      check_approx(kernels::log_softmax(x, d), reference_softmax(x, d, true), 1e-5);
      check_approx(kernels::softmax_backward(g, y, d), reference_backward(g, y, d, false), 1e-4);
    }
  }

  TEST_CASE("softmax errors name the op and the tensors") {
    try {
      kernels::softmax(zeros({2, 3}, DType::i64), 1);
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find("softmax: expected a float32 or float64 input, got int64[2, 3] on cpu") !=
            std::string::npos);
    }
    try {
      kernels::log_softmax(zeros({2, 3}), 2);
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find("log_softmax: dimension 2 is out of range") != std::string::npos);
    }
    try {
      kernels::softmax_backward(zeros({2, 3}), zeros({3, 2}), 0);
      FAIL("expected an error");
    } catch (const Error& e) {
      const std::string m = e.what();
      CHECK(m.find("softmax_backward") != std::string::npos);
      CHECK(m.find("float32[2, 3]") != std::string::npos);
      CHECK(m.find("float32[3, 2]") != std::string::npos);
    }
  }
}

TEST_SUITE("gradcheck") {
  TEST_CASE("softmax and log_softmax gradcheck along each dim") {
    for (int64_t d = -1; d < 3; ++d) {
      CAPTURE(d);
      CHECK_GRADCHECK([d](const variable_list& v) { return softmax(v[0], d); },
                      {testing::leaf_f64({2, 3, 4}, 5, -2, 2)});
      CHECK_GRADCHECK([d](const variable_list& v) { return log_softmax(v[0], d); },
                      {testing::leaf_f64({2, 3, 4}, 6, -2, 2)});
    }
  }
}
