// Batch norm with the vendor choice (kernels::ScopedImplementation(OpFamily::batch_norm, Implementation::vendor)):
// cuDNN in builds with HTP_WITH_CUDNN (kernels/cuda/norm_cudnn.{h,cu}), ours elsewhere. Checked against the CPU
// kernel on the same inputs, through the public kernels (kernels/norm.h) so the dispatch in kernels/cuda/norm.cu is
// covered: training forward (y, saved mean / invstd, the running statistics updated in place), eval forward, and the
// training backward (dx, dweight, dbias), float32 and float64, shapes [4, 3, 5, 7], [2, 16, 1, 1] and [8, 5], with
// and without weight / bias. The cases where the vendor choice runs ours (every case in a build without cuDNN; the
// eval backward and an eps below cuDNN's minimum with it) must give our results bit for bit.
//
// Tolerances, |got - want| <= atol + rtol |want|:
//   float64: rtol 1e-10, atol 1e-12.
//   float32: rtol 1e-5 and atol 1e-5 for the elementwise results and the per-channel statistics (y and dx are
//            differences of O(1) terms, so an ulp of a per-channel coefficient moves them by ~1e-7 absolute), and
//            atol 1e-6 * M for dweight and dbias, sums of M = N * H * W terms of magnitude up to ~6 that cuDNN adds in
//            float32 (the CPU adds in double).
// The inputs are well conditioned on purpose: each sample sits 1.5 above or below its channel's centre (alternately)
// plus uniform noise in [-1, 1), so even a 2-element channel has a variance of at least 0.25 and its float32
// statistics are no cancellation (the CPU's are double sums; a float32 implementation would otherwise be compared
// with something it cannot reach). Compiled in CUDA builds only; skipped without a device.
#if defined(HTP_WITH_CUDA)
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cuda_test_util.h"
#include "kernels/implementation.h"
#include "kernels/norm.h"
#include "tensor/creation.h"
#ifdef HTP_WITH_CUDNN
#include <cudnn.h>  // CUDNN_BN_MIN_EPSILON
#endif

using namespace htp;
using htp::kernels::Implementation;
using htp::kernels::OpFamily;
using htp::testing::check_close;
using htp::testing::check_equal;
using htp::testing::needs_cuda;
using htp::testing::Tolerance;
using htp::testing::uniform_cpu;

namespace {

Tensor on_cuda(const Tensor& t) { return t.defined() ? t.to(Device::cuda()) : t; }

const std::vector<Shape>& shapes() {
  static const std::vector<Shape> all = {{4, 3, 5, 7}, {2, 16, 1, 1}, {8, 5}};
  return all;
}

// Elements per channel.
int64_t per_channel(const Shape& shape) {
  int64_t m = shape[0];
  for (size_t d = 2; d < shape.size(); ++d) m *= shape[d];
  return m;
}

Tolerance elementwise_tolerance(DType dt) {
  return dt == DType::f64 ? Tolerance{1e-10, 1e-12} : Tolerance{1e-5, 1e-5};
}
Tolerance sum_tolerance(DType dt, int64_t m) {
  return dt == DType::f64 ? Tolerance{1e-10, 1e-12} : Tolerance{1e-5, 1e-6 * static_cast<double>(m)};
}

// Sample n of channel c: centre_c + (n even ? -1.5 : +1.5) + noise in [-1, 1) (see the file comment).
Tensor spread_input(const Shape& shape, DType dt, uint64_t seed) {
  const std::vector<double> noise = uniform_cpu(shape, DType::f64, seed, -1.0, 1.0).to_vector();
  const int64_t N = shape[0], C = shape[1], S = per_channel(shape) / N;
  std::vector<double> v(noise.size());
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t s = 0; s < S; ++s) {
        const size_t i = static_cast<size_t>((n * C + c) * S + s);
        v[i] = 0.25 * static_cast<double>(c) - 0.5 + (n % 2 == 0 ? -1.5 : 1.5) + noise[i];
      }
  return from_buffer(v.data(), shape, DType::f64).to(dt);
}

std::string name_of(const std::string& what, DType dt, const Shape& shape, bool affine) {
  return what + " " + dtype_name(dt) + " " + shape_str(shape) + (affine ? " affine" : " no affine");
}

struct Params {
  Tensor weight, bias;  // undefined without affine
};

Params params_for(int64_t C, DType dt, bool affine) {
  if (!affine) return {};
  return {uniform_cpu({C}, dt, 2, 0.5, 1.5), uniform_cpu({C}, dt, 3)};
}

// The vendor choice runs exactly ours here: forward results (and running statistics) bit for bit.
void expect_forward_as_ours(const Tensor& x, const Params& p, bool training, double eps, const std::string& name) {
  const int64_t C = x.size(1);
  const Tensor rm = uniform_cpu({C}, x.dtype(), 5), rv = uniform_cpu({C}, x.dtype(), 6, 0.5, 2.0);
  const Tensor xd = on_cuda(x), wd = on_cuda(p.weight), bd = on_cuda(p.bias);
  Tensor rm_ours = on_cuda(rm), rv_ours = on_cuda(rv), rm_vendor = on_cuda(rm), rv_vendor = on_cuda(rv);
  kernels::NormForward ours, vendor;
  {
    const kernels::ScopedImplementation use(OpFamily::batch_norm, Implementation::ours);
    ours = kernels::batch_norm_forward(xd, wd, bd, rm_ours, rv_ours, training, 0.1, eps);
  }
  {
    const kernels::ScopedImplementation use(OpFamily::batch_norm, Implementation::vendor);
    vendor = kernels::batch_norm_forward(xd, wd, bd, rm_vendor, rv_vendor, training, 0.1, eps);
  }
  check_equal(vendor.y, ours.y, name + " y");
  check_equal(vendor.mean, ours.mean, name + " mean");
  check_equal(vendor.invstd, ours.invstd, name + " invstd");
  check_equal(rm_vendor, rm_ours, name + " running_mean");
  check_equal(rv_vendor, rv_ours, name + " running_var");
}

// The vendor choice runs exactly ours here: backward results bit for bit.
void expect_backward_as_ours(const Tensor& x, const Params& p, bool training, const std::string& name) {
  const kernels::NormForward f = kernels::batch_norm_forward(x, p.weight, p.bias, {}, {}, true, 0.1, 1e-5);
  const Tensor g = uniform_cpu(x.shape(), x.dtype(), 4);
  const Tensor gd = on_cuda(g), xd = on_cuda(x), wd = on_cuda(p.weight), md = on_cuda(f.mean), id = on_cuda(f.invstd);
  kernels::NormGrads ours, vendor;
  {
    const kernels::ScopedImplementation use(OpFamily::batch_norm, Implementation::ours);
    ours = kernels::batch_norm_backward(gd, xd, wd, md, id, training);
  }
  {
    const kernels::ScopedImplementation use(OpFamily::batch_norm, Implementation::vendor);
    vendor = kernels::batch_norm_backward(gd, xd, wd, md, id, training);
  }
  check_equal(vendor.dx, ours.dx, name + " dx");
  check_equal(vendor.dweight, ours.dweight, name + " dweight");
  check_equal(vendor.dbias, ours.dbias, name + " dbias");
}

}  // namespace

TEST_SUITE("cuda") {

TEST_CASE("batch_norm, vendor choice: training forward against the CPU (y, saved statistics, running statistics)" *
          needs_cuda()) {
  const kernels::ScopedImplementation use(OpFamily::batch_norm, Implementation::vendor);
  for (DType dt : {DType::f32, DType::f64}) {
    for (const Shape& shape : shapes()) {
      const int64_t C = shape[1];
      const Tensor x = spread_input(shape, dt, 1);
      for (bool affine : {true, false}) {
        const std::string name = name_of("batch_norm train (vendor)", dt, shape, affine);
        INFO(name);
        const Params p = params_for(C, dt, affine);
        const Tensor rm = uniform_cpu({C}, dt, 5), rv = uniform_cpu({C}, dt, 6, 0.5, 2.0);
        Tensor rm_d = on_cuda(rm), rv_d = on_cuda(rv);
        const kernels::NormForward want = kernels::batch_norm_forward(x, p.weight, p.bias, rm, rv, true, 0.1, 1e-5);
        const kernels::NormForward got =
            kernels::batch_norm_forward(on_cuda(x), on_cuda(p.weight), on_cuda(p.bias), rm_d, rv_d, true, 0.1, 1e-5);
        const Tolerance tol = elementwise_tolerance(dt);
        check_close(got.y, want.y, tol, name + " y");
        check_close(got.mean, want.mean, tol, name + " saved mean");
        check_close(got.invstd, want.invstd, tol, name + " saved invstd");
        // running_var: the unbiased batch variance enters (var * M / (M - 1)); with M = 2 a biased update would be
        // off by a factor of 2 in the momentum term.
        check_close(rm_d, rm, tol, name + " running_mean");
        check_close(rv_d, rv, tol, name + " running_var");
      }
      // No running statistics (cuDNN gets null pointers), another momentum and eps.
      const std::string name = name_of("batch_norm train, no running statistics (vendor)", dt, shape, false);
      const kernels::NormForward want = kernels::batch_norm_forward(x, {}, {}, {}, {}, true, 0.3, 1e-3);
      const kernels::NormForward got = kernels::batch_norm_forward(on_cuda(x), {}, {}, {}, {}, true, 0.3, 1e-3);
      check_close(got.y, want.y, elementwise_tolerance(dt), name + " y");
      check_close(got.mean, want.mean, elementwise_tolerance(dt), name + " saved mean");
      check_close(got.invstd, want.invstd, elementwise_tolerance(dt), name + " saved invstd");
    }
  }
}

TEST_CASE("batch_norm, vendor choice: eval forward against the CPU" * needs_cuda()) {
  const kernels::ScopedImplementation use(OpFamily::batch_norm, Implementation::vendor);
  for (DType dt : {DType::f32, DType::f64}) {
    for (const Shape& shape : shapes()) {
      const int64_t C = shape[1];
      const Tensor x = spread_input(shape, dt, 7);
      for (bool affine : {true, false}) {
        const std::string name = name_of("batch_norm eval (vendor)", dt, shape, affine);
        INFO(name);
        const Params p = params_for(C, dt, affine);
        const Tensor rm = uniform_cpu({C}, dt, 8), rv = uniform_cpu({C}, dt, 9, 0.5, 2.0);
        const Tensor rm_d = on_cuda(rm), rv_d = on_cuda(rv);
        const kernels::NormForward want = kernels::batch_norm_forward(x, p.weight, p.bias, rm, rv, false, 0.1, 1e-5);
        const kernels::NormForward got =
            kernels::batch_norm_forward(on_cuda(x), on_cuda(p.weight), on_cuda(p.bias), rm_d, rv_d, false, 0.1, 1e-5);
        const Tolerance tol = elementwise_tolerance(dt);
        check_close(got.y, want.y, tol, name + " y");
        check_close(got.mean, want.mean, tol, name + " saved mean");
        check_close(got.invstd, want.invstd, tol, name + " saved invstd");
        // Eval mode leaves the running statistics alone.
        check_equal(rm_d, rm, name + " running_mean unchanged");
        check_equal(rv_d, rv, name + " running_var unchanged");
      }
    }
  }
}

TEST_CASE("batch_norm, vendor choice: training backward against the CPU (dx, dweight, dbias)" * needs_cuda()) {
  const kernels::ScopedImplementation use(OpFamily::batch_norm, Implementation::vendor);
  for (DType dt : {DType::f32, DType::f64}) {
    for (const Shape& shape : shapes()) {
      const int64_t C = shape[1], M = per_channel(shape);
      const Tensor x = spread_input(shape, dt, 11), g = uniform_cpu(shape, dt, 12);
      for (bool affine : {true, false}) {
        const std::string name = name_of("batch_norm backward (vendor)", dt, shape, affine);
        INFO(name);
        const Params p = params_for(C, dt, affine);
        // The CPU's saved statistics on both sides, so only the backward is compared. eps = 1e-3, not the 1e-5 that
        // cuDNN's backward is told (norm_cudnn.cu's kBackwardEpsilon): a cuDNN that renormalised with its epsilon
        // argument instead of the saved invstd would be off by ~1e-4 relative and fail.
        const kernels::NormForward f = kernels::batch_norm_forward(x, p.weight, p.bias, {}, {}, true, 0.1, 1e-3);
        const kernels::NormGrads want = kernels::batch_norm_backward(g, x, p.weight, f.mean, f.invstd, true);
        const kernels::NormGrads got = kernels::batch_norm_backward(on_cuda(g), on_cuda(x), on_cuda(p.weight),
                                                                    on_cuda(f.mean), on_cuda(f.invstd), true);
        check_close(got.dx, want.dx, elementwise_tolerance(dt), name + " dx");
        check_close(got.dweight, want.dweight, sum_tolerance(dt, M), name + " dweight");
        check_close(got.dbias, want.dbias, sum_tolerance(dt, M), name + " dbias");
        // Masks: cuDNN writes unrequested gradients to scratch; the requested ones stay the same.
        const kernels::NormGrads only_dx = kernels::batch_norm_backward(
            on_cuda(g), on_cuda(x), on_cuda(p.weight), on_cuda(f.mean), on_cuda(f.invstd), true, {true, false, false});
        CHECK(!only_dx.dweight.defined());
        CHECK(!only_dx.dbias.defined());
        check_close(only_dx.dx, want.dx, elementwise_tolerance(dt), name + " dx alone");
        const kernels::NormGrads only_params = kernels::batch_norm_backward(
            on_cuda(g), on_cuda(x), on_cuda(p.weight), on_cuda(f.mean), on_cuda(f.invstd), true, {false, true, true});
        CHECK(!only_params.dx.defined());
        check_close(only_params.dweight, want.dweight, sum_tolerance(dt, M), name + " dweight alone");
        check_close(only_params.dbias, want.dbias, sum_tolerance(dt, M), name + " dbias alone");
      }
    }
  }
}

TEST_CASE("batch_norm, vendor choice: where cuDNN does not run (no cuDNN in the build, or a fallback case) the "
          "results are ours bit for bit" * needs_cuda()) {
  for (DType dt : {DType::f32, DType::f64}) {
    for (const Shape& shape : shapes()) {
      const Tensor x = spread_input(shape, dt, 13);
      for (bool affine : {true, false}) {
        const Params p = params_for(shape[1], dt, affine);
#ifdef HTP_WITH_CUDNN
        // The eval-mode backward is always ours (cuDNN's backward differentiates through the batch statistics).
        expect_backward_as_ours(x, p, false, name_of("batch_norm eval backward (fallback)", dt, shape, affine));
        // An eps below cuDNN's minimum (CUDNN_BN_MIN_EPSILON; 0 in cuDNN 9, so a negative eps here).
        const double eps = CUDNN_BN_MIN_EPSILON - 1e-6;
        for (bool training : {true, false})
          expect_forward_as_ours(x, p, training, eps,
                                 name_of("batch_norm eps below cuDNN's minimum", dt, shape, affine));
#else
        // No cuDNN: the vendor choice is ours everywhere.
        for (bool training : {true, false}) {
          const std::string mode = training ? "train" : "eval";
          expect_forward_as_ours(x, p, training, 1e-5,
                                 name_of("batch_norm " + mode + " (no cuDNN)", dt, shape, affine));
          expect_backward_as_ours(x, p, training,
                                  name_of("batch_norm " + mode + " backward (no cuDNN)", dt, shape, affine));
        }
#endif
      }
    }
    // An empty batch in eval mode: cuDNN rejects zero dimensions, so ours runs.
    expect_forward_as_ours(empty({0, 3, 4}, dt), {}, false, 1e-5,
                           name_of("batch_norm empty batch", dt, {0, 3, 4}, false));
  }
}

}  // TEST_SUITE("cuda")

#endif  // HTP_WITH_CUDA
