// Batch norm and layer norm: forward kernels and running statistics against plain double loops, gradchecks of the
// autograd functions (which run the backward kernels), and error messages.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "autograd/functions/norm.h"
#include "gradcheck.h"
#include "kernels/norm.h"
#include "tensor/creation.h"
#include "test_util.h"

using namespace htp;
using testing::check_approx;
using testing::error_of;
using testing::random_tensor;

namespace {

// Plain per-channel batch norm of a row-major [N, C, S...] tensor.
struct BatchNormReference {
  std::vector<double> y, mean, invstd, running_mean, running_var;
};

BatchNormReference reference_batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias,
                                        const Tensor& running_mean, const Tensor& running_var, bool training,
                                        double momentum, double eps) {
  const std::vector<double> xv = x.to_vector();
  const int64_t N = x.size(0), C = x.size(1), S = x.numel() / std::max<int64_t>(N * C, 1);
  BatchNormReference r;
  r.y.resize(xv.size());
  r.running_mean = running_mean.defined() ? running_mean.to_vector() : std::vector<double>();
  r.running_var = running_var.defined() ? running_var.to_vector() : std::vector<double>();
  for (int64_t c = 0; c < C; ++c) {
    auto at = [&](int64_t n, int64_t s) { return (n * C + c) * S + s; };
    double mean, var;
    if (training) {
      double sum = 0, sq = 0;
      for (int64_t n = 0; n < N; ++n)
        for (int64_t s = 0; s < S; ++s) sum += xv[at(n, s)];
      mean = sum / (N * S);
      for (int64_t n = 0; n < N; ++n)
        for (int64_t s = 0; s < S; ++s) sq += (xv[at(n, s)] - mean) * (xv[at(n, s)] - mean);
      var = sq / (N * S);
      if (running_mean.defined()) {
        r.running_mean[c] = (1 - momentum) * r.running_mean[c] + momentum * mean;
        r.running_var[c] = (1 - momentum) * r.running_var[c] + momentum * sq / (N * S - 1);
      }
    } else {
      mean = r.running_mean[c];
      var = r.running_var[c];
    }
    const double invstd = 1 / std::sqrt(var + eps);
    r.mean.push_back(mean);
    r.invstd.push_back(invstd);
    const double w = weight.defined() ? weight.to_vector()[c] : 1, b = bias.defined() ? bias.to_vector()[c] : 0;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t s = 0; s < S; ++s) r.y[at(n, s)] = (xv[at(n, s)] - mean) * invstd * w + b;
  }
  return r;
}

// Plain layer norm over rows of length d.
std::vector<double> reference_layer_norm(const Tensor& x, int64_t d, const Tensor& weight, const Tensor& bias,
                                         double eps, std::vector<double>* means, std::vector<double>* rstds) {
  const std::vector<double> xv = x.to_vector();
  const std::vector<double> w = weight.defined() ? weight.to_vector() : std::vector<double>(d, 1.0);
  const std::vector<double> b = bias.defined() ? bias.to_vector() : std::vector<double>(d, 0.0);
  std::vector<double> y(xv.size());
  for (size_t r = 0; r * d < xv.size(); ++r) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < d; ++i) mean += xv[r * d + i] / d;
    for (int64_t i = 0; i < d; ++i) var += (xv[r * d + i] - mean) * (xv[r * d + i] - mean) / d;
    const double rstd = 1 / std::sqrt(var + eps);
    means->push_back(mean);
    rstds->push_back(rstd);
    for (int64_t i = 0; i < d; ++i) y[r * d + i] = (xv[r * d + i] - mean) * rstd * w[i] + b[i];
  }
  return y;
}

}  // namespace

TEST_SUITE("kernels") {
  TEST_CASE("batch_norm training matches the reference and updates the running statistics") {
    for (DType dt : {DType::f32, DType::f64}) {
      const double tol = dt == DType::f32 ? 1e-5 : 1e-12;
      for (const Shape& shape : {Shape{5, 3}, Shape{2, 3, 4, 5}}) {
        for (bool affine : {false, true}) {
          CAPTURE(shape_str(shape));
          CAPTURE(affine);
          Tensor x = random_tensor(shape, dt, 1, -1, 3);
          Tensor w = affine ? random_tensor({3}, dt, 2) : Tensor();
          Tensor b = affine ? random_tensor({3}, dt, 3) : Tensor();
          Tensor rm = random_tensor({3}, dt, 4), rv = random_tensor({3}, dt, 5, 0.5, 2);
          BatchNormReference ref = reference_batch_norm(x, w, b, rm, rv, true, 0.1, 1e-5);
          const uint64_t version = rm.version();
          kernels::NormForward f = kernels::batch_norm_forward(x, w, b, rm, rv, true, 0.1, 1e-5);
          check_approx(f.y, ref.y, tol);
          check_approx(f.mean, ref.mean, tol);
          check_approx(f.invstd, ref.invstd, tol);
          check_approx(rm, ref.running_mean, tol);
          check_approx(rv, ref.running_var, tol);
          CHECK(rm.version() > version);
        }
      }
    }
  }

  TEST_CASE("batch_norm eval uses the running statistics and leaves them unchanged") {
    for (const Shape& shape : {Shape{4, 3}, Shape{2, 3, 3, 2}}) {
      Tensor x = random_tensor(shape, DType::f64, 6);
      Tensor w = random_tensor({3}, DType::f64, 7), b = random_tensor({3}, DType::f64, 8);
      Tensor rm = random_tensor({3}, DType::f64, 9), rv = random_tensor({3}, DType::f64, 10, 0.5, 2);
      const std::vector<double> rm0 = rm.to_vector(), rv0 = rv.to_vector();
      BatchNormReference ref = reference_batch_norm(x, w, b, rm, rv, false, 0.1, 1e-3);
      kernels::NormForward f = kernels::batch_norm_forward(x, w, b, rm, rv, false, 0.1, 1e-3);
      check_approx(f.y, ref.y, 1e-12);
      check_approx(f.mean, rm0, 1e-12);
      check_approx(f.invstd, ref.invstd, 1e-12);
      CHECK(rm.to_vector() == rm0);
      CHECK(rv.to_vector() == rv0);
      // Without weight and bias.
      check_approx(kernels::batch_norm_forward(x, Tensor(), Tensor(), rm, rv, false, 0.1, 1e-3).y,
                   reference_batch_norm(x, Tensor(), Tensor(), rm, rv, false, 0.1, 1e-3).y, 1e-12);
    }
  }

  TEST_CASE("batch_norm handles non-contiguous inputs, size-1 dims and no running statistics") {
    Tensor base = random_tensor({3, 4, 2, 5}, DType::f64, 11);
    Tensor x = base.permute({3, 1, 0, 2});  // [5, 4, 3, 2], non-contiguous
    REQUIRE(!x.is_contiguous());
    BatchNormReference ref = reference_batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 1e-5);
    kernels::NormForward f = kernels::batch_norm_forward(x, Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 1e-5);
    check_approx(f.y, ref.y, 1e-12);
    check_approx(f.mean, ref.mean, 1e-12);
    // N = 1 with spatial dims is allowed in training (several values per channel).
    Tensor one = random_tensor({1, 2, 3, 1}, DType::f32, 12);
    check_approx(kernels::batch_norm_forward(one, Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 1e-5).y,
                 reference_batch_norm(one, Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 1e-5).y, 1e-5);
  }

  TEST_CASE("layer_norm over one and two dims matches the reference") {
    for (DType dt : {DType::f32, DType::f64}) {
      const double tol = dt == DType::f32 ? 1e-5 : 1e-12;
      Tensor x = random_tensor({2, 3, 4}, dt, 13, -1, 3);
      for (const Shape& ns : {Shape{4}, Shape{3, 4}}) {
        for (bool affine : {false, true}) {
          CAPTURE(shape_str(ns));
          CAPTURE(affine);
          Tensor w = affine ? random_tensor(ns, dt, 14) : Tensor();
          Tensor b = affine ? random_tensor(ns, dt, 15) : Tensor();
          std::vector<double> means, rstds;
          std::vector<double> y = reference_layer_norm(x, shape_numel(ns), w, b, 1e-5, &means, &rstds);
          kernels::NormForward f = kernels::layer_norm_forward(x, ns, w, b, 1e-5);
          check_approx(f.y, y, tol);
          check_approx(f.mean, means, tol);
          check_approx(f.invstd, rstds, tol);
          CHECK(f.mean.shape() == (ns.size() == 1 ? Shape{2, 3, 1} : Shape{2, 1, 1}));
        }
      }
      // Non-contiguous input.
      Tensor xt = x.transpose(0, 2);  // [4, 3, 2]
      std::vector<double> means, rstds;
      check_approx(kernels::layer_norm_forward(xt, {2}, Tensor(), Tensor(), 1e-5).y,
                   reference_layer_norm(xt, 2, Tensor(), Tensor(), 1e-5, &means, &rstds), tol);
    }
  }

  TEST_CASE("norm kernels on inputs large enough to be split across threads") {
    Tensor x = random_tensor({8, 4, 64, 64}, DType::f64, 16);
    Tensor rm = zeros({4}, DType::f64), rv = ones({4}, DType::f64);
    BatchNormReference ref = reference_batch_norm(x, Tensor(), Tensor(), rm, rv, true, 0.1, 1e-5);
    kernels::NormForward f = kernels::batch_norm_forward(x, Tensor(), Tensor(), rm, rv, true, 0.1, 1e-5);
    check_approx(f.y, ref.y, 1e-12);
    check_approx(rv, ref.running_var, 1e-12);
    // Layer norm rows and the column blocks of its dweight/dbias: check the sums against plain loops.
    Tensor lx = random_tensor({64, 1000}, DType::f64, 17), g = random_tensor({64, 1000}, DType::f64, 18);
    std::vector<double> means, rstds;
    std::vector<double> y = reference_layer_norm(lx, 1000, Tensor(), Tensor(), 1e-5, &means, &rstds);
    kernels::NormForward lf = kernels::layer_norm_forward(lx, {1000}, Tensor(), Tensor(), 1e-5);
    check_approx(lf.y, y, 1e-12);
    kernels::NormGrads d =
        kernels::layer_norm_backward(g, lx, {1000}, lf.mean, lf.invstd, Tensor(), {false, true, true});
    CHECK(!d.dx.defined());
    const std::vector<double> gv = g.to_vector();
    std::vector<double> dw(1000, 0.0), db(1000, 0.0);
    for (int64_t r = 0; r < 64; ++r)
      for (int64_t j = 0; j < 1000; ++j) {
        dw[j] += gv[r * 1000 + j] * y[r * 1000 + j];
        db[j] += gv[r * 1000 + j];
      }
    check_approx(d.dweight, dw, 1e-10);
    check_approx(d.dbias, db, 1e-10);
  }

  TEST_CASE("norm errors name the op and the tensors") {
    Tensor x = zeros({4, 3, 2});
    std::string m =
        error_of([&] { kernels::batch_norm_forward(x, zeros({4}), Tensor(), Tensor(), Tensor(), true, 0.1, 1e-5); });
    CHECK(
        m.find("batch_norm: weight is float32[4] on cpu, expected float32[3] for the input float32[4, 3, 2] on cpu") !=
        std::string::npos);
    m = error_of([&] {
      kernels::batch_norm_forward(zeros({1, 3}), Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 1e-5);
    });
    CHECK(m.find("batch_norm: training needs more than one value per channel") != std::string::npos);
    m = error_of([&] { kernels::batch_norm_forward(x, Tensor(), Tensor(), Tensor(), Tensor(), false, 0.1, 1e-5); });
    CHECK(m.find("batch_norm: evaluation mode needs running_mean and running_var") != std::string::npos);
    m = error_of(
        [&] { kernels::batch_norm_forward(zeros({4}), Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 1e-5); });
    CHECK(m.find("batch_norm: expected an input of shape [N, C] or [N, C, *], got float32[4] on cpu") !=
          std::string::npos);
    m = error_of([&] { kernels::layer_norm_forward(x, {3}, Tensor(), Tensor(), 1e-5); });
    CHECK(
        m.find("layer_norm: normalized_shape [3] does not match the last dims of the input float32[4, 3, 2] on cpu") !=
        std::string::npos);
    m = error_of([&] { kernels::layer_norm_forward(x, {3, 2}, zeros({2}), Tensor(), 1e-5); });
    CHECK(m.find("layer_norm: weight is float32[2] on cpu, expected float32[3, 2]") != std::string::npos);
    m = error_of([&] { kernels::layer_norm_forward(zeros({2, 2}, DType::i64), {2}, Tensor(), Tensor(), 1e-5); });
    CHECK(m.find("layer_norm: expected a float32 or float64 input, got int64[2, 2] on cpu") != std::string::npos);
  }
}

TEST_SUITE("autograd") {
  TEST_CASE("BatchNormBackward exposes the statistics and parameters it normalised with") {
    Tensor rm = testing::leaf_f64({3}, 51).data(), rv = testing::leaf_f64({3}, 52, 0.5, 2).data();
    Variable x = testing::leaf_f64({2, 3, 2}, 53), w = testing::leaf_f64({3}, 54), b = testing::leaf_f64({3}, 55);
    Variable y = batch_norm(x, w, b, rm, rv, /*training=*/false, 0.1, 1e-3);
    auto node = std::dynamic_pointer_cast<BatchNormBackward>(y.grad_fn());
    REQUIRE(node);
    CHECK(!node->training);
    CHECK(node->eps == 1e-3);
    CHECK(node->save_mean.get_unchecked().to_vector() == rm.to_vector());
    std::vector<double> invstd;
    for (double v : rv.to_vector()) invstd.push_back(1 / std::sqrt(v + 1e-3));
    check_approx(node->save_invstd.get_unchecked(), invstd, 1e-12);
    CHECK(node->weight.get_unchecked().to_vector() == w.data().to_vector());
    CHECK(node->bias.get_unchecked().to_vector() == b.data().to_vector());
  }
}

TEST_SUITE("gradcheck") {
  TEST_CASE("batch_norm training gradcheck (x, weight, bias)") {
    for (const Shape& shape : {Shape{4, 3}, Shape{2, 3, 2, 2}}) {
      CAPTURE(shape_str(shape));
      Tensor rm = zeros({3}, DType::f64), rv = ones({3}, DType::f64);
      CHECK_GRADCHECK([=](const variable_list& v) { return batch_norm(v[0], v[1], v[2], rm, rv, true, 0.1, 1e-5); },
                      {testing::leaf_f64(shape, 21), testing::leaf_f64({3}, 22, 0.5, 1.5), testing::leaf_f64({3}, 23)});
      CHECK_GRADCHECK(
          [](const variable_list& v) { return batch_norm(v[0], Variable(), Variable(), Tensor(), Tensor(), true); },
          {testing::leaf_f64(shape, 24)});
    }
  }

  TEST_CASE("batch_norm eval gradcheck (x, weight, bias)") {
    Tensor rm = testing::leaf_f64({3}, 31).data(), rv = testing::leaf_f64({3}, 32, 0.5, 2).data();
    CHECK_GRADCHECK([=](const variable_list& v) { return batch_norm(v[0], v[1], v[2], rm, rv, false, 0.1, 1e-5); },
                    {testing::leaf_f64({2, 3, 2}, 33), testing::leaf_f64({3}, 34), testing::leaf_f64({3}, 35)});
  }

  TEST_CASE("layer_norm gradcheck over one and two dims") {
    for (const Shape& ns : {Shape{4}, Shape{3, 4}}) {
      CAPTURE(shape_str(ns));
      CHECK_GRADCHECK([=](const variable_list& v) { return layer_norm(v[0], ns, v[1], v[2]); },
                      {testing::leaf_f64({2, 3, 4}, 41), testing::leaf_f64(ns, 42), testing::leaf_f64(ns, 43)});
      CHECK_GRADCHECK([=](const variable_list& v) { return layer_norm(v[0], ns, Variable(), Variable()); },
                      {testing::leaf_f64({2, 3, 4}, 44)});
    }
  }
}
