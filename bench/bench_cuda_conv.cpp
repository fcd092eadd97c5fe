// conv2d on the GPU: ours (implicit GEMM, kernels/cuda/conv.cu) next to cuDNN (kernels/cuda/conv_cudnn.cu) in the
// same run, forward, backward input and backward weight, float32, on ResNet-50 v1.5 layer shapes (224 px input) at
// batch 32. TF32 only with HTP_ALLOW_TF32=1 (both sides; ours has no TF32 path, so that compares FP32 with TF32).
//
//   bench_cuda_conv [google benchmark flags]
//
// Operands are normal values, made once per layer on device 0. Each iteration times one call of the public kernel
// (kernels::conv2d_*: validation, the output from the caching allocator, dispatch) with CUDA events on stream(0),
// reported as manual time. Before it, outside the events, a 256 MiB memset evicts the operands from L2 (50 MB on
// H100). One untimed call first lets cuDNN choose its algorithm and the allocator cache the buffers.
// GFLOPS = 2 N O (C/groups) kh kw OH OW / mean time, the same count for the three passes. After the run, a table
// gives ours / cuDNN mean-time ratios per layer and pass (> 1: cuDNN is faster).
// Names: BM_cuda_conv2d/<pass>/<ours|cuDNN>/<layer>/N32.
#include <benchmark/benchmark.h>
#include <cuda_runtime_api.h>

#include <cstdio>
#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "kernels/conv.h"
#include "kernels/cuda/runtime.h"
#include "kernels/implementation.h"
#include "tensor/creation.h"
#include "tensor/error.h"
#include "tensor/random.h"
#ifdef HTP_WITH_CUDNN
#include <cudnn.h>
#endif

namespace {

namespace cuda = htp::kernels::cuda;
using htp::Tensor;
using htp::kernels::Implementation;
using htp::kernels::OpFamily;

constexpr int64_t kBatch = 32;
constexpr size_t kFlushBytes = size_t{256} << 20;

struct Layer {
  const char* name;
  int64_t C, H, O, k, stride, pad;  // square input H x H and kernel k x k
};

constexpr Layer kLayers[] = {
    {"conv1_7x7s2_3to64", 3, 224, 64, 7, 2, 3},
    {"layer1_1x1_64to64", 64, 56, 64, 1, 1, 0},
    {"layer1_3x3_64to64", 64, 56, 64, 3, 1, 1},
    {"layer1_1x1_64to256", 64, 56, 256, 1, 1, 0},
    {"layer2_3x3_128to128", 128, 28, 128, 3, 1, 1},
    {"layer3_3x3_256to256", 256, 14, 256, 3, 1, 1},
    {"layer4_3x3_512to512", 512, 7, 512, 3, 1, 1},
    {"layer2_downsample_1x1s2_256to512", 256, 56, 512, 1, 2, 0},
};

enum class Pass { forward, backward_input, backward_weight };
constexpr Pass kPasses[] = {Pass::forward, Pass::backward_input, Pass::backward_weight};
const char* pass_name(Pass p) {
  switch (p) {
    case Pass::forward: return "forward";
    case Pass::backward_input: return "backward_input";
    case Pass::backward_weight: return "backward_weight";
  }
  return "?";
}

// Mean milliseconds per call, by (layer, pass, implementation), for the ratio table.
std::map<std::tuple<std::string, Pass, Implementation>, double> g_mean_ms;

void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess) throw htp::Error(std::string(what) + ": " + cudaGetErrorString(err));
}

// CUDA events on stream(0), created and destroyed with the benchmark.
struct Events {
  cudaEvent_t start = nullptr, stop = nullptr;
  Events() {
    check(cudaEventCreate(&start), "cudaEventCreate");
    check(cudaEventCreate(&stop), "cudaEventCreate");
  }
  ~Events() {
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
  }
  Events(const Events&) = delete;
  Events& operator=(const Events&) = delete;
};

// x, weight and grad_out of a layer on device 0 (normal values), made once and shared by its six benchmarks (Google
// Benchmark calls a benchmark function several times while it settles the iteration count).
struct Operands {
  Tensor x, w, gy;
  htp::kernels::Conv2dParams params;
};
const Operands& operands(const Layer& l) {
  static std::map<std::string, Operands> cache;
  const auto it = cache.find(l.name);
  if (it != cache.end()) return it->second;
  const htp::Device device = htp::Device::cuda(0);
  Operands o;
  o.params.stride = {l.stride, l.stride};
  o.params.padding = {l.pad, l.pad};
  o.x = htp::randn({kBatch, l.C, l.H, l.H}).to(device);
  o.w = htp::randn({l.O, l.C, l.k, l.k}).to(device);
  o.gy = htp::randn(htp::kernels::conv2d_output_shape(o.x.shape(), o.w.shape(), o.params)).to(device);
  return cache.emplace(l.name, std::move(o)).first->second;
}

void run(benchmark::State& state, const Layer& l, Pass pass, Implementation impl) {
  if (!cuda::cuda_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
#ifndef HTP_WITH_CUDNN
  if (impl == Implementation::vendor) {
    state.SkipWithError("built without cuDNN");
    return;
  }
#endif
  const htp::kernels::ScopedImplementation use(OpFamily::conv2d, impl);
  const Operands& o = operands(l);
  const Tensor &x = o.x, &w = o.w, &gy = o.gy;
  const htp::kernels::Conv2dParams& params = o.params;
  const htp::Shape& ys = gy.shape();
  const Tensor flush = htp::empty({static_cast<int64_t>(kFlushBytes)}, htp::DType::u8, x.device());
  auto call = [&] {
    switch (pass) {
      case Pass::forward: return htp::kernels::conv2d_forward(x, w, Tensor(), params);
      case Pass::backward_input: return htp::kernels::conv2d_backward_input(gy, w, x.shape(), params);
      case Pass::backward_weight: return htp::kernels::conv2d_backward_weight(gy, x, w.shape(), params);
    }
    return Tensor();
  };
  const cudaStream_t s = cuda::stream(0);
  const Events events;
  call();
  cuda::synchronize(0);
  double total_ms = 0;
  for (auto _ : state) {
    check(cudaMemsetAsync(flush.raw_data(), 0, kFlushBytes, s), "L2 flush");
    check(cudaEventRecord(events.start, s), "cudaEventRecord");
    const Tensor out = call();
    check(cudaEventRecord(events.stop, s), "cudaEventRecord");
    check(cudaEventSynchronize(events.stop), "cudaEventSynchronize");
    float ms = 0;
    check(cudaEventElapsedTime(&ms, events.start, events.stop), "cudaEventElapsedTime");
    state.SetIterationTime(ms * 1e-3);
    total_ms += ms;
  }
  const double mean_ms = total_ms / static_cast<double>(state.iterations());
  const double flops = 2.0 * static_cast<double>(ys[0] * ys[1] * ys[2] * ys[3]) * static_cast<double>(l.C * l.k * l.k);
  state.counters["GFLOPS"] = flops / (mean_ms * 1e-3) * 1e-9;
  state.SetLabel(cuda::device_name(0));
  g_mean_ms[{l.name, pass, impl}] = mean_ms;
}

void print_ratios() {
  if (g_mean_ms.empty()) return;
  std::printf("\n%-34s %-16s %10s %10s %12s\n", "layer (batch 32)", "pass", "ours ms", "cuDNN ms", "ours/cuDNN");
  for (const Layer& l : kLayers) {
    for (Pass p : kPasses) {
      const auto ours = g_mean_ms.find({l.name, p, Implementation::ours});
      const auto vendor = g_mean_ms.find({l.name, p, Implementation::vendor});
      if (ours == g_mean_ms.end() || vendor == g_mean_ms.end()) continue;
      std::printf("%-34s %-16s %10.3f %10.3f %12.2f\n", l.name, pass_name(p), ours->second, vendor->second,
                  ours->second / vendor->second);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string gpu = "none";
  if (cuda::cuda_available()) gpu = cuda::device_name(0);
  std::printf("GPU: %s\n", gpu.c_str());
  benchmark::AddCustomContext("gpu", gpu);
  benchmark::AddCustomContext("tf32", htp::kernels::allow_tf32() ? "on" : "off");
#ifdef HTP_WITH_CUDNN
  benchmark::AddCustomContext("cudnn", std::to_string(cudnnGetVersion()));
#endif
  for (const Layer& l : kLayers) {
    for (Pass p : kPasses) {
      for (Implementation impl : {Implementation::ours, Implementation::vendor}) {
        const std::string name = std::string("BM_cuda_conv2d/") + pass_name(p) + "/" +
                                 (impl == Implementation::ours ? "ours" : "cuDNN") + "/" + l.name + "/N" +
                                 std::to_string(kBatch);
        benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& s) { run(s, l, p, impl); })
            ->Unit(benchmark::kMillisecond)
            ->UseManualTime();
      }
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  print_ratios();
  benchmark::Shutdown();
  return 0;
}
