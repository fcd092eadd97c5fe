// GPU GEMM throughput, ours (kernels/cuda/gemm_simt.cu, gemm_tensorcore.cu) next to cuBLAS in the same run, on the
// same operands: square n x n x n products, n = 1024, 2048, 4096, through kernels/cuda/matmul.h.
//
//   fp32  float32, TF32 off: our SIMT SGEMM vs cuBLAS CUBLAS_COMPUTE_32F
//   tf32  float32, TF32 allowed: our WMMA TF32 GEMM vs cuBLAS CUBLAS_COMPUTE_32F_FAST_TF32
//   bf16  bfloat16 operands (converted before timing), float32 out: our WMMA BF16 GEMM vs cuBLAS GemmEx BF16
//
//   bench_cuda_gemm [google benchmark flags]      e.g. --benchmark_filter=bf16
//
// Timing: CUDA events around the GEMM call alone (UseManualTime), after one untimed warm-up call. Before every timed
// call a 256 MiB memset (more than any current GPU's L2: 50 MiB on H100) is queued ahead of the start event, so each
// GEMM starts from a cold L2 and the flush is not timed. Counters: GFLOP/s (2 n^3 flops over the mean event time)
// and, for ours, vs_cuBLAS = ours / cuBLAS GFLOP/s from this run (cuBLAS's benchmark of each pair is registered
// first). A summary with both sides and the ratio is printed at the end. Without a device every benchmark is skipped.
#include <benchmark/benchmark.h>
#include <cuda_runtime_api.h>

#include <cstdio>
#include <exception>
#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/matmul.h"
#include "kernels/cuda/runtime.h"
#include "kernels/implementation.h"
#include "tensor/creation.h"
#include "tensor/random.h"

namespace {

namespace cuda = htp::kernels::cuda;
namespace kernels = htp::kernels;
using htp::DType;
using htp::Tensor;
using kernels::Implementation;

constexpr int kDevice = 0;
constexpr int64_t kFlushBytes = int64_t{256} << 20;

enum class Precision { fp32, tf32, bf16 };
const char* precision_name(Precision p) {
  return p == Precision::fp32 ? "fp32" : p == Precision::tf32 ? "tf32" : "bf16";
}

// GFLOP/s of each side, by (precision, n), for the ratio counter and the summary.
struct Pair {
  double cublas = 0, ours = 0;
};
std::map<std::pair<Precision, int64_t>, Pair>& results() {
  static std::map<std::pair<Precision, int64_t>, Pair> r;
  return r;
}

// The [1, n, n] operands of one size and dtype, uniform in [-1, 1), shared by both sides (made once).
const Tensor& operand(int64_t n, DType dtype, int which) {
  static std::map<std::tuple<int64_t, DType, int>, Tensor> cache;
  Tensor& t = cache[{n, dtype, which}];
  if (!t.defined()) {
    htp::Generator gen(static_cast<uint64_t>(which) + 1);
    t = htp::uniform_(htp::empty({1, n, n}, DType::f32), -1.0, 1.0, &gen).to(dtype).to(htp::Device::cuda(kDevice));
  }
  return t;
}

class ScopedTf32 {
 public:
  explicit ScopedTf32(bool allow) : before_(kernels::allow_tf32()) { kernels::set_allow_tf32(allow); }
  ~ScopedTf32() { kernels::set_allow_tf32(before_); }
  ScopedTf32(const ScopedTf32&) = delete;
  ScopedTf32& operator=(const ScopedTf32&) = delete;

 private:
  bool before_;
};

struct Event {
  cudaEvent_t e = nullptr;
  Event() { HTP_CUDA_CHECK(cudaEventCreate(&e), "bench_cuda_gemm"); }
  ~Event() { HTP_CUDA_WARN(cudaEventDestroy(e)); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
};

void run(benchmark::State& state, Precision precision, Implementation impl, int64_t n) {
  if (!cuda::cuda_available()) {
    state.SkipWithError("no CUDA device found: GPU benchmarks skipped");
    return;
  }
  try {
    const cuda::DeviceGuard guard(kDevice);
    const kernels::ScopedImplementation use(kernels::OpFamily::matmul, impl);
    const ScopedTf32 tf32(precision == Precision::tf32);
    const DType in = precision == Precision::bf16 ? DType::bf16 : DType::f32;
    const Tensor& a = operand(n, in, 0);
    const Tensor& b = operand(n, in, 1);
    const Tensor c = htp::empty({1, n, n}, DType::f32, htp::Device::cuda(kDevice));
    const Tensor flush = htp::empty({kFlushBytes}, DType::u8, htp::Device::cuda(kDevice));
    const cudaStream_t s = cuda::stream(kDevice);
    auto gemm = [&] {
      if (precision == Precision::bf16)
        cuda::gemm_bf16(a, b, c);
      else
        cuda::batched_matmul(a, b, c);
    };
    gemm();  // warm-up: module loading, cuBLAS's heuristics
    cuda::synchronize(kDevice);
    Event start, stop;
    double seconds = 0;
    for (auto _ : state) {
      HTP_CUDA_CHECK(cudaMemsetAsync(flush.raw_data(), 0, kFlushBytes, s), "bench_cuda_gemm");
      HTP_CUDA_CHECK(cudaEventRecord(start.e, s), "bench_cuda_gemm");
      gemm();
      HTP_CUDA_CHECK(cudaEventRecord(stop.e, s), "bench_cuda_gemm");
      HTP_CUDA_CHECK(cudaEventSynchronize(stop.e), "bench_cuda_gemm");
      float ms = 0;
      HTP_CUDA_CHECK(cudaEventElapsedTime(&ms, start.e, stop.e), "bench_cuda_gemm");
      state.SetIterationTime(ms * 1e-3);
      seconds += ms * 1e-3;
    }
    const double gflops = 2.0 * double(n) * double(n) * double(n) / (seconds / double(state.iterations())) * 1e-9;
    state.counters["GFLOP/s"] = gflops;
    Pair& r = results()[{precision, n}];
    if (impl == Implementation::vendor) {
      r.cublas = gflops;
    } else {
      r.ours = gflops;
      if (r.cublas > 0) state.counters["vs_cuBLAS"] = gflops / r.cublas;
    }
    state.SetLabel(std::string(precision_name(precision)) + " " +
                   kernels::implementation_name(kernels::OpFamily::matmul));
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

void print_summary() {
  if (results().empty()) return;
  std::printf("\n%-6s %6s %14s %14s %12s\n", "GEMM", "n", "ours GFLOP/s", "cuBLAS GFLOP/s", "ours/cuBLAS");
  for (const auto& [key, r] : results()) {
    const auto& [precision, n] = key;
    std::printf("%-6s %6lld %14.0f %14.0f", precision_name(precision), static_cast<long long>(n), r.ours, r.cublas);
    if (r.ours > 0 && r.cublas > 0)
      std::printf(" %12.3f\n", r.ours / r.cublas);
    else
      std::printf(" %12s\n", "-");
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (cuda::cuda_available()) {
    const cudaDeviceProp& p = cuda::device_properties(kDevice);
    std::printf("GPU: %s (sm_%d%d, %d SMs, L2 %d MiB); L2 flush %lld MiB per timed call\n", p.name, p.major, p.minor,
                p.multiProcessorCount, p.l2CacheSize >> 20, static_cast<long long>(kFlushBytes >> 20));
    benchmark::AddCustomContext("gpu", p.name);
  } else {
    std::printf("GPU: none (no CUDA device found): every benchmark is skipped\n");
  }
  for (Precision precision : {Precision::fp32, Precision::tf32, Precision::bf16}) {
    for (int64_t n : {1024, 2048, 4096}) {
      for (Implementation impl : {Implementation::vendor, Implementation::ours}) {
        const std::string name = std::string("BM_gemm_") + precision_name(precision) + "/" +
                                 (impl == Implementation::ours ? "ours" : "cuBLAS") + "/" + std::to_string(n);
        benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& s) { run(s, precision, impl, n); })
            ->Unit(benchmark::kMillisecond)
            ->UseManualTime();
      }
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  print_summary();
  benchmark::Shutdown();
  return 0;
}
