// Memory for storages comes from a per-device Allocator. The CPU allocator hands out 64-byte aligned blocks and keeps
// freed blocks in size buckets for reuse (training allocates the same sizes every step; reusing them avoids page
// faults). A backend (CUDA) installs its own allocator with set_allocator().
#pragma once
#include <cstddef>
#include <cstdint>

#include "tensor/device.h"

namespace htp {

struct AllocatorStats {
  int64_t in_use_bytes = 0;   // handed out and not yet returned
  int64_t peak_bytes = 0;     // maximum of in_use_bytes since the last reset_peak()
  int64_t cached_bytes = 0;   // returned by tensors but kept for reuse
  int64_t allocations = 0;    // allocate() calls so far
  int64_t system_allocations = 0;  // of which went to the system (cache misses)
};

class Allocator {
 public:
  virtual ~Allocator() = default;
  // Memory on `device` (its type is the allocator's own). Never returns null for bytes > 0: throws htp::Error.
  virtual void* allocate(size_t bytes, Device device) = 0;
  virtual void deallocate(void* ptr, size_t bytes) = 0;
  virtual AllocatorStats stats() const = 0;
  virtual void reset_peak() = 0;
  virtual void empty_cache() = 0;  // give cached blocks back to the system
};

Allocator& allocator_for(Device device);                // throws if no backend serves this device type
void set_allocator(DeviceType type, Allocator* allocator);  // not owned; must outlive all storages it made

}  // namespace htp
