// The thread count of a benchmark program: --threads=N, else the environment variable HTP_BENCH_THREADS, else 2
// (this project's reference machine). take_threads_flag removes --threads= from argv, because Google Benchmark
// rejects flags it does not know.
#pragma once
#include <cstdlib>
#include <cstring>

namespace htp::bench {

inline int take_threads_flag(int& argc, char** argv) {
  int threads = 2;
  if (const char* env = std::getenv("HTP_BENCH_THREADS")) threads = std::atoi(env);
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--threads=", 10) == 0)
      threads = std::atoi(argv[i] + 10);
    else
      argv[out++] = argv[i];
  }
  argc = out;
  return threads < 1 ? 1 : threads;
}

}  // namespace htp::bench
