// The CUDA matmul family (kernels/cuda/matmul.h) against the CPU kernel on the same inputs: our kernels and cuBLAS
// (kernels::implementation), float32 and float64, odd sizes around the tiles, transposed / broadcast (batch stride 0)
// / strided / unaligned operands, accumulate, empty dimensions, batches beyond gridDim.z; the TF32 and BF16 paths; the
// public matmul / bmm / linear and their autograd backward on CUDA tensors. Compiled in CUDA builds only; skipped
// without a device.
//
// Tolerances, per output element, relative to S = Σ_k |a_mk| |b_kn| (+ |c_mn| when accumulating), computed in float64:
//   float32  1e-5 S. S grows with K, and any summation order's rounding error is at most about K·2^-24·S (√K·2^-24·S
//            typically: 2e-6 S at K = 1000), for the CPU's order as for ours.
//   float64  1e-12 S, the same argument with 2^-53.
//   TF32     2e-3 S: each operand rounded to a 10-bit mantissa, relative error 2^-11 each when rounding to nearest
//            (ours), 2^-10 each if truncated (cuBLAS may), so a product is off by at most about 1e-3 to 2e-3 of itself.
//   BF16     1e-2 S: 7-bit mantissas, 2^-8 each, so a product is off by at most about 8e-3 of itself.
#ifdef HTP_WITH_CUDA
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "cuda_test_util.h"
#include "kernels/binary.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cuda/matmul.h"
#include "kernels/implementation.h"
#include "kernels/matmul.h"
#include "kernels/unary.h"
#include "tensor/creation.h"

using namespace htp;
using htp::testing::needs_cuda;
using htp::testing::uniform_cpu;
using kernels::Implementation;
using kernels::OpFamily;
namespace cpu = htp::kernels::cpu;
namespace gpu = htp::kernels::cuda;

namespace {

constexpr double kRtolF32 = 1e-5, kRtolF64 = 1e-12, kRtolTf32 = 2e-3, kRtolBf16 = 1e-2;

Tensor on_cuda(const Tensor& t) { return t.to(Device::cuda()); }

double rtol_for(DType dt) { return dt == DType::f64 ? kRtolF64 : kRtolF32; }

const char* impl_name(Implementation impl) { return impl == Implementation::ours ? "ours" : "cuBLAS"; }

// set_allow_tf32 for a scope (the environment's HTP_ALLOW_TF32 must not leak into the FP32 checks).
class ScopedTf32 {
 public:
  explicit ScopedTf32(bool allow) : before_(kernels::allow_tf32()) { kernels::set_allow_tf32(allow); }
  ~ScopedTf32() { kernels::set_allow_tf32(before_); }
  ScopedTf32(const ScopedTf32&) = delete;
  ScopedTf32& operator=(const ScopedTf32&) = delete;

 private:
  bool before_;
};

// How an operand [B, R, C] is laid out: the same view of the same values on the CPU and on the device.
enum class View { contiguous, transposed, broadcast, broadcast_transposed, strided, unaligned };
const View kViews[] = {View::contiguous,           View::transposed, View::broadcast,
                       View::broadcast_transposed, View::strided,    View::unaligned};

const char* view_name(View v) {
  switch (v) {
    case View::contiguous:
      return "contiguous";
    case View::transposed:
      return "transposed";
    case View::broadcast:
      return "broadcast";
    case View::broadcast_transposed:
      return "broadcast transposed";
    case View::strided:
      return "strided";
    case View::unaligned:
      return "unaligned";
  }
  return "?";
}

struct Pair {
  Tensor cpu, gpu;
};

// Values uniform in [-1, 1) of dtype dt, shaped [B, R, C] through view v.
Pair operand(View v, int64_t B, int64_t R, int64_t C, DType dt, uint64_t seed) {
  Shape base;
  std::function<Tensor(const Tensor&)> view;
  switch (v) {
    case View::contiguous:
      base = {B, R, C};
      view = [](const Tensor& t) { return t; };
      break;
    case View::transposed:  // column-major matrices: a trans flag
      base = {B, C, R};
      view = [](const Tensor& t) { return t.transpose(1, 2); };
      break;
    case View::broadcast:  // batch stride 0
      base = {1, R, C};
      view = [=](const Tensor& t) { return t.expand({B, R, C}); };
      break;
    case View::broadcast_transposed:
      base = {1, C, R};
      view = [=](const Tensor& t) { return t.transpose(1, 2).expand({B, R, C}); };
      break;
    case View::strided:  // column stride 2: copied to contiguous first
      base = {B, R, 2 * C};
      view = [=](const Tensor& t) { return t.slice(2, 0, 2 * C, 2); };
      break;
    case View::unaligned:  // one element past a 16-byte boundary: no vector loads
      base = {B * R * C + 1};
      view = [=](const Tensor& t) { return t.narrow(0, 1, B * R * C).view({B, R, C}); };
      break;
  }
  const Tensor x = uniform_cpu(base, dt, seed, -1.0, 1.0);
  return {view(x), view(on_cuda(x))};
}

Pair contiguous_operand(int64_t B, int64_t R, int64_t C, DType dt, uint64_t seed) {
  return operand(View::contiguous, B, R, C, dt, seed);
}

// S = Σ_k |a_mk| |b_kn| (+ |c|), float64 on the CPU: the scale of the rounding error of each output element.
Tensor error_scale(const Tensor& a, const Tensor& b, const Tensor& c = Tensor()) {
  Tensor s = empty({a.size(0), a.size(1), b.size(2)}, DType::f64);
  cpu::batched_matmul(kernels::abs(a.to(DType::f64)), kernels::abs(b.to(DType::f64)), s);
  return c.defined() ? kernels::add(s, kernels::abs(c.to(DType::f64))) : s;
}

// Largest |got - want| / S over the elements (0 / 0 counts as 0); NaN when an element is NaN or the shapes differ.
double worst_error(const Tensor& got, const Tensor& want, const Tensor& scale) {
  if (got.shape() != want.shape()) return NAN;
  const std::vector<double> g = got.to_vector(), w = want.to_vector(), s = scale.to_vector();
  double worst = 0;
  for (size_t i = 0; i < g.size(); ++i) {
    const double err = std::abs(g[i] - w[i]);
    if (std::isnan(err)) return NAN;
    if (err > 0) worst = std::max(worst, s[i] > 0 ? err / s[i] : INFINITY);
  }
  return worst;
}

void check_gemm(const Tensor& got, const Tensor& want, const Tensor& scale, double rtol, const std::string& what) {
  INFO(what);
  const double worst = worst_error(got, want, scale);
  CHECK_MESSAGE(worst <= rtol, "worst error ", worst, " x S exceeds ", rtol, " x S");
}

// cuda::batched_matmul (implementation impl) against cpu::batched_matmul on the same operands; returns the worst
// error. The device output starts as NaN (unwritten elements show) or, when accumulating, as the CPU's.
double compare(const Pair& a, const Pair& b, bool accumulate, Implementation impl, double rtol,
               const std::string& what) {
  const int64_t B = a.cpu.size(0), M = a.cpu.size(1), N = b.cpu.size(2);
  const DType dt = a.cpu.dtype();
  const Tensor c0 = uniform_cpu({B, M, N}, dt, 77, -1.0, 1.0);
  Tensor want = accumulate ? c0.clone() : empty({B, M, N}, dt);
  Tensor got = accumulate ? on_cuda(c0) : full({B, M, N}, NAN, dt, Device::cuda());
  cpu::batched_matmul(a.cpu, b.cpu, want, accumulate);
  {
    kernels::ScopedImplementation use(OpFamily::matmul, impl);
    gpu::batched_matmul(a.gpu, b.gpu, got, accumulate);
  }
  const Tensor scale = error_scale(a.cpu, b.cpu, accumulate ? c0 : Tensor());
  check_gemm(got, want, scale, rtol, what);
  return worst_error(got, want, scale);
}

// gemm_bf16 against the CPU's float32 product of the same operands (as given: float32, or bfloat16 widened).
void compare_bf16(const Pair& a, const Pair& b, bool accumulate, Implementation impl, const std::string& what) {
  const int64_t B = a.cpu.size(0), M = a.cpu.size(1), N = b.cpu.size(2);
  const Tensor a32 = a.cpu.to(DType::f32), b32 = b.cpu.to(DType::f32);
  const Tensor c0 = uniform_cpu({B, M, N}, DType::f32, 78, -1.0, 1.0);
  Tensor want = accumulate ? c0.clone() : empty({B, M, N});
  Tensor got = accumulate ? on_cuda(c0) : full({B, M, N}, NAN, DType::f32, Device::cuda());
  cpu::batched_matmul(a32, b32, want, accumulate);
  {
    kernels::ScopedImplementation use(OpFamily::matmul, impl);
    gpu::gemm_bf16(a.gpu, b.gpu, got, accumulate);
  }
  check_gemm(got, want, error_scale(a32, b32, accumulate ? c0 : Tensor()), kRtolBf16, what);
}

std::string label(const char* kind, Implementation impl, DType dt, int64_t B, int64_t M, int64_t K, int64_t N) {
  return std::string(kind) + " " + impl_name(impl) + " " + dtype_name(dt) + " [" + std::to_string(B) + ", " +
         std::to_string(M) + ", " + std::to_string(K) + "] x [" + std::to_string(K) + ", " + std::to_string(N) + "]";
}

struct Size {
  int64_t B, M, K, N;
};

// Sizes around the tiles (SIMT float32 128 x 128 x 8, float64 64 x 64 x 8, tensor cores 128 x 128 x 16/32):
// single elements, primes, one past a tile, K longer than many slices.
const std::vector<Size> kOddSizes = {{1, 1, 1, 1},     {1, 1, 7, 1},       {1, 7, 1, 7},       {1, 7, 7, 7},
                                     {1, 33, 33, 33},  {1, 1, 257, 129},   {1, 129, 1, 33},    {1, 257, 33, 1},
                                     {1, 128, 8, 128}, {1, 129, 129, 129}, {1, 257, 257, 257}, {1, 130, 1000, 66},
                                     {3, 65, 17, 257}, {2, 7, 33, 129}};

const Implementation kImpls[] = {Implementation::ours, Implementation::vendor};

}  // namespace

TEST_SUITE("cuda") {
  TEST_CASE("batched_matmul: ours and cuBLAS against the CPU, float32 and float64, odd sizes" * needs_cuda()) {
    const ScopedTf32 fp32(false);
    for (DType dt : {DType::f32, DType::f64}) {
      for (const Size& s : kOddSizes) {
        const Pair a = contiguous_operand(s.B, s.M, s.K, dt, 1), b = contiguous_operand(s.B, s.K, s.N, dt, 2);
        for (Implementation impl : kImpls)
          compare(a, b, false, impl, rtol_for(dt), label("matmul", impl, dt, s.B, s.M, s.K, s.N));
      }
    }
  }

  TEST_CASE("batched_matmul: transposed, broadcast, strided and unaligned operands" * needs_cuda()) {
    const ScopedTf32 fp32(false);
    // An odd shape (single-element loads everywhere) and one whose leading dimensions allow 16-byte loads, each one
    // past a tile in M and N.
    for (const Size& s : {Size{3, 37, 29, 41}, Size{2, 132, 72, 136}}) {
      for (DType dt : {DType::f32, DType::f64}) {
        for (View va : kViews) {
          for (View vb : kViews) {
            const Pair a = operand(va, s.B, s.M, s.K, dt, 3), b = operand(vb, s.B, s.K, s.N, dt, 4);
            for (Implementation impl : kImpls)
              compare(a, b, false, impl, rtol_for(dt),
                      label("matmul", impl, dt, s.B, s.M, s.K, s.N) + " a " + view_name(va) + ", b " + view_name(vb));
          }
        }
      }
    }
  }

  TEST_CASE("batched_matmul: accumulate adds into out" * needs_cuda()) {
    const ScopedTf32 fp32(false);
    for (DType dt : {DType::f32, DType::f64}) {
      for (const Size& s : {Size{1, 1, 1, 1}, Size{2, 33, 7, 129}, Size{3, 130, 64, 132}}) {
        for (View vb : {View::contiguous, View::broadcast, View::transposed}) {
          const Pair a = contiguous_operand(s.B, s.M, s.K, dt, 5), b = operand(vb, s.B, s.K, s.N, dt, 6);
          for (Implementation impl : kImpls)
            compare(a, b, true, impl, rtol_for(dt),
                    label("matmul accumulate", impl, dt, s.B, s.M, s.K, s.N) + " b " + view_name(vb));
        }
      }
    }
  }

  TEST_CASE("batched_matmul: empty dimensions, K = 0, and batches beyond gridDim.z" * needs_cuda()) {
    const ScopedTf32 fp32(false);
    for (Implementation impl : kImpls) {
      kernels::ScopedImplementation use(OpFamily::matmul, impl);
      INFO(impl_name(impl));
      for (const Size& s : {Size{0, 3, 4, 5}, Size{2, 0, 4, 5}, Size{2, 3, 4, 0}}) {
        const Pair a = contiguous_operand(s.B, s.M, s.K, DType::f32, 7),
                   b = contiguous_operand(s.B, s.K, s.N, DType::f32, 8);
        Tensor out = empty({s.B, s.M, s.N}, DType::f32, Device::cuda());
        gpu::batched_matmul(a.gpu, b.gpu, out);
        CHECK(out.numel() == 0);
      }
      // K = 0: the empty sum is 0; accumulating adds nothing.
      const Pair a = contiguous_operand(2, 3, 0, DType::f32, 9), b = contiguous_operand(2, 0, 5, DType::f32, 10);
      Tensor out = full({2, 3, 5}, NAN, DType::f32, Device::cuda());
      gpu::batched_matmul(a.gpu, b.gpu, out);
      testing::check_equal(out, zeros({2, 3, 5}), "K = 0");
      const Tensor c0 = uniform_cpu({2, 3, 5}, DType::f32, 11);
      Tensor acc = on_cuda(c0);
      gpu::batched_matmul(a.gpu, b.gpu, acc, true);
      testing::check_equal(acc, c0, "K = 0, accumulate");
    }
    // 70000 independent entries: more than gridDim.z's 65535, launched in chunks.
    const Pair a = contiguous_operand(70000, 2, 3, DType::f32, 12), b = contiguous_operand(70000, 3, 2, DType::f32, 13);
    for (Implementation impl : kImpls)
      compare(a, b, false, impl, kRtolF32, label("matmul", impl, DType::f32, 70000, 2, 3, 2));
  }

  TEST_CASE("batched_matmul float32 with TF32 allowed: ours and cuBLAS within TF32 rounding" * needs_cuda()) {
    const ScopedTf32 tf32(true);
    for (const Size& s : {Size{1, 1, 1, 1}, Size{1, 7, 33, 129}, Size{2, 129, 257, 33}, Size{1, 256, 512, 256}}) {
      for (View va : {View::contiguous, View::transposed}) {
        for (View vb : {View::contiguous, View::broadcast_transposed, View::unaligned}) {
          const Pair a = operand(va, s.B, s.M, s.K, DType::f32, 14), b = operand(vb, s.B, s.K, s.N, DType::f32, 15);
          for (Implementation impl : kImpls) {
            const std::string what = label("matmul TF32", impl, DType::f32, s.B, s.M, s.K, s.N) + " a " +
                                     view_name(va) + ", b " + view_name(vb);
            const double worst = compare(a, b, false, impl, kRtolTf32, what);
            // Our TF32 path must really round: over 65536 sums of 512 products its error is far above FP32's (~1e-7 S).
            if (impl == Implementation::ours && s.K == 512)
              CHECK_MESSAGE(worst > 1e-6, what, ": no TF32 rounding seen");
          }
        }
      }
    }
    const Pair a = contiguous_operand(2, 130, 40, DType::f32, 16), b = contiguous_operand(2, 40, 70, DType::f32, 17);
    for (Implementation impl : kImpls)
      compare(a, b, true, impl, kRtolTf32, label("matmul TF32 accumulate", impl, DType::f32, 2, 130, 40, 70));
  }

  TEST_CASE("gemm_bf16: ours and cuBLAS, float32 or bfloat16 operands, against the CPU's float32 product" *
            needs_cuda()) {
    for (Implementation impl : kImpls) {
      for (const Size& s : {Size{1, 1, 1, 1}, Size{1, 7, 33, 129}, Size{2, 129, 257, 33}, Size{1, 256, 512, 256}}) {
        for (View va : {View::contiguous, View::transposed, View::broadcast}) {
          for (View vb : {View::contiguous, View::transposed, View::strided}) {
            const Pair a = operand(va, s.B, s.M, s.K, DType::f32, 18), b = operand(vb, s.B, s.K, s.N, DType::f32, 19);
            compare_bf16(a, b, false, impl,
                         label("gemm_bf16", impl, DType::f32, s.B, s.M, s.K, s.N) + " a " + view_name(va) + ", b " +
                             view_name(vb));
          }
        }
        // Operands already bfloat16 (no conversion inside), 16-byte loads where the sizes allow them.
        const Pair a = contiguous_operand(s.B, s.M, s.K, DType::f32, 20),
                   b = contiguous_operand(s.B, s.K, s.N, DType::f32, 21);
        const Pair a16{a.cpu.to(DType::bf16), a.gpu.to(DType::bf16)}, b16{b.cpu.to(DType::bf16), b.gpu.to(DType::bf16)};
        compare_bf16(a16, b16, false, impl,
                     label("gemm_bf16 (bfloat16 operands)", impl, DType::bf16, s.B, s.M, s.K, s.N));
        compare_bf16(a16, b16, true, impl, label("gemm_bf16 accumulate", impl, DType::bf16, s.B, s.M, s.K, s.N));
      }
    }
    const Tensor x = empty({1, 2, 3}, DType::f64, Device::cuda()), y = empty({1, 3, 4}, DType::f32, Device::cuda());
    CHECK_THROWS_WITH(gpu::gemm_bf16(x, y, empty({1, 2, 4}, DType::f32, Device::cuda())),
                      doctest::Contains("operands must be float32 or bfloat16"));
    CHECK_THROWS_WITH(gpu::gemm_bf16(y, y, empty({1, 3, 4}, DType::f32, Device::cuda())),
                      doctest::Contains("expected a [B, M, K], b [B, K, N]"));
  }

  TEST_CASE("matmul, bmm and linear on CUDA tensors (the public dispatch) against the CPU" * needs_cuda()) {
    const ScopedTf32 fp32(false);
    for (Implementation impl : kImpls) {
      kernels::ScopedImplementation use(OpFamily::matmul, impl);
      for (DType dt : {DType::f32, DType::f64}) {
        const testing::Tolerance tol =
            dt == DType::f64 ? testing::Tolerance{1e-12, 1e-12} : testing::Tolerance{1e-4, 1e-5};
        const std::string what = std::string(impl_name(impl)) + " " + dtype_name(dt);
        const Tensor v = uniform_cpu({6}, dt, 22), m = uniform_cpu({6, 4}, dt, 23), n = uniform_cpu({5, 6}, dt, 24);
        const Tensor a4 = uniform_cpu({2, 1, 5, 6}, dt, 25), b3 = uniform_cpu({3, 6, 4}, dt, 26);
        testing::check_close(kernels::matmul(on_cuda(v), on_cuda(v)), kernels::matmul(v, v), tol, what + " dot");
        testing::check_close(kernels::matmul(on_cuda(v), on_cuda(m)), kernels::matmul(v, m), tol,
                             what + " vector x matrix");
        testing::check_close(kernels::matmul(on_cuda(n), on_cuda(v)), kernels::matmul(n, v), tol,
                             what + " matrix x vector");
        testing::check_close(kernels::matmul(on_cuda(a4), on_cuda(b3)), kernels::matmul(a4, b3), tol,
                             what + " broadcast batch");
        testing::check_close(kernels::matmul(on_cuda(a4), on_cuda(m)), kernels::matmul(a4, m), tol,
                             what + " stack x shared");
        const Tensor p = uniform_cpu({3, 5, 6}, dt, 27);
        testing::check_close(kernels::bmm(on_cuda(p), on_cuda(b3)), kernels::bmm(p, b3), tol, what + " bmm");
        const Tensor x = uniform_cpu({2, 3, 6}, dt, 28), w = uniform_cpu({4, 6}, dt, 29),
                     bias = uniform_cpu({4}, dt, 30);
        testing::check_close(kernels::linear(on_cuda(x), on_cuda(w), on_cuda(bias)), kernels::linear(x, w, bias), tol,
                             what + " linear with bias");
        testing::check_close(kernels::linear(on_cuda(x), on_cuda(w)), kernels::linear(x, w), tol, what + " linear");
      }
    }
  }

  TEST_CASE("matmul, bmm and linear backward on CUDA against the CPU" * needs_cuda()) {
    const ScopedTf32 fp32(false);
    for (Implementation impl : kImpls) {
      kernels::ScopedImplementation use(OpFamily::matmul, impl);
      for (DType dt : {DType::f32, DType::f64}) {
        const testing::Tolerance tol =
            dt == DType::f64 ? testing::Tolerance{1e-12, 1e-12} : testing::Tolerance{1e-4, 1e-5};
        const std::string what = std::string(impl_name(impl)) + " " + dtype_name(dt);
        // f(inputs) on both devices with the same values and upstream gradient; every input's gradient compared.
        auto check_grads = [&](const std::vector<Tensor>& inputs,
                               const std::function<Variable(const std::vector<Variable>&)>& f,
                               const std::string& name) {
          std::vector<Variable> on_cpu, on_gpu;
          for (const Tensor& t : inputs) {
            on_cpu.emplace_back(t.clone(), true);
            on_gpu.emplace_back(on_cuda(t), true);
          }
          const Variable y = f(on_cpu), yd = f(on_gpu);
          const Tensor g = uniform_cpu(y.shape(), dt, 31);
          y.backward(g);
          yd.backward(on_cuda(g));
          testing::check_close(yd.data(), y.data(), tol, what + " " + name + " forward");
          for (size_t i = 0; i < inputs.size(); ++i)
            testing::check_close(on_gpu[i].grad(), on_cpu[i].grad(), tol,
                                 what + " " + name + " grad of input " + std::to_string(i));
        };
        check_grads(
            {uniform_cpu({2, 1, 5, 6}, dt, 32), uniform_cpu({3, 6, 4}, dt, 33)},
            [](const std::vector<Variable>& v) { return matmul(v[0], v[1]); }, "matmul broadcast");
        check_grads(
            {uniform_cpu({4, 5, 6}, dt, 34), uniform_cpu({6, 7}, dt, 35)},
            [](const std::vector<Variable>& v) { return matmul(v[0], v[1]); }, "matmul stack x shared");
        check_grads(
            {uniform_cpu({6}, dt, 36), uniform_cpu({6, 3}, dt, 37)},
            [](const std::vector<Variable>& v) { return matmul(v[0], v[1]); }, "matmul vector x matrix");
        check_grads(
            {uniform_cpu({3, 5, 6}, dt, 38), uniform_cpu({3, 6, 4}, dt, 39)},
            [](const std::vector<Variable>& v) { return bmm(v[0], v[1]); }, "bmm");
        check_grads(
            {uniform_cpu({2, 3, 6}, dt, 40), uniform_cpu({4, 6}, dt, 41), uniform_cpu({4}, dt, 42)},
            [](const std::vector<Variable>& v) { return linear(v[0], v[1], v[2]); }, "linear");
      }
    }
  }

}  // TEST_SUITE

#endif  // HTP_WITH_CUDA
