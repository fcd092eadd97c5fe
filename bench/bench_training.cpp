// Training-step throughput at the small-scale settings of `htp pretrain` / `htp probe` (Fashion-MNIST: batch 128 of
// 1×28×28 images, 10 classes), float32 on the CPU:
//
//   BM_pretrain/<arch>/w<width>   model.train(); loss = cross_entropy(model(x), y); backward; SGD step (momentum 0.9,
//                                 weight decay 5e-4): one iteration of htp pretrain
//   BM_probe_online/<probe>       frozen backbone (eval, no graph) → features → probe.train(); CE; backward; SGD step
//                                 (lr 30, momentum 0.9): one iteration of htp probe --features online
//   BM_probe_cached/<probe>       the probe step alone on precomputed features [128, 8·w, 4, 4]: htp probe's default
//   BM_features/<arch>/w<width>   the frozen backbone's forward alone (eval, no graph): the one-off feature pass
//
//   bench_training [--threads=N] [--batch=N] [--iterations=N] [google benchmark flags]
//     threads: --threads, else HTP_BENCH_THREADS, else 2;  batch: default 128;  iterations: default 5 (one untimed
//     warm-up step precedes them)
//
// Counter img/s = batch · iterations / wall time. The data loader is not included (its cost is small for 28×28
// images: a copy and a normalisation per sample, on its own thread).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>

#include "autograd/ops.h"
#include "kernels/cpu/parallel.h"
#include "nn/losses.h"
#include "nn/models.h"
#include "nn/optim/sgd.h"
#include "nn/probes.h"
#include "tensor/random.h"

namespace {

using htp::Tensor;
using htp::Variable;
namespace nn = htp::nn;

struct Options {
  int threads = 2;
  int64_t batch = 128;
  int64_t iterations = 5;
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

// The small-input ResNet-18 of htp pretrain --arch [bcos-]resnet18-small for 1-channel 28×28 images.
std::shared_ptr<nn::ImageClassifier> small_resnet18(bool bcos, int64_t width) {
  nn::ResNetConfig c = nn::resnet_config(18, 10);
  c.in_channels = 1;
  c.base_width = width;
  c.small_stem = true;
  if (bcos) return std::make_shared<nn::BcosResNet>(c);
  return std::make_shared<nn::ResNet>(c);
}

struct Inputs {
  Tensor images, labels;
  explicit Inputs(int64_t batch) : images(htp::rand({batch, 1, 28, 28})), labels(htp::randint(0, 10, {batch})) {}
};

void sgd_step(nn::Optimizer& opt, const Variable& loss) {
  opt.zero_grad();
  loss.backward();
  opt.step();
}

void set_rate(benchmark::State& state, int64_t batch) {
  state.counters["img/s"] =
      benchmark::Counter(static_cast<double>(batch), benchmark::Counter::kIsIterationInvariantRate);
}

void pretrain(benchmark::State& state, bool bcos, int64_t width, int64_t batch) {
  auto model = small_resnet18(bcos, width);
  model->train();
  nn::SGD opt({nn::ParamGroup{model->named_parameters()}}, {.lr = 0.1, .momentum = 0.9, .weight_decay = 5e-4});
  const Inputs in(batch);
  auto step = [&] { sgd_step(opt, nn::cross_entropy((*model)(Variable(in.images)), in.labels)); };
  step();
  for (auto _ : state) step();
  set_rate(state, batch);
}

Variable frozen_features(nn::ImageClassifier& backbone, const Tensor& images) {
  htp::NoGradGuard no_grad;
  return Variable(backbone.forward_features(Variable(images)).data());
}

void features(benchmark::State& state, int64_t width, int64_t batch) {
  auto backbone = small_resnet18(false, width);
  backbone->eval();
  const Inputs in(batch);
  benchmark::DoNotOptimize(frozen_features(*backbone, in.images).data().raw_data());
  for (auto _ : state) benchmark::DoNotOptimize(frozen_features(*backbone, in.images).data().raw_data());
  set_rate(state, batch);
}

void probe(benchmark::State& state, const std::string& kind, bool cached, int64_t width, int64_t batch) {
  auto backbone = small_resnet18(false, width);
  backbone->eval();
  backbone->freeze();
  auto head = nn::make_probe(kind, backbone->num_features, 10, backbone->num_features);
  head->train();
  nn::SGD opt({nn::ParamGroup{head->named_parameters()}}, {.lr = 30, .momentum = 0.9});
  const Inputs in(batch);
  const Variable cache = frozen_features(*backbone, in.images);
  auto step = [&] {
    const Variable f = cached ? cache : frozen_features(*backbone, in.images);
    sgd_step(opt, nn::cross_entropy((*head)(f), in.labels));
  };
  step();
  for (auto _ : state) step();
  set_rate(state, batch);
}

void add(const std::string& name, const Options& o, std::function<void(benchmark::State&)> fn) {
  benchmark::RegisterBenchmark(name.c_str(), std::move(fn))
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->Iterations(o.iterations);
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  htp::kernels::cpu::set_num_threads(o.threads);
  const int64_t B = o.batch;
  for (int64_t w : {8, 16}) {
    add("BM_pretrain/resnet18-small/w" + std::to_string(w), o, [=](benchmark::State& s) { pretrain(s, false, w, B); });
    add("BM_pretrain/bcos-resnet18-small/w" + std::to_string(w), o,
        [=](benchmark::State& s) { pretrain(s, true, w, B); });
    add("BM_features/resnet18-small/w" + std::to_string(w), o, [=](benchmark::State& s) { features(s, w, B); });
  }
  for (const char* kind : {"linear", "mlp2"}) {
    add(std::string("BM_probe_online/") + kind + "/w8", o, [=](benchmark::State& s) { probe(s, kind, false, 8, B); });
    add(std::string("BM_probe_cached/") + kind + "/w8", o, [=](benchmark::State& s) { probe(s, kind, true, 8, B); });
  }
  benchmark::AddCustomContext("threads", std::to_string(o.threads));
  benchmark::AddCustomContext("batch", std::to_string(o.batch));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
