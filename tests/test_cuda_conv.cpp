// conv2d's CUDA twins (kernels/cuda/conv.h) against the CPU kernels on the same inputs: forward (with and without
// bias), backward input, weight and bias, float32 and float64, for our implicit-GEMM kernels and, in builds with
// cuDNN, for cuDNN (kernels::ScopedImplementation picks the side). Shapes: 1x1, 3x3 pad 1, 7x7 stride 2 pad 3, 1x1
// stride 2 (ResNet downsample), dilation 2, groups 2, depthwise, mixed per-axis stride/padding/dilation, batch 1 and
// 3, odd spatial sizes, channel counts that are not tile multiples, a weight gradient long enough to be split (split-K),
// and an empty batch. Outputs start as NaN, so an element a kernel forgets to write fails. Then: the split-K weight
// gradient is bitwise reproducible, and autograd's Conv2d backward on CUDA matches the CPU.
//
// Tolerance, per element: |got - want| <= rtol |want| + atol_per_term L, where L is the length of the sum behind the
// element (forward: C/groups kh kw + 1 with the bias; backward input: O/groups kh kw; backward weight and bias:
// N OH OW) and every input lies in [-1, 1]. The CPU and the device add the same products in different orders; the
// rounding error of such a sum typically grows like L ε (ε = 1.2e-7 in float32, 2.2e-16 in float64), so:
//   float32: rtol 1e-5, atol_per_term 1e-6 (≈ 8 ε) for ours, 1e-5 for cuDNN, whose Winograd / FFT algorithms add the
//            rounding of their transforms;  float64: rtol 1e-12, atol_per_term 1e-14 (≈ 45 ε).
// Compiled in CUDA builds only; skipped without a device.
#ifdef HTP_WITH_CUDA
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "autograd/functions/conv.h"
#include "autograd/variable.h"
#include "cuda_test_util.h"
#include "kernels/conv.h"
#include "kernels/cpu/conv.h"
#include "kernels/cuda/conv.h"
#include "kernels/implementation.h"
#include "tensor/creation.h"

using namespace htp;
using htp::testing::check_close;
using htp::testing::check_equal;
using htp::testing::needs_cuda;
using htp::testing::Tolerance;
using htp::testing::uniform_cpu;
using kernels::Conv2dParams;
using kernels::Implementation;
using kernels::OpFamily;
namespace cpu = htp::kernels::cpu;
namespace gpu = htp::kernels::cuda;

namespace {

Tensor on_cuda(const Tensor& t) { return t.to(Device::cuda()); }

Conv2dParams params(std::array<int64_t, 2> stride, std::array<int64_t, 2> padding, std::array<int64_t, 2> dilation,
                    int64_t groups) {
  Conv2dParams p;
  p.stride = stride;
  p.padding = padding;
  p.dilation = dilation;
  p.groups = groups;
  return p;
}

struct Case {
  std::string name;
  Shape x, w;  // [N, C, H, W], [O, C/groups, kh, kw]
  Conv2dParams p;
  bool large = false;  // float32 only: sized so that the kernels pick their 128x128 / 64x128 tiles (see below)
};

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"1x1", {3, 5, 9, 7}, {6, 5, 1, 1}, params({1, 1}, {0, 0}, {1, 1}, 1)},
      {"3x3 pad 1", {3, 7, 11, 13}, {10, 7, 3, 3}, params({1, 1}, {1, 1}, {1, 1}, 1)},
      {"7x7 stride 2 pad 3", {1, 3, 23, 19}, {9, 3, 7, 7}, params({2, 2}, {3, 3}, {1, 1}, 1)},
      {"1x1 stride 2 (downsample)", {3, 9, 15, 15}, {17, 9, 1, 1}, params({2, 2}, {0, 0}, {1, 1}, 1)},
      {"3x3 dilation 2 pad 2", {1, 4, 13, 12}, {5, 4, 3, 3}, params({1, 1}, {2, 2}, {2, 2}, 1)},
      {"3x3 groups 2", {3, 6, 10, 9}, {10, 3, 3, 3}, params({1, 1}, {1, 1}, {1, 1}, 2)},
      {"3x3 depthwise stride 2", {1, 8, 11, 11}, {8, 1, 3, 3}, params({2, 2}, {1, 1}, {1, 1}, 8)},
      {"3x2 stride (2, 1) pad (0, 2) dilation (1, 3)", {3, 5, 10, 14}, {7, 5, 3, 2}, params({2, 1}, {0, 2}, {1, 3}, 1)},
      {"3x3 70 -> 133 channels (partial tiles in M, N, K)", {3, 70, 17, 17}, {133, 70, 3, 3},
       params({1, 1}, {1, 1}, {1, 1}, 1)},
      {"3x3 stride 2 130 -> 66 channels groups 2", {2, 130, 9, 9}, {66, 65, 3, 3}, params({2, 2}, {1, 1}, {1, 1}, 2)},
      {"3x3 16 -> 24 at 40x40 (split-K weight gradient)", {3, 16, 40, 40}, {24, 16, 3, 3},
       params({1, 1}, {1, 1}, {1, 1}, 1)},
      // Small GEMMs run on 64x64 tiles; these two are large enough (at least 170 blocks) for the 128x128 tile (more
      // than 64 output rows per group) and the 64x128 tile (at most 64) on GPUs with up to 170 multiprocessors.
      {"3x3 70 -> 133 at 60x60 (128x128 tiles)", {3, 70, 60, 60}, {133, 70, 3, 3}, params({1, 1}, {1, 1}, {1, 1}, 1),
       true},
      {"3x3 40 -> 48 at 90x90 (64x128 tiles)", {3, 40, 90, 90}, {48, 40, 3, 3}, params({1, 1}, {1, 1}, {1, 1}, 1), true},
  };
  return all;
}

// The sides to check: ours always, cuDNN where the build has it (elsewhere the vendor choice would run ours again).
std::vector<Implementation> implementations() {
#ifdef HTP_WITH_CUDNN
  return {Implementation::ours, Implementation::vendor};
#else
  return {Implementation::ours};
#endif
}

Tolerance conv_tolerance(DType dt, Implementation impl, int64_t terms) {
  const double n = static_cast<double>(terms);
  if (dt == DType::f64) return {1e-12, 1e-14 * n};
  return {1e-5, (impl == Implementation::vendor ? 1e-5 : 1e-6) * n};
}

Tensor nan_on_cuda(const Shape& shape, DType dt) { return full(shape, NAN, dt, Device::cuda()); }

}  // namespace

TEST_SUITE("cuda") {

TEST_CASE("conv2d forward and backward kernels against the CPU" * needs_cuda()) {
  uint64_t seed = 100;
  for (const Case& c : cases()) {
    const int64_t N = c.x[0], O = c.w[0], G = c.p.groups;
    const Shape ys = kernels::conv2d_output_shape(c.x, c.w, c.p);
    const int64_t taps = c.w[2] * c.w[3], positions = N * ys[2] * ys[3];
    for (DType dt : {DType::f32, DType::f64}) {
      if (c.large && dt == DType::f64) continue;  // float64 always runs the 64x64 tile
      const Tensor x = uniform_cpu(c.x, dt, ++seed, -1, 1), w = uniform_cpu(c.w, dt, ++seed, -1, 1);
      const Tensor b = uniform_cpu({O}, dt, ++seed, -1, 1), gy = uniform_cpu(ys, dt, ++seed, -1, 1);
      Tensor y = empty(ys, dt), y_nobias = empty(ys, dt), gx = empty(c.x, dt), gw = empty(c.w, dt), gb = empty({O}, dt);
      cpu::conv2d_forward(x, w, b, c.p, y);
      cpu::conv2d_forward(x, w, Tensor(), c.p, y_nobias);
      cpu::conv2d_backward_input(gy, w, c.p, gx);
      cpu::conv2d_backward_weight(gy, x, c.p, gw);
      cpu::conv2d_backward_bias(gy, gb);
      const Tensor xd = on_cuda(x), wd = on_cuda(w), bd = on_cuda(b), gyd = on_cuda(gy);
      for (Implementation impl : implementations()) {
        const kernels::ScopedImplementation use(OpFamily::conv2d, impl);
        const std::string label = c.name + " " + dtype_name(dt) + " " + kernels::implementation_name(OpFamily::conv2d);
        Tensor yd = nan_on_cuda(ys, dt), yd_nobias = nan_on_cuda(ys, dt), gxd = nan_on_cuda(c.x, dt);
        Tensor gwd = nan_on_cuda(c.w, dt), gbd = nan_on_cuda({O}, dt);
        gpu::conv2d_forward(xd, wd, bd, c.p, yd);
        gpu::conv2d_forward(xd, wd, Tensor(), c.p, yd_nobias);
        gpu::conv2d_backward_input(gyd, wd, c.p, gxd);
        gpu::conv2d_backward_weight(gyd, xd, c.p, gwd);
        gpu::conv2d_backward_bias(gyd, gbd);
        check_close(yd, y, conv_tolerance(dt, impl, c.w[1] * taps + 1), label + " forward");
        check_close(yd_nobias, y_nobias, conv_tolerance(dt, impl, c.w[1] * taps), label + " forward without bias");
        check_close(gxd, gx, conv_tolerance(dt, impl, O / G * taps), label + " backward input");
        check_close(gwd, gw, conv_tolerance(dt, impl, positions), label + " backward weight");
        check_close(gbd, gb, conv_tolerance(dt, impl, positions), label + " backward bias");
      }
    }
  }
}

TEST_CASE("conv2d on an empty batch: zero weight and bias gradients" * needs_cuda()) {
  const Conv2dParams p = params({1, 1}, {1, 1}, {1, 1}, 1);
  const Shape xs{0, 3, 5, 5}, ws{4, 3, 3, 3};
  const Tensor gy = empty(kernels::conv2d_output_shape(xs, ws, p), DType::f32, Device::cuda());
  const Tensor x = empty(xs, DType::f32, Device::cuda());
  for (Implementation impl : implementations()) {
    const kernels::ScopedImplementation use(OpFamily::conv2d, impl);
    Tensor gw = nan_on_cuda(ws, DType::f32), gb = nan_on_cuda({4}, DType::f32);
    gpu::conv2d_backward_weight(gy, x, p, gw);
    gpu::conv2d_backward_bias(gy, gb);
    check_equal(gw, zeros(ws), "weight gradient of an empty batch");
    check_equal(gb, zeros({4}), "bias gradient of an empty batch");
  }
}

TEST_CASE("conv2d weight gradient (split-K) is bitwise reproducible" * needs_cuda()) {
  const Conv2dParams p = params({1, 1}, {1, 1}, {1, 1}, 1);
  const Shape xs{3, 16, 40, 40}, ws{24, 16, 3, 3}, ys = kernels::conv2d_output_shape(xs, ws, p);
  const Tensor xd = on_cuda(uniform_cpu(xs, DType::f32, 7, -1, 1)), gyd = on_cuda(uniform_cpu(ys, DType::f32, 8, -1, 1));
  const kernels::ScopedImplementation use(OpFamily::conv2d, Implementation::ours);
  Tensor first = empty(ws, DType::f32, Device::cuda()), second = empty(ws, DType::f32, Device::cuda());
  gpu::conv2d_backward_weight(gyd, xd, p, first);
  gpu::conv2d_backward_weight(gyd, xd, p, second);
  check_equal(second, first, "two runs of the weight gradient");
}

TEST_CASE("autograd Conv2d forward and backward on CUDA match the CPU" * needs_cuda()) {
  const Conv2dParams p = params({2, 1}, {1, 1}, {1, 1}, 2);
  const Shape xs{2, 6, 9, 8}, ws{8, 3, 3, 3};
  const int64_t taps = 9;
  for (DType dt : {DType::f32, DType::f64}) {
    const Tensor x = uniform_cpu(xs, dt, 20, -1, 1), w = uniform_cpu(ws, dt, 21, -1, 1), b = uniform_cpu({8}, dt, 22, -1, 1);
    const Shape ys = kernels::conv2d_output_shape(xs, ws, p);
    const Tensor gy = uniform_cpu(ys, dt, 23, -1, 1);
    // y, dx, dW, db of conv2d on `device` for the upstream gradient gy.
    auto run = [&](Device device) {
      Variable xv(x.to(device), true), wv(w.to(device), true), bv(b.to(device), true);
      const Variable y = conv2d(xv, wv, bv, p);
      y.backward(gy.to(device));
      return std::vector<Tensor>{y.data(), xv.grad(), wv.grad(), bv.grad()};
    };
    const std::vector<Tensor> want = run(Device::cpu());
    for (Implementation impl : implementations()) {
      const kernels::ScopedImplementation use(OpFamily::conv2d, impl);
      const std::vector<Tensor> got = run(Device::cuda());
      const std::string label = std::string(dtype_name(dt)) + " " + kernels::implementation_name(OpFamily::conv2d);
      const int64_t positions = ys[0] * ys[2] * ys[3];
      REQUIRE(got[1].defined());
      CHECK(got[1].device() == Device::cuda());
      check_close(got[0], want[0], conv_tolerance(dt, impl, 3 * taps + 1), label + " y");
      check_close(got[1], want[1], conv_tolerance(dt, impl, 4 * taps), label + " dx");
      check_close(got[2], want[2], conv_tolerance(dt, impl, positions), label + " dW");
      check_close(got[3], want[3], conv_tolerance(dt, impl, positions), label + " db");
    }
  }
}

}  // TEST_SUITE

#endif  // HTP_WITH_CUDA
