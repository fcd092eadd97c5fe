// Attribution throughput at 224 px, float32: how many attribution maps per second each method of xai/ produces
// (xai::make_method, default options unless listed) on freshly initialised models in eval mode, weights drawn from
// the default generator reseeded to 0 (random weights do not change the cost):
//
//   resnet50 (torchvision layout)   gradient, ixg, ig (steps 50, internal batch 16), gradcam (layer4.2.conv3),
//                                   gbp, lrp (EpsilonGammaBox, BatchNorms merged per call, copy residuals), lime
//                                   (500 samples, 100 SLIC segments, forward batch 50; batch 1 only)
//   bcos_resnet50                   bcos (input: the 6-channel [x, 1 − x] encoding of a uniform image)
//   vit_base_patch16_224 (timm)     rollout, cgw1
//
// One iteration = one attribute(model, x, targets) call on a batch of N images (N = 1 and 8; every image has its
// own target class), followed by a copy of the map to the CPU so that a CUDA run is timed to completion. Each
// benchmark first runs one untimed call (allocator caches, thread pool), except those whose single call already
// runs the model many times (ig at N = 8, lime). Iteration counts are fixed per benchmark so that the whole program
// takes a few minutes on 2 cores.
//
//   bench_attribution [--threads=N] [google benchmark flags, e.g. --benchmark_filter=resnet50]
//     threads: --threads, else HTP_BENCH_THREADS, else 2;  device: HTP_BENCH_DEVICE (cpu by default; cuda, cuda:N)
//
// Counters, from wall time: attributions/s = N · iterations / time and time/attribution, its inverse in seconds.
// Benchmark names: BM_attribution/<method>/<arch>/N<batch>.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kernels/cpu/parallel.h"
#include "nn/bcos.h"
#include "nn/models.h"
#include "tensor/random.h"
#include "xai/attribution.h"
#include "bench_threads.h"

namespace {

using htp::Device;
using htp::Tensor;
using htp::Variable;
namespace nn = htp::nn;
namespace xai = htp::xai;

struct Case {
  std::string method;
  xai::MethodOptions options;
  std::string arch;
  int64_t batch;
  int64_t iterations;
  bool warm_up;
};

const std::vector<Case>& cases() {
  static const std::vector<Case> all = [] {
    std::vector<Case> c;
    for (const char* method : {"gradient", "ixg", "gradcam", "gbp", "lrp"}) {
      const xai::MethodOptions options =
          std::string(method) == "gradcam" ? xai::MethodOptions{{"layer", "layer4.2.conv3"}} : xai::MethodOptions{};
      c.push_back({method, options, "resnet50", 1, 5, true});
      c.push_back({method, options, "resnet50", 8, 2, true});
    }
    c.push_back({"ig", {{"steps", "50"}}, "resnet50", 1, 2, true});
    c.push_back({"ig", {{"steps", "50"}}, "resnet50", 8, 1, false});
    c.push_back({"lime", {{"samples", "500"}}, "resnet50", 1, 2, false});
    c.push_back({"bcos", {}, "bcos_resnet50", 1, 5, true});
    c.push_back({"bcos", {}, "bcos_resnet50", 8, 2, true});
    for (const char* method : {"rollout", "cgw1"}) {
      c.push_back({method, {}, "vit_base_patch16_224", 1, 5, true});
      c.push_back({method, {}, "vit_base_patch16_224", 8, 2, true});
    }
    return c;
  }();
  return all;
}

Device bench_device() {
  const char* env = std::getenv("HTP_BENCH_DEVICE");
  return env ? Device::parse(env) : Device::cpu();
}

// One model per architecture, built on first use and kept for the later benchmarks.
nn::ImageClassifier& model(const std::string& arch, Device device) {
  static std::map<std::string, std::shared_ptr<nn::ImageClassifier>> built;
  auto& m = built[arch];
  if (!m) {
    htp::manual_seed(0);
    m = nn::make_model(arch);
    m->eval();
    m->to(device);
  }
  return *m;
}

// A batch of model inputs: a normalised-looking N(0, 1) image, or for B-cos the [x, 1 − x] encoding of a U[0, 1) one.
Tensor input(const std::string& arch, int64_t batch, Device device) {
  htp::Generator gen(1);
  if (arch.rfind("bcos_", 0) == 0)
    return nn::add_inverse(Variable(htp::rand({batch, 3, 224, 224}, htp::DType::f32, device, &gen))).data();
  return htp::randn({batch, 3, 224, 224}, htp::DType::f32, device, &gen);
}

void run(benchmark::State& state, const Case& c, Device device) {
  nn::ImageClassifier& net = model(c.arch, device);
  const auto method = xai::make_method(c.method, c.options);
  const Tensor x = input(c.arch, c.batch, device);
  std::vector<int64_t> targets;
  for (int64_t n = 0; n < c.batch; ++n) targets.push_back((97 * n + 3) % net.num_classes);
  auto attribute = [&] {
    const Tensor map = method->attribute(net, x, targets).to(Device::cpu());
    benchmark::DoNotOptimize(map.raw_data());
  };
  if (c.warm_up) attribute();
  for (auto _ : state) attribute();
  const double n = static_cast<double>(c.batch);
  state.counters["attributions/s"] = benchmark::Counter(n, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["time/attribution"] =
      benchmark::Counter(n, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = htp::bench::take_threads_flag(argc, argv);
  const Device device = bench_device();
  htp::kernels::cpu::set_num_threads(threads);
  for (const Case& c : cases()) {
    const std::string name = "BM_attribution/" + c.method + "/" + c.arch + "/N" + std::to_string(c.batch);
    benchmark::RegisterBenchmark(name.c_str(), [&c, device](benchmark::State& s) { run(s, c, device); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(c.iterations);
  }
  benchmark::AddCustomContext("threads", std::to_string(threads));
  benchmark::AddCustomContext("device", device.str());
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
