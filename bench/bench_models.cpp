// Whole-model throughput on the CPU at 224 px: torchvision ResNet-50 and timm ViT-B/16 (nn/models.h), float32.
//
//   eval:   model.eval(), no grad, logits = model(x)
//   train:  model.train() (batch-norm batch statistics), logits = model(x), backward of sum(logits) into every
//           parameter's .grad (a stand-in for a loss: the backward pass through the whole net is the cost; no
//           optimiser step), gradients dropped after each iteration
//
//   bench_models [--threads=N] [--batch=N] [--iterations=N] [google benchmark flags]
//     threads: --threads, else HTP_BENCH_THREADS, else 2;  batch: default 8;  iterations: default 2 (each model
//     forward at batch 8 takes seconds on 2 cores; one untimed warm-up pass precedes the timed ones)
//
// Counter img/s = batch · iterations / wall time. Benchmark names: BM_{eval,train}/<arch>/N<batch>.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "autograd/ops.h"
#include "kernels/cpu/parallel.h"
#include "nn/models.h"
#include "tensor/random.h"

namespace {

using htp::Variable;

struct Options {
  int threads = 2;
  int64_t batch = 8;
  int64_t iterations = 2;
};

// Takes --threads=, --batch=, --iterations= out of argv (Google Benchmark rejects flags it does not know).
Options parse(int& argc, char** argv) {
  Options o;
  if (const char* env = std::getenv("HTP_BENCH_THREADS")) o.threads = std::atoi(env);
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--threads=", 10) == 0)
      o.threads = std::atoi(argv[i] + 10);
    else if (std::strncmp(argv[i], "--batch=", 8) == 0)
      o.batch = std::atoll(argv[i] + 8);
    else if (std::strncmp(argv[i], "--iterations=", 13) == 0)
      o.iterations = std::atoll(argv[i] + 13);
    else
      argv[out++] = argv[i];
  }
  argc = out;
  if (o.threads < 1) o.threads = 1;
  if (o.batch < 1) o.batch = 1;
  if (o.iterations < 1) o.iterations = 1;
  return o;
}

void step(htp::nn::Module& model, const Variable& x, bool train) {
  if (!train) {
    htp::NoGradGuard no_grad;
    benchmark::DoNotOptimize(model(x).data().raw_data());
    return;
  }
  htp::backward({htp::sum(model(x))});
  for (Variable& p : model.parameters()) p.zero_grad();
}

void run(benchmark::State& state, const std::string& arch, int64_t batch, bool train) {
  auto model = htp::nn::make_model(arch);
  model->train(train);
  const Variable x(htp::randn({batch, 3, 224, 224}));
  step(*model, x, train);  // warm-up
  for (auto _ : state) step(*model, x, train);
  state.counters["img/s"] =
      benchmark::Counter(static_cast<double>(batch), benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  htp::kernels::cpu::set_num_threads(o.threads);
  for (const char* arch : {"resnet50", "vit_base_patch16_224"})
    for (bool train : {false, true}) {
      const std::string name = std::string(train ? "BM_train/" : "BM_eval/") + arch + "/N" + std::to_string(o.batch);
      benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& s) { run(s, arch, o.batch, train); })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime()
          ->Iterations(o.iterations);
    }
  benchmark::AddCustomContext("threads", std::to_string(o.threads));
  benchmark::AddCustomContext("batch", std::to_string(o.batch));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
