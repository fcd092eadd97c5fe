// conv2d forward throughput on ResNet-50 layer shapes (224 px input), ours (kernels::conv2d_forward: validation,
// output allocation, im2col + our GEMM) next to the same im2col (kernels/cpu/im2col.h) + OpenBLAS cblas_sgemm, in
// the same run and on the same thread count. A 1x1 stride-1 convolution skips im2col on both sides.
//
//   bench_conv [--threads=N] [google benchmark flags]     threads: --threads, else HTP_BENCH_THREADS, else 2
//
// The GFLOPS column is 2 * N * O * (C / groups) * kh * kw * OH * OW per second. Benchmark names:
// BM_conv2d_{ours,openblas}/<layer>/N<batch>.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "kernels/conv.h"
#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/im2col.h"
#include "kernels/cpu/parallel.h"
#include "tensor/creation.h"
#include "tensor/random.h"
#include "bench_threads.h"

#ifdef HTP_HAVE_OPENBLAS
#include <cblas.h>
#endif

namespace {

namespace cpu = htp::kernels::cpu;
using htp::Tensor;

struct Layer {
  const char* name;
  int64_t C, H, O, k, stride, pad;  // square input H x H and kernel k x k
};

// ResNet-50 v1.5 at 224 px (the stride-2 3x3 of layer2 is its first block's).
constexpr Layer kLayers[] = {
    {"conv1_7x7s2_3to64", 3, 224, 64, 7, 2, 3},       {"layer1_1x1_64to64", 64, 56, 64, 1, 1, 0},
    {"layer1_3x3_64to64", 64, 56, 64, 3, 1, 1},       {"layer1_1x1_64to256", 64, 56, 256, 1, 1, 0},
    {"layer2_3x3s2_128to128", 128, 56, 128, 3, 2, 1}, {"layer3_3x3_256to256", 256, 14, 256, 3, 1, 1},
    {"layer4_3x3_512to512", 512, 7, 512, 3, 1, 1},
};

struct Problem {
  Tensor x, w;
  htp::kernels::Conv2dParams params;
  htp::Shape out_shape;
  Problem(const Layer& l, int64_t batch) : x(htp::randn({batch, l.C, l.H, l.H})), w(htp::randn({l.O, l.C, l.k, l.k})) {
    params.stride = {l.stride, l.stride};
    params.padding = {l.pad, l.pad};
    out_shape = htp::kernels::conv2d_output_shape(x.shape(), w.shape(), params);
  }
  double flops() const {
    return 2.0 * double(out_shape[0] * out_shape[1] * out_shape[2] * out_shape[3]) * double(w.numel() / w.size(0));
  }
};

void set_flops(benchmark::State& state, const Problem& p) {
  state.counters["GFLOPS"] = benchmark::Counter(p.flops() * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void run_ours(benchmark::State& state, const Layer& l, int64_t batch) {
  const Problem p(l, batch);
  for (auto _ : state) {
    Tensor y = htp::kernels::conv2d_forward(p.x, p.w, Tensor(), p.params);
    benchmark::DoNotOptimize(y.raw_data());
  }
  set_flops(state, p);
  state.SetLabel(cpu::isa_name(cpu::best_isa()));
}

#ifdef HTP_HAVE_OPENBLAS
// Per image: im2col, then y_n[O, P] = w[O, K] · col[K, P] with cblas_sgemm (which threads itself).
void run_openblas(benchmark::State& state, const Layer& l, int64_t batch) {
  const Problem p(l, batch);
  const int64_t OH = p.out_shape[2], OW = p.out_shape[3], P = OH * OW, K = l.C * l.k * l.k;
  const bool direct = l.k == 1 && l.stride == 1 && l.pad == 0;
  const cpu::PatchGeometry g{l.C, l.H, l.H, l.k, l.k, OH, OW, p.params.stride, p.params.padding, p.params.dilation};
  std::vector<float> col(direct ? 0 : static_cast<size_t>(K * P));
  for (auto _ : state) {
    Tensor y = htp::empty(p.out_shape);
    for (int64_t n = 0; n < batch; ++n) {
      const float* img = p.x.data<float>() + n * l.C * l.H * l.H;
      if (!direct) cpu::im2col(img, g, col.data());
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(l.O), int(P), int(K), 1.0f, p.w.data<float>(), int(K),
                  direct ? img : col.data(), int(P), 0.0f, y.data<float>() + n * l.O * P, int(P));
    }
    benchmark::DoNotOptimize(y.raw_data());
  }
  set_flops(state, p);
  state.SetLabel(openblas_get_corename());
  // OpenBLAS workers busy-wait for a while after each call; let them park before the next benchmark measures ours.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
}
#endif

void register_pair(const Layer& l, int64_t batch) {
  const std::string suffix = std::string(l.name) + "/N" + std::to_string(batch);
  benchmark::RegisterBenchmark(("BM_conv2d_ours/" + suffix).c_str(),
                               [=](benchmark::State& s) { run_ours(s, l, batch); })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
#ifdef HTP_HAVE_OPENBLAS
  benchmark::RegisterBenchmark(("BM_conv2d_openblas/" + suffix).c_str(),
                               [=](benchmark::State& s) { run_openblas(s, l, batch); })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
#endif
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = htp::bench::take_threads_flag(argc, argv);
  cpu::set_num_threads(threads);
#ifdef HTP_HAVE_OPENBLAS
  openblas_set_num_threads(threads);
#endif
  for (const Layer& l : kLayers) register_pair(l, 1);
  for (const Layer& l : {kLayers[2], kLayers[5]}) register_pair(l, 8);  // layer1 and layer3 3x3 at batch 8
  benchmark::AddCustomContext("threads", std::to_string(threads));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
