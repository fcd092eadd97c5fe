// The CUDA norm and pool twins (kernels/cuda/{norm,pool}.cu) against the CPU kernels, through the public kernels
// (kernels/{norm,pool}.h), so the dispatch is covered too: the same inputs on both devices, float32 and float64, odd
// shapes, non-contiguous inputs (the public kernels make them contiguous), and ties / NaN for max pooling.
// Pooling is bitwise equal to the CPU by construction (the same sums in the same order; see pool.cu), so it is
// compared exactly. Norms compare with tests/cuda_test_util.h's tolerances (float32: relative 1e-5); their
// statistics are double sums added in another order than on the CPU. Compiled in CUDA builds only; skipped without
// a device.
#ifdef HTP_WITH_CUDA
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "cuda_test_util.h"
#include "kernels/norm.h"
#include "kernels/pool.h"
#include "tensor/creation.h"

using namespace htp;
using htp::testing::check_close;
using htp::testing::check_equal;
using htp::testing::needs_cuda;
using htp::testing::Tolerance;
using htp::testing::tolerance_for;
using htp::testing::uniform_cpu;

namespace {

Tensor on_cuda(const Tensor& t) { return t.defined() ? t.to(Device::cuda()) : t; }

// Batch norm's dx is a difference of O(1) terms scaled by invstd: an ulp of change in a per-channel coefficient
// (from double sums added in another order) moves it by ~1e-7 absolute, so float32 backward results get an absolute
// 1e-5 next to the relative 1e-5.
Tolerance grad_tolerance(DType dt) { return dt == DType::f64 ? testing::kF64 : Tolerance{1e-5, 1e-5}; }

std::string name_of(const std::string& what, DType dt, const Shape& shape) {
  return what + " " + dtype_name(dt) + " " + shape_str(shape);
}

// Small integers: many ties inside every pooling window.
Tensor integer_valued(const Shape& shape, DType dt, uint64_t seed) {
  return uniform_cpu(shape, DType::f64, seed, -2.0, 2.0).to(DType::i64).to(dt);
}

}  // namespace

TEST_SUITE("cuda") {

// ---- batch norm ----------------------------------------------------------------------------------------------------

TEST_CASE("batch_norm forward and backward against the CPU, training and eval" * needs_cuda()) {
  const std::vector<Shape> shapes = {{7, 5}, {3, 4, 9, 11}, {2, 3, 17}, {64, 3, 130, 3}, {2, 2, 1}};
  for (DType dt : {DType::f32, DType::f64}) {
    for (const Shape& shape : shapes) {
      const int64_t C = shape[1];
      const Tensor x = uniform_cpu(shape, dt, 1, -2.0, 5.0);
      const Tensor w = uniform_cpu({C}, dt, 2, 0.5, 1.5), b = uniform_cpu({C}, dt, 3);
      const Tensor g = uniform_cpu(shape, dt, 4);
      for (bool training : {true, false}) {
        for (bool affine : {true, false}) {
          const std::string name =
              name_of(std::string("batch_norm ") + (training ? "train" : "eval") + (affine ? " affine" : ""), dt,
                      shape);
          INFO(name);
          const Tensor rm = uniform_cpu({C}, dt, 5), rv = uniform_cpu({C}, dt, 6, 0.5, 2.0);
          Tensor rm_d = on_cuda(rm), rv_d = on_cuda(rv);
          const Tensor wc = affine ? w : Tensor(), bc = affine ? b : Tensor();
          const kernels::NormForward want = kernels::batch_norm_forward(x, wc, bc, rm, rv, training, 0.1, 1e-5);
          const kernels::NormForward got =
              kernels::batch_norm_forward(on_cuda(x), on_cuda(wc), on_cuda(bc), rm_d, rv_d, training, 0.1, 1e-5);
          check_close(got.y, want.y, tolerance_for(dt), name + " y");
          check_close(got.mean, want.mean, tolerance_for(dt), name + " mean");
          check_close(got.invstd, want.invstd, tolerance_for(dt), name + " invstd");
          check_close(rm_d, rm, tolerance_for(dt), name + " running_mean");
          check_close(rv_d, rv, tolerance_for(dt), name + " running_var");
          // Backward from the CPU's saved statistics on both sides, so only the backward kernels are compared.
          const kernels::NormGrads gw = kernels::batch_norm_backward(g, x, wc, want.mean, want.invstd, training);
          const kernels::NormGrads gg = kernels::batch_norm_backward(
              on_cuda(g), on_cuda(x), on_cuda(wc), on_cuda(want.mean), on_cuda(want.invstd), training);
          check_close(gg.dx, gw.dx, grad_tolerance(dt), name + " dx");
          check_close(gg.dweight, gw.dweight, grad_tolerance(dt), name + " dweight");
          check_close(gg.dbias, gw.dbias, grad_tolerance(dt), name + " dbias");
        }
      }
    }
  }
}

TEST_CASE("batch_norm: no running statistics, masks, a non-contiguous input, a channel split into units" *
          needs_cuda()) {
  for (DType dt : {DType::f32, DType::f64}) {
    // 70000 elements per channel: several kUnit-sized partials merged per channel.
    const Tensor big = uniform_cpu({5, 2, 14000}, dt, 7, 100.0, 101.0);
    const kernels::NormForward want = kernels::batch_norm_forward(big, {}, {}, {}, {}, true, 0.1, 1e-5);
    const kernels::NormForward got = kernels::batch_norm_forward(on_cuda(big), {}, {}, {}, {}, true, 0.1, 1e-5);
    check_close(got.y, want.y, tolerance_for(dt), name_of("batch_norm large channel y", dt, big.shape()));
    check_close(got.invstd, want.invstd, tolerance_for(dt),
                name_of("batch_norm large channel invstd", dt, big.shape()));

    const Tensor base = uniform_cpu({6, 8, 5, 4}, dt, 8);
    const Tensor x = base.permute({0, 3, 2, 1}).slice(3, 1, 8, 2);  // [6, 4, 5, 4], non-contiguous
    const kernels::NormForward fw = kernels::batch_norm_forward(x, {}, {}, {}, {}, true, 0.1, 1e-5);
    const kernels::NormForward fg =
        kernels::batch_norm_forward(on_cuda(base).permute({0, 3, 2, 1}).slice(3, 1, 8, 2), {}, {}, {}, {}, true, 0.1,
                                    1e-5);
    check_close(fg.y, fw.y, tolerance_for(dt), name_of("batch_norm strided y", dt, x.shape()));
    const Tensor g = uniform_cpu(x.shape(), dt, 9);
    for (const kernels::NormGradMask mask : {kernels::NormGradMask{true, false, false},
                                             kernels::NormGradMask{false, true, true}}) {
      const kernels::NormGrads want_g = kernels::batch_norm_backward(g, x, {}, fw.mean, fw.invstd, true, mask);
      const kernels::NormGrads got_g =
          kernels::batch_norm_backward(on_cuda(g), on_cuda(x), {}, on_cuda(fw.mean), on_cuda(fw.invstd), true, mask);
      CHECK(got_g.dx.defined() == mask.x);
      CHECK(got_g.dweight.defined() == mask.weight);
      if (mask.x) check_close(got_g.dx, want_g.dx, grad_tolerance(dt), name_of("batch_norm masked dx", dt, x.shape()));
      if (mask.weight) {
        check_close(got_g.dweight, want_g.dweight, grad_tolerance(dt), name_of("batch_norm dweight", dt, x.shape()));
        check_close(got_g.dbias, want_g.dbias, grad_tolerance(dt), name_of("batch_norm dbias", dt, x.shape()));
      }
    }
  }
}

// ---- layer norm ----------------------------------------------------------------------------------------------------

TEST_CASE("layer_norm forward and backward against the CPU: warp rows, block rows, with and without affine" *
          needs_cuda()) {
  struct Case {
    Shape shape, normalized;
  };
  const std::vector<Case> cases = {{{5, 7}, {7}},           {{3, 4, 33}, {33}},  {{2, 3, 5, 6}, {5, 6}},
                                   {{9, 1025}, {1025}},     {{4, 3000}, {3000}}, {{130, 64}, {64}},
                                   {{1, 1}, {1}},           {{200, 3}, {3}}};
  for (DType dt : {DType::f32, DType::f64}) {
    for (const Case& c : cases) {
      for (bool affine : {true, false}) {
        const std::string name = name_of(std::string("layer_norm") + (affine ? " affine" : ""), dt, c.shape);
        const Tensor x = uniform_cpu(c.shape, dt, 11, -1.0, 4.0), g = uniform_cpu(c.shape, dt, 12);
        const Tensor w = affine ? uniform_cpu(c.normalized, dt, 13, 0.5, 1.5) : Tensor();
        const Tensor b = affine ? uniform_cpu(c.normalized, dt, 14) : Tensor();
        const kernels::NormForward want = kernels::layer_norm_forward(x, c.normalized, w, b, 1e-5);
        const kernels::NormForward got =
            kernels::layer_norm_forward(on_cuda(x), c.normalized, on_cuda(w), on_cuda(b), 1e-5);
        check_close(got.y, want.y, tolerance_for(dt), name + " y");
        check_close(got.mean, want.mean, tolerance_for(dt), name + " mean");
        check_close(got.invstd, want.invstd, tolerance_for(dt), name + " rstd");
        const kernels::NormGrads gw = kernels::layer_norm_backward(g, x, c.normalized, want.mean, want.invstd, w);
        const kernels::NormGrads gg = kernels::layer_norm_backward(
            on_cuda(g), on_cuda(x), c.normalized, on_cuda(want.mean), on_cuda(want.invstd), on_cuda(w));
        check_close(gg.dx, gw.dx, grad_tolerance(dt), name + " dx");
        check_close(gg.dweight, gw.dweight, grad_tolerance(dt), name + " dweight");
        check_close(gg.dbias, gw.dbias, grad_tolerance(dt), name + " dbias");
      }
    }
  }
  // A transposed input (made contiguous by the public kernel).
  const Tensor base = uniform_cpu({40, 6}, DType::f32, 15);
  check_close(kernels::layer_norm_forward(on_cuda(base).t(), {40}, {}, {}, 1e-5).y,
              kernels::layer_norm_forward(base.t(), {40}, {}, {}, 1e-5).y, testing::kF32, "layer_norm transposed");
}

// ---- max pooling ---------------------------------------------------------------------------------------------------

TEST_CASE("max_pool2d forward and backward are bitwise equal to the CPU, ties and NaN included" * needs_cuda()) {
  struct Case {
    Shape shape;
    kernels::MaxPool2dParams p;
  };
  const std::vector<Case> cases = {
      {{2, 3, 9, 11}, {{3, 3}, {2, 2}, {1, 1}, {1, 1}, false}},
      {{2, 3, 9, 11}, {{3, 3}, {2, 2}, {1, 1}, {1, 1}, true}},
      {{1, 2, 13, 7}, {{2, 3}, {1, 2}, {1, 0}, {2, 1}, false}},
      {{3, 1, 8, 8}, {{2, 2}, {2, 2}, {0, 0}, {1, 1}, false}},
      {{2, 2, 10, 12}, {{5, 3}, {3, 1}, {2, 1}, {1, 2}, true}},
      {{1, 1, 1, 1}, {{1, 1}, {1, 1}, {0, 0}, {1, 1}, false}},
  };
  for (DType dt : {DType::f32, DType::f64}) {
    for (const Case& c : cases) {
      const std::string name = name_of("max_pool2d", dt, c.shape);
      for (bool ties : {false, true}) {
        const Tensor x = ties ? integer_valued(c.shape, dt, 21) : uniform_cpu(c.shape, dt, 21);
        const kernels::MaxPool2dResult want = kernels::max_pool2d_forward(x, c.p);
        const kernels::MaxPool2dResult got = kernels::max_pool2d_forward(on_cuda(x), c.p);
        check_equal(got.values, want.values, name + " values");
        check_equal(got.indices, want.indices, name + " indices");
        const Tensor gy = uniform_cpu(want.values.shape(), dt, 22);
        check_equal(kernels::max_pool2d_backward(on_cuda(gy), on_cuda(want.indices), c.shape),
                    kernels::max_pool2d_backward(gy, want.indices, c.shape), name + " backward");
      }
    }
    // NaN wins, and a non-contiguous input.
    Tensor x = uniform_cpu({2, 2, 6, 7}, dt, 23);
    const std::vector<double> v = x.to_vector();
    std::vector<double> with_nan = v;
    with_nan[9] = with_nan[40] = with_nan[41] = std::numeric_limits<double>::quiet_NaN();
    x = from_buffer(with_nan.data(), x.shape(), DType::f64).to(dt);
    const kernels::MaxPool2dParams p{{3, 2}, {1, 2}, {1, 1}, {1, 1}, false};
    check_equal(kernels::max_pool2d_forward(on_cuda(x), p).values, kernels::max_pool2d_forward(x, p).values,
                "max_pool2d NaN values");
    check_equal(kernels::max_pool2d_forward(on_cuda(x), p).indices, kernels::max_pool2d_forward(x, p).indices,
                "max_pool2d NaN indices");
    const Tensor xt = x.transpose(2, 3), xtd = on_cuda(x).transpose(2, 3);
    check_equal(kernels::max_pool2d_forward(xtd, p).indices, kernels::max_pool2d_forward(xt, p).indices,
                "max_pool2d transposed input");
  }
}

TEST_CASE("max_pool2d backward handles indices of any geometry" * needs_cuda()) {
  // Indices that are not those of a forward (every output of a plane points to one of two input elements): the
  // gather's candidate ranges come from the indices, so it must still add every gradient, in the CPU's order.
  const Shape input{2, 3, 5, 6};
  std::vector<int64_t> idx(2 * 3 * 4 * 4);
  for (size_t k = 0; k < idx.size(); ++k) idx[k] = (k % 3 == 0) ? 29 : static_cast<int64_t>(k % 30);
  const Tensor indices = tensor(idx, {2, 3, 4, 4});
  for (DType dt : {DType::f32, DType::f64}) {
    const Tensor gy = uniform_cpu({2, 3, 4, 4}, dt, 24);
    check_equal(kernels::max_pool2d_backward(on_cuda(gy), on_cuda(indices), input),
                kernels::max_pool2d_backward(gy, indices, input), std::string("max_pool2d arbitrary indices ") +
                                                                      dtype_name(dt));
  }
}

// ---- average pooling -----------------------------------------------------------------------------------------------

TEST_CASE("avg_pool2d forward and backward are bitwise equal to the CPU" * needs_cuda()) {
  struct Case {
    Shape shape;
    kernels::AvgPool2dParams p;
  };
  const std::vector<Case> cases = {
      {{2, 3, 9, 11}, {{3, 3}, {2, 2}, {1, 1}, false, true, std::nullopt}},
      {{2, 3, 9, 11}, {{3, 3}, {2, 2}, {1, 1}, true, false, std::nullopt}},
      {{2, 3, 9, 11}, {{3, 3}, {2, 2}, {1, 1}, true, true, std::nullopt}},
      {{1, 2, 13, 7}, {{4, 2}, {3, 1}, {2, 1}, false, false, std::nullopt}},
      {{1, 2, 13, 7}, {{4, 2}, {3, 1}, {2, 1}, true, true, int64_t{5}}},
      {{3, 1, 8, 8}, {{2, 2}, {2, 2}, {0, 0}, false, true, std::nullopt}},
      {{2, 2, 5, 5}, {{5, 5}, {1, 1}, {2, 2}, false, false, int64_t{-3}}},
  };
  for (DType dt : {DType::f32, DType::f64}) {
    for (const Case& c : cases) {
      const std::string name = name_of("avg_pool2d", dt, c.shape);
      const Tensor x = uniform_cpu(c.shape, dt, 31);
      const Tensor want = kernels::avg_pool2d_forward(x, c.p);
      check_equal(kernels::avg_pool2d_forward(on_cuda(x), c.p), want, name + " forward");
      const Tensor gy = uniform_cpu(want.shape(), dt, 32);
      check_equal(kernels::avg_pool2d_backward(on_cuda(gy), c.shape, c.p),
                  kernels::avg_pool2d_backward(gy, c.shape, c.p), name + " backward");
    }
    const Tensor base = uniform_cpu({2, 9, 3, 11}, dt, 33);
    const kernels::AvgPool2dParams p{{3, 3}, {2, 2}, {1, 1}, false, true, std::nullopt};
    check_equal(kernels::avg_pool2d_forward(on_cuda(base).permute({0, 2, 1, 3}), p),
                kernels::avg_pool2d_forward(base.permute({0, 2, 1, 3}), p), "avg_pool2d permuted input");
  }
}

TEST_CASE("adaptive_avg_pool2d forward and backward are bitwise equal to the CPU" * needs_cuda()) {
  struct Case {
    Shape shape;
    std::array<int64_t, 2> out;
  };
  const std::vector<Case> cases = {{{2, 3, 7, 9}, {3, 4}}, {{2, 3, 8, 8}, {4, 4}}, {{1, 2, 5, 5}, {7, 7}},
                                   {{2, 2, 13, 6}, {1, 1}}, {{1, 1, 1, 1}, {3, 2}}, {{2, 5, 7, 7}, {7, 7}}};
  for (DType dt : {DType::f32, DType::f64}) {
    for (const Case& c : cases) {
      const std::string name = name_of("adaptive_avg_pool2d", dt, c.shape);
      const Tensor x = uniform_cpu(c.shape, dt, 41);
      const Tensor want = kernels::adaptive_avg_pool2d_forward(x, c.out);
      check_equal(kernels::adaptive_avg_pool2d_forward(on_cuda(x), c.out), want, name + " forward");
      const Tensor gy = uniform_cpu(want.shape(), dt, 42);
      check_equal(kernels::adaptive_avg_pool2d_backward(on_cuda(gy), c.shape),
                  kernels::adaptive_avg_pool2d_backward(gy, c.shape), name + " backward");
    }
  }
}

}  // TEST_SUITE
#endif  // HTP_WITH_CUDA
