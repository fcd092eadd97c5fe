// The CPU caching allocator's statistics as tensors come and go, alignment, and installing another allocator.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>

#include "tensor/creation.h"
#include "tensor/device_backend.h"

using namespace htp;

namespace {

// Counts calls and bytes, serving memory from the system.
class CountingAllocator final : public Allocator {
 public:
  void* allocate(size_t bytes, Device) override {
    ++allocs;
    live += static_cast<int64_t>(bytes);
    return bytes ? std::malloc(bytes) : nullptr;
  }
  void deallocate(void* ptr, size_t bytes) override {
    ++frees;
    live -= static_cast<int64_t>(bytes);
    std::free(ptr);
  }
  AllocatorStats stats() const override { return {}; }
  void reset_peak() override {}
  void empty_cache() override {}
  int allocs = 0, frees = 0;
  int64_t live = 0;
};

// Installs an allocator for one device type and restores the default on scope exit.
struct AllocatorOverride {
  DeviceType type;
  AllocatorOverride(DeviceType t, Allocator* a) : type(t) { set_allocator(t, a); }
  ~AllocatorOverride() { set_allocator(type, nullptr); }
};

}  // namespace

TEST_SUITE("tensor") {

TEST_CASE("CPU allocator: in_use, peak, cached and cache hits") {
  Allocator& cpu = allocator_for(Device::cpu());
  cpu.empty_cache();
  const AllocatorStats s0 = cpu.stats();
  CHECK(s0.cached_bytes == 0);
  constexpr int64_t kBytes = 4096 * 4;  // a multiple of the 64-byte alignment
  {
    const Tensor t = empty({4096}, DType::f32);
    const AllocatorStats s1 = cpu.stats();
    CHECK(s1.in_use_bytes == s0.in_use_bytes + kBytes);
    CHECK(s1.peak_bytes >= s1.in_use_bytes);
    CHECK(s1.allocations == s0.allocations + 1);
    CHECK(s1.system_allocations == s0.system_allocations + 1);  // the cache was empty
    const Tensor view = t.view({64, 64});  // views allocate nothing
    CHECK(cpu.stats().allocations == s1.allocations);
  }
  const AllocatorStats s2 = cpu.stats();
  CHECK(s2.in_use_bytes == s0.in_use_bytes);
  CHECK(s2.cached_bytes == kBytes);
  {
    const Tensor again = zeros({16384}, DType::u8);  // the same number of bytes: served from the cache
    const AllocatorStats s3 = cpu.stats();
    CHECK(s3.system_allocations == s2.system_allocations);
    CHECK(s3.allocations == s2.allocations + 1);
    CHECK(s3.cached_bytes == 0);
    CHECK(s3.in_use_bytes == s0.in_use_bytes + kBytes);
  }
  {
    const Tensor big = empty({1 << 20}, DType::f64);
    CHECK(cpu.stats().peak_bytes >= s0.in_use_bytes + (8 << 20));
  }
  cpu.reset_peak();
  CHECK(cpu.stats().peak_bytes == cpu.stats().in_use_bytes);
  CHECK(cpu.stats().cached_bytes == kBytes + (8 << 20));
  cpu.empty_cache();
  CHECK(cpu.stats().cached_bytes == 0);
  CHECK(cpu.stats().in_use_bytes == s0.in_use_bytes);

  // Empty tensors take no memory.
  const int64_t before = cpu.stats().allocations;
  const Tensor none = zeros({0, 5});
  CHECK(cpu.stats().allocations == before);
  CHECK(none.storage().nbytes() == 0);
}

TEST_CASE("CPU allocator: blocks are 64-byte aligned and copies share no memory") {
  for (int64_t n : {1, 3, 17, 100, 1000}) {
    const Tensor t = empty({n}, DType::u8);
    CHECK(reinterpret_cast<uintptr_t>(t.raw_data()) % 64 == 0);
  }
  const Tensor a = ones({10});
  const Tensor b = a.clone();
  CHECK(a.raw_data() != b.raw_data());
  CHECK(a.storage().use_count() == 1);
  const Tensor view = a.narrow(0, 2, 3);
  CHECK(a.storage().use_count() == 2);
  CHECK(static_cast<const char*>(view.raw_data()) - static_cast<const char*>(a.raw_data()) == 8);
}

TEST_CASE("set_allocator: storages return memory to the allocator that made them") {
  CountingAllocator counting;
  Tensor kept;
  {
    AllocatorOverride use(DeviceType::CPU, &counting);
    kept = zeros({25}, DType::f64);
    CHECK(counting.allocs == 1);
    CHECK(counting.live == 200);
  }
  const Tensor after = zeros({25}, DType::f64);  // the default allocator again
  CHECK(counting.allocs == 1);
  kept = Tensor();
  CHECK(counting.frees == 1);
  CHECK(counting.live == 0);

  // Installing a CUDA allocator makes CUDA storages possible; without a backend, touching them is a clear error.
  // (Only in a CPU-only build: a real CUDA backend's allocator must not be replaced.)
  bool have_cuda = true;
  try {
    device_backend(DeviceType::CUDA);
  } catch (const Error&) {
    have_cuda = false;
  }
  if (have_cuda) return;
  {
    AllocatorOverride use(DeviceType::CUDA, &counting);
    Tensor g = empty({4}, DType::f32, Device::cuda());
    CHECK(g.device() == Device::cuda());
    CHECK(g.describe() == "float32[4] on cuda:0");
    CHECK(counting.allocs == 2);
    CHECK_THROWS_WITH(g.fill_(1), doctest::Contains("no backend for device type cuda"));
    CHECK_THROWS_WITH(ones({2}).to(Device::cuda()), doctest::Contains("no backend for device type cuda"));
  }
  CHECK(counting.frees == 3);  // g and the target of the failed copy
  CHECK_THROWS_WITH(allocator_for(Device::cuda()), doctest::Contains("device cuda:0 is not available"));
}

}  // TEST_SUITE
