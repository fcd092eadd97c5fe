#include "tensor/allocator.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <vector>

#include "tensor/error.h"

namespace htp {
namespace {

constexpr size_t kAlignment = 64;
constexpr size_t kMaxCachedBytes = size_t(2) << 30;  // beyond this, freed blocks go straight back to the system

// Size-bucketed cache: a freed block is kept under its exact rounded size and handed to the next request of that size.
class CpuAllocator final : public Allocator {
 public:
  ~CpuAllocator() override { empty_cache(); }

  void* allocate(size_t bytes, Device) override {
    if (bytes == 0) return nullptr;
    const size_t rounded = round_up(bytes);
    std::lock_guard<std::mutex> g(m_);
    ++stats_.allocations;
    void* p = nullptr;
    auto it = free_.find(rounded);
    if (it != free_.end() && !it->second.empty()) {
      p = it->second.back();
      it->second.pop_back();
      stats_.cached_bytes -= static_cast<int64_t>(rounded);
    } else {
      p = std::aligned_alloc(kAlignment, rounded);
      if (!p) {
        release_cache_locked();
        p = std::aligned_alloc(kAlignment, rounded);
      }
      if (!p)
        throw Error(detail::concat("out of CPU memory: asked for ", bytes, " bytes while ", stats_.in_use_bytes,
                                   " bytes are in use"));
      ++stats_.system_allocations;
    }
    stats_.in_use_bytes += static_cast<int64_t>(rounded);
    if (stats_.in_use_bytes > stats_.peak_bytes) stats_.peak_bytes = stats_.in_use_bytes;
    return p;
  }

  void deallocate(void* ptr, size_t bytes) override {
    if (!ptr) return;
    const size_t rounded = round_up(bytes);
    std::lock_guard<std::mutex> g(m_);
    stats_.in_use_bytes -= static_cast<int64_t>(rounded);
    if (stats_.cached_bytes + static_cast<int64_t>(rounded) > static_cast<int64_t>(kMaxCachedBytes)) {
      std::free(ptr);
      return;
    }
    free_[rounded].push_back(ptr);
    stats_.cached_bytes += static_cast<int64_t>(rounded);
  }

  AllocatorStats stats() const override {
    std::lock_guard<std::mutex> g(m_);
    return stats_;
  }
  void reset_peak() override {
    std::lock_guard<std::mutex> g(m_);
    stats_.peak_bytes = stats_.in_use_bytes;
  }
  void empty_cache() override {
    std::lock_guard<std::mutex> g(m_);
    release_cache_locked();
  }

 private:
  static size_t round_up(size_t bytes) { return (bytes + kAlignment - 1) / kAlignment * kAlignment; }
  void release_cache_locked() {
    for (auto& [size, blocks] : free_)
      for (void* p : blocks) std::free(p);
    free_.clear();
    stats_.cached_bytes = 0;
  }

  mutable std::mutex m_;
  std::map<size_t, std::vector<void*>> free_;
  AllocatorStats stats_;
};

Allocator* g_allocators[2] = {nullptr, nullptr};

}  // namespace

Allocator& allocator_for(Device device) {
  if (device.is_cpu()) {
    static CpuAllocator cpu;
    return g_allocators[0] ? *g_allocators[0] : cpu;
  }
  Allocator* a = g_allocators[static_cast<int>(device.type)];
  if (!a)
    throw Error("device " + device.str() +
                " is not available: this build has no CUDA backend, or no GPU was found (configure with -DHTP_CUDA=ON on a "
                "machine with the CUDA Toolkit, and run where a GPU is present)");
  return *a;
}

void set_allocator(DeviceType type, Allocator* allocator) { g_allocators[static_cast<int>(type)] = allocator; }

}  // namespace htp
