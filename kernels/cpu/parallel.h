// One process-wide pool of worker threads for the CPU kernels.
//
// parallel_for splits [begin, end) into at most num_threads() contiguous chunks of at least `grain` items; chunk i
// always goes to the same worker for the same range and thread count, so results that depend on the split (none
// should) are reproducible. A parallel_for called from inside a chunk runs inline: kernels may nest without
// oversubscribing the cores. The thread count comes from HTP_NUM_THREADS, else the hardware concurrency.
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>

namespace htp::kernels::cpu {

int num_threads();
void set_num_threads(int n);  // n >= 1; takes effect at the next parallel_for
bool in_parallel_region();

void parallel_for(int64_t begin, int64_t end, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

// Elements a task should cover at least: below this a split costs more than it saves, and the range stays on the
// calling thread.
inline constexpr int64_t kMinTaskElems = int64_t{1} << 15;

// The grain for parallel_for over items of `elems_per_item` elements each: about kMinTaskElems elements per task.
inline int64_t grain_for(int64_t elems_per_item) {
  return std::max<int64_t>(1, kMinTaskElems / std::max<int64_t>(1, elems_per_item));
}

}  // namespace htp::kernels::cpu
