// CUDA memory: stream-ordered allocation from one memory pool per device, cudaMallocFromPoolAsync and cudaFreeAsync
// on stream(d) (kernels/cuda/runtime.h).
//
// Why stream-ordered: a block freed by one op returns to the pool in stream order, so the next op on the same stream
// reuses it at once, with no device synchronisation (the CPU allocator's size-bucket cache, done by the driver). The
// pool's release threshold is raised to "never", so memory stays reserved (cached) between training steps instead
// of going back to the driver at every synchronisation; empty_cache() trims the pools (cudaMemPoolTrimTo). A failed
// allocation synchronises its device's stream (queued frees land), trims that pool once and retries; if it fails
// again the error states the bytes asked, in use, cached, and the device's free and total memory (cudaMemGetInfo).
//
// Statistics: in_use/peak count the bytes asked for by live allocations; cached is, summed over pools, reserved minus
// used (a block whose cudaFreeAsync has not run yet on the stream still counts as used); system_allocations counts
// the allocations that grew a pool's reservation.
//
// The Allocator interface passes no device: an allocation goes to the calling thread's current device (code that
// works on device d holds a DeviceGuard), and each pointer's device is remembered for its deallocation.
#include "kernels/cuda/allocator.h"

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/runtime.h"

namespace htp::kernels::cuda {
namespace {

constexpr const char* kOp = "CUDA allocator";

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int u = 0;
  while (bytes >= 1024.0 && u < 5) {
    bytes /= 1024.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", bytes, units[u]);
  return buf;
}

uint64_t pool_attribute(cudaMemPool_t pool, cudaMemPoolAttr attr) {
  uint64_t v = 0;
  HTP_CUDA_CHECK(cudaMemPoolGetAttribute(pool, attr, &v), kOp);
  return v;
}

class CudaAllocator final : public Allocator {
 public:
  CudaAllocator() : pools_(static_cast<size_t>(cuda_device_count())) {}

  void* allocate(size_t bytes, Device device) override { return allocate_on(device.index, bytes); }

  void deallocate(void* ptr, size_t bytes) override {
    if (!ptr) return;
    cudaStream_t s = nullptr;
    {
      std::lock_guard<std::mutex> lock(m_);
      const auto it = device_of_.find(ptr);
      if (it == device_of_.end()) {
        std::fprintf(stderr, "howtoprobe: the CUDA allocator was asked to free %p, which it did not allocate\n", ptr);
        return;
      }
      s = pools_[static_cast<size_t>(it->second)].stream;
      device_of_.erase(it);
      stats_.in_use_bytes -= static_cast<int64_t>(bytes);
    }
    HTP_CUDA_WARN(cudaFreeAsync(ptr, s));  // never throws: called from Storage's destructor
  }

  AllocatorStats stats() const override {
    std::lock_guard<std::mutex> lock(m_);
    AllocatorStats s = stats_;
    for (size_t d = 0; d < pools_.size(); ++d) s.cached_bytes += cached_locked(static_cast<int>(d));
    return s;
  }

  void reset_peak() override {
    std::lock_guard<std::mutex> lock(m_);
    stats_.peak_bytes = stats_.in_use_bytes;
  }

  void empty_cache() override {
    std::lock_guard<std::mutex> lock(m_);
    for (size_t d = 0; d < pools_.size(); ++d)
      if (pools_[d].handle) trim_locked(static_cast<int>(d));
  }

 private:
  struct Pool {
    cudaMemPool_t handle = nullptr;
    cudaStream_t stream = nullptr;
    uint64_t reserved_seen = 0;  // the reservation after the last allocation or trim
  };

  void* allocate_on(int device, size_t bytes) {
    if (bytes == 0) return nullptr;
    DeviceGuard guard(device);
    std::lock_guard<std::mutex> lock(m_);
    Pool& pool = pool_locked(device);
    void* p = nullptr;
    cudaError_t err = cudaMallocFromPoolAsync(&p, bytes, pool.handle, pool.stream);
    if (err == cudaErrorMemoryAllocation) {
      (void)cudaGetLastError();  // not sticky: clear it so that the next check does not report it
      trim_locked(device);
      err = cudaMallocFromPoolAsync(&p, bytes, pool.handle, pool.stream);
    }
    if (err != cudaSuccess) {
      (void)cudaGetLastError();
      throw Error(oom_message_locked(device, bytes, err));
    }
    device_of_.emplace(p, device);
    ++stats_.allocations;
    stats_.in_use_bytes += static_cast<int64_t>(bytes);
    if (stats_.in_use_bytes > stats_.peak_bytes) stats_.peak_bytes = stats_.in_use_bytes;
    const uint64_t reserved = pool_attribute(pool.handle, cudaMemPoolAttrReservedMemCurrent);
    if (reserved > pool.reserved_seen) ++stats_.system_allocations;
    pool.reserved_seen = reserved;
    return p;
  }

  Pool& pool_locked(int device) {
    Pool& pool = pools_[static_cast<size_t>(device)];
    if (pool.handle) return pool;
    int supported = 0;
    HTP_CUDA_CHECK(cudaDeviceGetAttribute(&supported, cudaDevAttrMemoryPoolsSupported, device), kOp);
    HTP_CHECK(supported, "CUDA allocator: cuda:", device, " (", device_name(device),
              ") does not support stream-ordered memory pools (cudaMallocAsync)");
    cudaMemPoolProps props{};
    props.allocType = cudaMemAllocationTypePinned;
    props.location.type = cudaMemLocationTypeDevice;
    props.location.id = device;
    HTP_CUDA_CHECK(cudaMemPoolCreate(&pool.handle, &props), kOp);
    uint64_t keep_everything = UINT64_MAX;
    HTP_CUDA_CHECK(cudaMemPoolSetAttribute(pool.handle, cudaMemPoolAttrReleaseThreshold, &keep_everything), kOp);
    pool.stream = stream(device);
    return pool;
  }

  // Lets queued frees land, then gives every unused reserved byte of the pool back to the driver.
  void trim_locked(int device) {
    Pool& pool = pools_[static_cast<size_t>(device)];
    HTP_CUDA_CHECK(cudaStreamSynchronize(pool.stream), kOp);
    HTP_CUDA_CHECK(cudaMemPoolTrimTo(pool.handle, 0), kOp);
    pool.reserved_seen = pool_attribute(pool.handle, cudaMemPoolAttrReservedMemCurrent);
  }

  int64_t cached_locked(int device) const {
    const Pool& pool = pools_[static_cast<size_t>(device)];
    if (!pool.handle) return 0;
    const uint64_t reserved = pool_attribute(pool.handle, cudaMemPoolAttrReservedMemCurrent);
    const uint64_t used = pool_attribute(pool.handle, cudaMemPoolAttrUsedMemCurrent);
    return static_cast<int64_t>(reserved - used);
  }

  std::string oom_message_locked(int device, size_t bytes, cudaError_t err) const {
    size_t free_bytes = 0, total_bytes = 0;
    HTP_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes), kOp);
    const int64_t cached = cached_locked(device);
    return detail::concat("out of CUDA memory on cuda:", device, ": asked for ", bytes, " bytes (",
                          human_bytes(static_cast<double>(bytes)), ") while ", stats_.in_use_bytes, " bytes (",
                          human_bytes(static_cast<double>(stats_.in_use_bytes)), ") are in use and ", cached,
                          " bytes (", human_bytes(static_cast<double>(cached)), ") are cached; the device has ",
                          free_bytes, " bytes (", human_bytes(static_cast<double>(free_bytes)), ") free of ",
                          total_bytes, " (", human_bytes(static_cast<double>(total_bytes)),
                          ") [cudaMallocFromPoolAsync: ", cudaGetErrorString(err), "]");
  }

  mutable std::mutex m_;
  std::vector<Pool> pools_;
  std::unordered_map<void*, int> device_of_;
  AllocatorStats stats_;  // cached_bytes is computed in stats()
};

}  // namespace

Allocator& cuda_allocator() {
  static auto* allocator = new CudaAllocator;  // never destroyed: storages may be released during static destruction
  return *allocator;
}

}  // namespace htp::kernels::cuda
