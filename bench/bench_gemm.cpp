// SGEMM throughput, ours (kernels/cpu/gemm.h) next to OpenBLAS cblas_sgemm, in the same run and on the same thread
// count: square n x n x n products, and the ResNet-50 convolutions (batch 1, 224 px) as im2col products
// C[M = out channels, N = out_h * out_w] = W[M, K = in_ch * kh * kw] * cols[K, N].
//
//   bench_gemm [--threads=N] [google benchmark flags]     threads: --threads, else HTP_BENCH_THREADS, else 2
//
// The GFLOPS column is 2*M*N*K per second. Benchmark names: BM_sgemm_{ours,openblas}/<n> and
// BM_resnet_{ours,openblas}/<layer>_<M>x<K>x<N>.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/parallel.h"
#include "bench_threads.h"

#ifdef HTP_HAVE_OPENBLAS
#include <cblas.h>
#endif

namespace {

namespace cpu = htp::kernels::cpu;

struct shape {
  const char* name;
  int64_t M, K, N;
};

// ResNet-50 v1.5 convolutions at 224 px, batch 1.
constexpr shape kResnetShapes[] = {
    {"conv1_7x7", 64, 147, 12544},          // 3 -> 64, stride 2, 112 x 112 out
    {"layer1_1x1_reduce", 64, 64, 3136},    // 64 -> 64, 56 x 56
    {"layer1_3x3", 64, 576, 3136},          // 64 -> 64
    {"layer1_1x1_expand", 256, 64, 3136},   // 64 -> 256
    {"layer2_3x3", 128, 1152, 784},         // 128 -> 128, 28 x 28
    {"layer2_1x1_expand", 512, 128, 784},   // 128 -> 512
    {"layer3_3x3", 256, 2304, 196},         // 256 -> 256, 14 x 14
    {"layer3_1x1_expand", 1024, 256, 196},  // 256 -> 1024
    {"layer4_3x3", 512, 4608, 49},          // 512 -> 512, 7 x 7
    {"layer4_1x1_reduce", 512, 2048, 49},   // 2048 -> 512
    {"layer4_1x1_expand", 2048, 512, 49},   // 512 -> 2048
};

struct operands {
  std::vector<float> a, b, c;
  operands(int64_t M, int64_t N, int64_t K) : a(M * K), b(K * N), c(M * N) {
    std::mt19937 gen(42);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    for (float& x : a) x = dist(gen);
    for (float& x : b) x = dist(gen);
  }
};

void set_flops(benchmark::State& state, int64_t M, int64_t N, int64_t K) {
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * double(M) * double(N) * double(K) * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
}

void run_ours(benchmark::State& state, int64_t M, int64_t N, int64_t K) {
  operands op(M, N, K);
  for (auto _ : state) {
    cpu::sgemm(false, false, M, N, K, 1.0f, op.a.data(), K, op.b.data(), N, 0.0f, op.c.data(), N);
    benchmark::DoNotOptimize(op.c.data());
  }
  set_flops(state, M, N, K);
  state.SetLabel(cpu::isa_name(cpu::best_isa()));
}

#ifdef HTP_HAVE_OPENBLAS
void run_openblas(benchmark::State& state, int64_t M, int64_t N, int64_t K) {
  operands op(M, N, K);
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(M), int(N), int(K), 1.0f, op.a.data(), int(K),
                op.b.data(), int(N), 0.0f, op.c.data(), int(N));
    benchmark::DoNotOptimize(op.c.data());
  }
  set_flops(state, M, N, K);
  state.SetLabel(openblas_get_corename());
  // OpenBLAS workers busy-wait for a while after each call; let them park before the next benchmark measures ours.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
}
#endif

void register_pair(const std::string& suffix, int64_t M, int64_t N, int64_t K, const char* ours, const char* theirs) {
  benchmark::RegisterBenchmark((std::string(ours) + "/" + suffix).c_str(),
                               [=](benchmark::State& s) { run_ours(s, M, N, K); })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
#ifdef HTP_HAVE_OPENBLAS
  benchmark::RegisterBenchmark((std::string(theirs) + "/" + suffix).c_str(),
                               [=](benchmark::State& s) { run_openblas(s, M, N, K); })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
#else
  (void)theirs;
#endif
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = htp::bench::take_threads_flag(argc, argv);
  cpu::set_num_threads(threads);
  benchmark::AddCustomContext("htp_threads", std::to_string(threads));
  benchmark::AddCustomContext("htp_isa", cpu::isa_name(cpu::best_isa()));
#ifdef HTP_HAVE_OPENBLAS
  openblas_set_num_threads(threads);
  benchmark::AddCustomContext("openblas", openblas_get_config());
#endif

  for (int64_t n : {256, 512, 1024, 2048, 4096})
    register_pair(std::to_string(n), n, n, n, "BM_sgemm_ours", "BM_sgemm_openblas");
  for (const shape& s : kResnetShapes)
    register_pair(std::string(s.name) + "_" + std::to_string(s.M) + "x" + std::to_string(s.K) + "x" +
                      std::to_string(s.N),
                  s.M, s.N, s.K, "BM_resnet_ours", "BM_resnet_openblas");

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
