// The CPU thread pool: coverage of the range, nesting, exceptions, and resizing between jobs.
#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "kernels/cpu/parallel.h"

using namespace htp::kernels::cpu;

namespace {
struct RestoreThreads {
  int saved = num_threads();
  ~RestoreThreads() { set_num_threads(saved); }
};
}  // namespace

TEST_SUITE("kernels") {

TEST_CASE("parallel_for covers every index exactly once, in chunks of at least the grain") {
  RestoreThreads restore;
  for (int threads : {1, 2, 3, 5}) {
    set_num_threads(threads);
    for (int64_t n : {0, 1, 7, 100, 10007}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      std::atomic<int> chunks{0}, small_chunks{0};
      parallel_for(0, n, 10, [&](int64_t b, int64_t e) {
        ++chunks;
        if (e - b < 10 && e != n) ++small_chunks;
        for (int64_t i = b; i < e; ++i) ++hits[static_cast<size_t>(i)];
      });
      for (auto& h : hits) CHECK(h.load() == 1);
      CHECK(chunks.load() <= threads);
      CHECK(small_chunks.load() == 0);
    }
  }
}

TEST_CASE("nested parallel_for runs inline; exceptions reach the caller") {
  std::atomic<int> inner_chunks{0};
  parallel_for(0, 1000, 1, [&](int64_t, int64_t) {
    CHECK(in_parallel_region());
    parallel_for(0, 1000, 1, [&](int64_t, int64_t) { ++inner_chunks; });
  });
  CHECK_FALSE(in_parallel_region());
  CHECK(inner_chunks.load() == std::min(num_threads(), 1000));
  CHECK_THROWS_WITH_AS(parallel_for(0, 100, 1, [](int64_t b, int64_t) {
                         if (b > 0) throw std::runtime_error("chunk failed");
                       }),
                       "chunk failed", std::runtime_error);
}

TEST_CASE("changing the thread count between jobs is safe (regression: new workers ran a stale job)") {
  RestoreThreads restore;
  std::atomic<int64_t> total{0};
  for (int round = 0; round < 200; ++round) {
    set_num_threads(1 + round % 4);
    parallel_for(0, 64, 1, [&](int64_t b, int64_t e) { total += e - b; });
  }
  CHECK(total.load() == 200 * 64);
}

}  // TEST_SUITE
