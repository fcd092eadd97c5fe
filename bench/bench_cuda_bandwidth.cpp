// Memory-bound CUDA kernels against the GPU's copy bandwidth, measured in the same run.
//
//   bench_cuda_bandwidth [google benchmark flags]
//
// Reference: cudaMemcpyAsync device to device of 256 MB. Ours: the elementwise add and exp (kernels/cuda/binary.h,
// unary.h), the sum of 64M floats (reduce.h), softmax and layer_norm over rows of 1024 (softmax.h, norm.h), all on
// 64M float32 elements (256 MB per tensor). Timing: CUDA events around each call on the device's stream
// (UseManualTime); before every iteration, outside the timed region, a 256 MB memset evicts the operands from L2.
//
// Counters: GB/s is the ideal traffic (each input read once, each output written once: copy 2 x 256 MB, add 3x, exp
// 2x, sum 1x, softmax 2x, layer_norm 2x) per second; vs_copy is that over the copy's GB/s from the same run, so 1.0
// means the kernel moves its data as fast as the copy engine path does. Kernels that read their input more than once
// (softmax: three passes, layer_norm: three) show it as vs_copy < 1. The GPU's name is in the context header.
// Without a device every benchmark reports an error and nothing runs.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "kernels/cuda/binary.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/norm.h"
#include "kernels/cuda/reduce.h"
#include "kernels/cuda/runtime.h"
#include "kernels/cuda/softmax.h"
#include "kernels/cuda/unary.h"
#include "tensor/creation.h"

namespace {

namespace gpu = htp::kernels::cuda;
using htp::Device;
using htp::DType;
using htp::Tensor;

constexpr int64_t kElements = int64_t{64} << 20;  // 64M floats, 256 MB
constexpr int64_t kBytes = kElements * 4;
constexpr int64_t kRow = 1024;                    // softmax / layer_norm row length
constexpr int kDevice = 0;

// Events and the L2-flush buffer, created on first use (only when a device exists).
struct Timer {
  cudaEvent_t start = nullptr, stop = nullptr;
  Tensor flush;
  Timer() {
    HTP_CUDA_CHECK(cudaEventCreate(&start), "bench");
    HTP_CUDA_CHECK(cudaEventCreate(&stop), "bench");
    flush = htp::empty({kBytes}, DType::u8, Device::cuda(kDevice));
  }
  // Seconds taken by fn on the device's stream, after evicting L2.
  double time(const std::function<void()>& fn) {
    const cudaStream_t s = gpu::stream(kDevice);
    HTP_CUDA_CHECK(cudaMemsetAsync(flush.raw_data(), 0, static_cast<size_t>(kBytes), s), "bench: L2 flush");
    HTP_CUDA_CHECK(cudaEventRecord(start, s), "bench");
    fn();
    HTP_CUDA_CHECK(cudaEventRecord(stop, s), "bench");
    HTP_CUDA_CHECK(cudaEventSynchronize(stop), "bench");
    float ms = 0;
    HTP_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop), "bench");
    return ms * 1e-3;
  }
};

Timer& timer() {
  static Timer t;
  return t;
}

Tensor device_tensor(const htp::Shape& shape, double value) {
  return htp::full(shape, value, DType::f32, Device::cuda(kDevice));
}

void copy_256mb(const Tensor& dst, const Tensor& src) {
  HTP_CUDA_CHECK(cudaMemcpyAsync(dst.raw_data(), src.raw_data(), static_cast<size_t>(kBytes),
                                 cudaMemcpyDeviceToDevice, gpu::stream(kDevice)),
                 "bench: copy");
}

// The copy's GB/s: the median of 11 timed copies, measured once per run.
double copy_gbps() {
  static const double gbps = [] {
    const Tensor a = device_tensor({kElements}, 1.0), b = device_tensor({kElements}, 0.0);
    std::vector<double> t;
    for (int r = 0; r < 11; ++r) t.push_back(timer().time([&] { copy_256mb(b, a); }));
    std::nth_element(t.begin(), t.begin() + 5, t.end());
    return 2.0 * static_cast<double>(kBytes) / t[5] * 1e-9;
  }();
  return gbps;
}

// False, with the benchmark marked as an error, when there is no device.
bool device_or_skip(benchmark::State& state) {
  if (gpu::cuda_available()) return true;
  state.SkipWithError("no CUDA device");
  return false;
}

// Times `fn` per iteration and reports GB/s for `traffic` bytes per call and the ratio to the copy.
void run(benchmark::State& state, double traffic, const std::function<void()>& fn) {
  const double reference = copy_gbps();
  fn();  // warm-up: allocations, module load
  double seconds = 0;
  for (auto _ : state) {
    const double t = timer().time(fn);
    state.SetIterationTime(t);
    seconds += t;
  }
  const double gbps = traffic * static_cast<double>(state.iterations()) / seconds * 1e-9;
  state.counters["GB/s"] = gbps;
  state.counters["vs_copy"] = gbps / reference;
}

void BM_copy_d2d(benchmark::State& state) {
  if (!device_or_skip(state)) return;
  const Tensor a = device_tensor({kElements}, 1.0), b = device_tensor({kElements}, 0.0);
  run(state, 2.0 * kBytes, [&] { copy_256mb(b, a); });
}

void BM_add(benchmark::State& state) {
  if (!device_or_skip(state)) return;
  const Tensor a = device_tensor({kElements}, 1.0), b = device_tensor({kElements}, 2.0);
  const Tensor out = device_tensor({kElements}, 0.0);
  run(state, 3.0 * kBytes, [&] { gpu::binary(gpu::BinaryOp::add, a, b, out); });
}

void BM_exp(benchmark::State& state) {
  if (!device_or_skip(state)) return;
  const Tensor a = device_tensor({kElements}, 0.5), out = device_tensor({kElements}, 0.0);
  run(state, 2.0 * kBytes, [&] { gpu::unary(gpu::UnaryOp::exp, a, out); });
}

void BM_sum(benchmark::State& state) {
  if (!device_or_skip(state)) return;
  const Tensor a = device_tensor({kElements}, 1.0), out = device_tensor({}, 0.0);
  run(state, 1.0 * kBytes, [&] { gpu::sum(a, {0}, out); });
}

void BM_softmax_rows(benchmark::State& state) {
  if (!device_or_skip(state)) return;
  const Tensor x = device_tensor({kElements / kRow, kRow}, 0.25), y = device_tensor({kElements / kRow, kRow}, 0.0);
  run(state, 2.0 * kBytes, [&] { gpu::softmax(x, 1, y); });
}

void BM_layer_norm_rows(benchmark::State& state) {
  if (!device_or_skip(state)) return;
  const int64_t rows = kElements / kRow;
  const Tensor x = device_tensor({rows, kRow}, 0.25), y = device_tensor({rows, kRow}, 0.0);
  const Tensor w = device_tensor({kRow}, 1.0), b = device_tensor({kRow}, 0.0);
  const Tensor mean = device_tensor({rows}, 0.0), rstd = device_tensor({rows}, 0.0);
  run(state, 2.0 * kBytes, [&] { gpu::layer_norm_forward(x, w, b, 1e-5, y, mean, rstd); });
}

BENCHMARK(BM_copy_d2d)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_add)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_exp)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_sum)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_softmax_rows)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_layer_norm_rows)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::AddCustomContext("gpu", gpu::cuda_available() ? gpu::device_name(kDevice) : "none (no CUDA device)");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
