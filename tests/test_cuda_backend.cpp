// The CUDA backend's foundation: runtime queries, error messages, host <-> device copies for every dtype and layout,
// on-device dtype conversion, fills, the caching allocator's statistics and its out-of-memory message.
// Without a device these cases are skipped (one line says so); in a build without CUDA one case says that instead.
#include <doctest/doctest.h>

#include <cstdio>

#ifdef HTP_WITH_CUDA
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "cuda_test_util.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/runtime.h"
#include "tensor/creation.h"
#include "tensor/device_backend.h"

using namespace htp;
using htp::testing::check_equal;
using htp::testing::needs_cuda;
using htp::testing::uniform_cpu;
namespace hc = htp::kernels::cuda;

namespace {

const DType kAllDtypes[] = {DType::f32, DType::f64, DType::i64, DType::i32,
                            DType::u8,  DType::boolean, DType::f16, DType::bf16};

// Values every dtype holds (up to rounding): [0, 100) with fractions, as `dtype`; bools about half true.
Tensor sample(const Shape& shape, DType dtype, uint64_t seed) {
  if (dtype == DType::boolean) return uniform_cpu(shape, DType::i64, seed, 0.0, 2.0).to(DType::boolean);
  return uniform_cpu(shape, dtype, seed, 0.0, 100.0);
}

void sync_cuda() { device_backend(DeviceType::CUDA).synchronize(Device::cuda()); }

}  // namespace

TEST_SUITE("cuda") {

// Runs everywhere: the messages do not need a device (without a driver the call fails just the same).
TEST_CASE("CUDA and cuBLAS errors name the op, the call, the error and the place") {
  std::string msg;
  try {
    HTP_CUDA_CHECK(cudaSetDevice(1 << 20), "test op");
  } catch (const Error& e) {
    msg = e.what();
  }
  (void)cudaGetLastError();  // the failed call set the runtime's last error; leave it clean for later cases
  CHECK(msg.find("test op: CUDA call cudaSetDevice(1 << 20) failed: ") == 0);
  CHECK(msg.find("test_cuda_backend.cpp:") != std::string::npos);
  CHECK(msg.find("(cuda") != std::string::npos);  // the error's name, e.g. (cudaErrorInvalidDevice)

  const auto fail = [] { HTP_CUBLAS_CHECK(CUBLAS_STATUS_NOT_INITIALIZED, "gemm"); };
  CHECK_THROWS_WITH(fail(), doctest::Contains("gemm: cuBLAS call CUBLAS_STATUS_NOT_INITIALIZED failed: "));
  CHECK_THROWS_WITH(fail(), doctest::Contains("(CUBLAS_STATUS_NOT_INITIALIZED)"));
}

TEST_CASE("CUDA runtime: devices, one stream and one cuBLAS handle per device, device guard" * needs_cuda()) {
  const int n = hc::cuda_device_count();
  REQUIRE(n >= 1);
  const cudaDeviceProp& p = hc::device_properties(0);
  MESSAGE("cuda:0 is ", hc::device_name(0), ", compute capability ", p.major, ".", p.minor, ", ",
          p.multiProcessorCount, " multiprocessors");
  CHECK_MESSAGE(p.major >= 8, "this build has kernels for sm_80 and sm_90 only");
  CHECK(!hc::device_name(0).empty());
  const cudaStream_t s = hc::stream(0);
  CHECK(s != nullptr);
  CHECK(hc::stream(0) == s);
  cudaStream_t bound = nullptr;
  HTP_CUBLAS_CHECK(cublasGetStream(hc::cublas_handle(0), &bound), "test");
  CHECK(bound == s);
  CHECK_THROWS_WITH(hc::stream(n), doctest::Contains(("device cuda:" + std::to_string(n) + " is not available").c_str()));
  CHECK_THROWS_WITH(hc::check_device(-1), doctest::Contains("is not available"));
  {
    hc::DeviceGuard guard(n - 1);
    int current = -1;
    HTP_CUDA_CHECK(cudaGetDevice(&current), "test");
    CHECK(current == n - 1);
  }
  int current = -1;
  HTP_CUDA_CHECK(cudaGetDevice(&current), "test");
  CHECK(current == 0);
  CHECK(hc::grid_size(0, 1) == 1);
  CHECK(hc::grid_size(0, int64_t(1) << 40) == p.multiProcessorCount * (p.maxThreadsPerMultiProcessor / hc::kThreads));
  hc::synchronize(0);
}

TEST_CASE("the backend and the allocator are registered at start-up" * needs_cuda()) {
  CHECK_NOTHROW(device_backend(DeviceType::CUDA));
  CHECK_NOTHROW(allocator_for(Device::cuda()));
  const Tensor t = zeros({3}, DType::f32, Device::cuda());
  CHECK(t.device() == Device::cuda());
  CHECK(t.describe() == "float32[3] on cuda:0");
}

TEST_CASE("host -> device -> host round trips every dtype bit for bit" * needs_cuda()) {
  for (DType dt : kAllDtypes) {
    for (const Shape& shape : {Shape{3, 5, 7}, Shape{}, Shape{0, 4}, Shape{1}, Shape{1000003}}) {
      const Tensor x = sample(shape, dt, 1);
      const Tensor d = x.to(Device::cuda());
      CHECK(d.device() == Device::cuda());
      CHECK(d.dtype() == dt);
      const Tensor back = d.to(Device::cpu());
      check_equal(back, x, std::string(dtype_name(dt)) + " " + shape_str(shape));
    }
  }
}

TEST_CASE("copies beyond the pinned staging chunk, at odd offsets" * needs_cuda()) {
  // 4 MiB chunks: 3 full chunks and a tail, in both directions, from and into views that start mid-storage.
  const int64_t n = 3 * (int64_t(4) << 20) / 4 + 12345;
  const Tensor x = uniform_cpu({n + 7}, DType::f32, 2).narrow(0, 3, n);
  const Tensor d = x.to(Device::cuda());
  check_equal(d.to(Device::cpu()), x, "large round trip");
  Tensor into = zeros({n + 5}, DType::f32, Device::cuda());
  into.narrow(0, 5, n).copy_(x);
  check_equal(into.narrow(0, 5, n), x, "into a device view");
  check_equal(into.narrow(0, 0, 5), zeros({5}), "untouched prefix");
  Tensor host = zeros({n + 1});
  host.narrow(0, 1, n).copy_(d);
  check_equal(host.narrow(0, 1, n), x, "into a host view");
}

TEST_CASE("non-contiguous tensors on either side" * needs_cuda()) {
  for (DType dt : {DType::f32, DType::f64, DType::i32, DType::f16}) {
    const Tensor x = sample({6, 8, 5}, dt, 3);
    const Tensor d = x.to(Device::cuda());
    const std::string name = dtype_name(dt);
    // host view -> device
    check_equal(x.permute({2, 0, 1}).to(Device::cuda()), x.permute({2, 0, 1}), name + " host permuted to device");
    check_equal(x.slice(1, 1, 8, 3).to(Device::cuda()), x.slice(1, 1, 8, 3), name + " host strided slice to device");
    // device view -> host
    check_equal(d.permute({2, 0, 1}).to(Device::cpu()), x.permute({2, 0, 1}), name + " device permuted to host");
    check_equal(d.slice(2, 0, 5, 2).to(Device::cpu()), x.slice(2, 0, 5, 2), name + " device strided slice to host");
    // into non-contiguous destinations
    Tensor hd = zeros({5, 6, 8}, dt);
    hd.permute({1, 2, 0}).copy_(d);
    check_equal(hd.permute({1, 2, 0}), x, name + " device into a permuted host tensor");
    Tensor dd = zeros({5, 6, 8}, dt, Device::cuda());
    dd.permute({1, 2, 0}).copy_(x);
    check_equal(dd.permute({1, 2, 0}), x, name + " host into a permuted device tensor");
    Tensor dd2 = zeros({5, 6, 8}, dt, Device::cuda());
    dd2.permute({1, 2, 0}).copy_(d);
    check_equal(dd2.permute({1, 2, 0}), x, name + " device into a permuted device tensor");
    // device -> device, same layout (cudaMemcpyAsync) and a view (the copy kernel)
    check_equal(d.clone(), x, name + " device clone");
    check_equal(d.transpose(0, 2).contiguous(), x.transpose(0, 2), name + " device contiguous()");
  }
}

TEST_CASE("broadcast sources (stride 0) from the host and on the device" * needs_cuda()) {
  const Tensor row = tensor({1.f, 2.f, 3.f, 4.f, 5.f});
  const Tensor want = row.expand({4, 5}).contiguous();
  Tensor d = empty({4, 5}, DType::f32, Device::cuda());
  d.copy_(row);
  check_equal(d, want, "host row broadcast into device");
  Tensor d2 = empty({4, 5}, DType::f64, Device::cuda());
  d2.copy_(row.to(Device::cuda()));
  check_equal(d2, want, "device row broadcast with conversion");
  Tensor d3 = empty({3, 2}, DType::i64, Device::cuda());
  d3.copy_(scalar_tensor(7.0, DType::f32, Device::cuda()));
  check_equal(d3, full({3, 2}, 7.0, DType::i64), "device scalar broadcast");
}

TEST_CASE("dtype conversion matches the CPU for every pair of dtypes" * needs_cuda()) {
  for (DType from : kAllDtypes) {
    const Tensor x = sample({7, 33}, from, 4);
    const Tensor d = x.to(Device::cuda());
    for (DType to : kAllDtypes) {
      const std::string name = std::string(dtype_name(from)) + " -> " + dtype_name(to);
      const Tensor want = x.to(to);
      check_equal(d.to(to), want, name + " on the device");
      Tensor up = empty({7, 33}, to, Device::cuda());
      up.copy_(x);
      check_equal(up, want, name + " while uploading");
      Tensor down = empty({7, 33}, to);
      down.copy_(d);
      check_equal(down, want, name + " while downloading");
      Tensor down_t = empty({33, 7}, to);
      down_t.t().copy_(d);
      check_equal(down_t.t(), want, name + " while downloading into a transposed tensor");
    }
  }
}

TEST_CASE("float conversion of special values: NaN, infinities, signed zero, overflow, subnormals" * needs_cuda()) {
  const float inf = std::numeric_limits<float>::infinity();
  const Tensor x = tensor({std::nanf(""), inf, -inf, -0.f, 0.f, 65504.f, 65520.f, 70000.f, 1e-7f, 6e-8f, 2e-8f,
                           3.4e38f, 1.0009765625f, 1.00048828125f, 1.0f / 3.0f, -2.5f});
  const Tensor d = x.to(Device::cuda());
  for (DType to : {DType::f16, DType::bf16, DType::f64, DType::boolean}) {
    check_equal(d.to(to), x.to(to), std::string("float32 -> ") + dtype_name(to));
    check_equal(d.to(to).to(DType::f32), x.to(to).to(DType::f32), std::string("float32 -> ") + dtype_name(to) + " -> float32");
  }
  // -0 keeps its sign through half
  CHECK(std::signbit(d.to(DType::f16).to(DType::f32).to(Device::cpu()).to_vector()[3]));
}

TEST_CASE("fill every dtype, whole tensors and strided views" * needs_cuda()) {
  for (DType dt : kAllDtypes) {
    for (double v : {0.0, 1.0, 2.75, -3.5, 1e9}) {
      if (dt == DType::u8 && (v < 0 || v > 255)) continue;  // out of range -> uint8 is undefined behaviour
      const std::string name = std::string(dtype_name(dt)) + " fill " + std::to_string(v);
      check_equal(full({17, 3}, v, dt, Device::cuda()), full({17, 3}, v, dt), name);
      Tensor d = zeros({6, 9}, dt, Device::cuda());
      Tensor h = zeros({6, 9}, dt);
      d.t().slice(0, 1, 9, 2).fill_(v);
      h.t().slice(0, 1, 9, 2).fill_(v);
      check_equal(d, h, name + " into a strided view");
    }
  }
}

TEST_CASE("copies between two devices go through the host" * needs_cuda()) {
  if (hc::cuda_device_count() < 2) {
    MESSAGE("one CUDA device: the cross-device copy is not exercised");
    return;
  }
  const Tensor x = sample({9, 4}, DType::f32, 5);
  const Tensor d0 = x.to(Device::cuda(0));
  Tensor d1 = empty({4, 9}, DType::f64, Device::cuda(1));
  d1.t().copy_(d0);
  check_equal(d1.t(), x.to(DType::f64), "cuda:0 float32 -> transposed cuda:1 float64");
}

TEST_CASE("allocator statistics: in use, peak, cached, reuse, empty_cache, reset_peak" * needs_cuda()) {
  Allocator& a = allocator_for(Device::cuda());
  sync_cuda();
  a.empty_cache();
  const AllocatorStats s0 = a.stats();
  constexpr int64_t kBytes = int64_t(8) << 20;
  {
    const Tensor t = empty({kBytes / 4}, DType::f32, Device::cuda());
    const AllocatorStats s1 = a.stats();
    CHECK(s1.in_use_bytes == s0.in_use_bytes + kBytes);
    CHECK(s1.peak_bytes >= s1.in_use_bytes);
    CHECK(s1.allocations == s0.allocations + 1);
    if (s0.in_use_bytes == 0) CHECK(s1.system_allocations == s0.system_allocations + 1);  // the trimmed pool grows
  }
  sync_cuda();  // the block's cudaFreeAsync has run: it is cached now
  const AllocatorStats s2 = a.stats();
  CHECK(s2.in_use_bytes == s0.in_use_bytes);
  CHECK(s2.peak_bytes >= s0.in_use_bytes + kBytes);
  CHECK(s2.cached_bytes >= kBytes);
  {
    const Tensor again = empty({kBytes / 4}, DType::f32, Device::cuda());  // served from the pool
    const AllocatorStats s3 = a.stats();
    CHECK(s3.system_allocations == s2.system_allocations);
    CHECK(s3.cached_bytes <= s2.cached_bytes - kBytes);
  }
  sync_cuda();
  a.empty_cache();
  const AllocatorStats s4 = a.stats();
  CHECK(s4.cached_bytes < s2.cached_bytes);
  if (s4.in_use_bytes == 0) CHECK(s4.cached_bytes == 0);
  a.reset_peak();
  CHECK(a.stats().peak_bytes == a.stats().in_use_bytes);
  CHECK(a.allocate(0, Device::cuda()) == nullptr);
}

TEST_CASE("out of memory: the message states what was asked and what there is" * needs_cuda()) {
  const int64_t one_pib = int64_t(1) << 50;
  std::string msg;
  try {
    const Tensor huge = empty({one_pib / 4}, DType::f32, Device::cuda());
  } catch (const Error& e) {
    msg = e.what();
  }
  MESSAGE(msg);
  CHECK(msg.find("out of CUDA memory on cuda:0: asked for 1125899906842624 bytes (1.0 PiB)") == 0);
  CHECK(msg.find(" are in use and ") != std::string::npos);
  CHECK(msg.find(" are cached; the device has ") != std::string::npos);
  CHECK(msg.find(" free of ") != std::string::npos);
  // The failure left no error behind: allocations, copies and kernels still work.
  check_equal(full({5}, 2.0, DType::f32, Device::cuda()), full({5}, 2.0), "after the failed allocation");
}

TEST_CASE("a device index beyond the machine's is a clear error" * needs_cuda()) {
  const int n = hc::cuda_device_count();
  CHECK_THROWS_WITH(zeros({2}, DType::f32, Device::cuda(n)),
                    doctest::Contains(("device cuda:" + std::to_string(n) + " is not available").c_str()));
}

}  // TEST_SUITE

#else  // no CUDA backend in this build

TEST_SUITE("cuda") {
TEST_CASE("CUDA backend") { std::printf("CUDA tests skipped: this build has no CUDA backend\n"); }
}

#endif
