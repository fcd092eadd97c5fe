// A Storage is a reference-counted block of bytes on one device. Tensors are views into it. The version counter is
// bumped by every in-place write so that autograd can detect a saved tensor modified after it was saved.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "tensor/allocator.h"
#include "tensor/device.h"

namespace htp {

class Storage {
 public:
  Storage() = default;
  Storage(size_t nbytes, Device device);  // uninitialised memory from allocator_for(device)

  bool defined() const { return impl_ != nullptr; }
  void* data() const { return impl_ ? impl_->data : nullptr; }
  size_t nbytes() const { return impl_ ? impl_->nbytes : 0; }
  Device device() const { return impl_ ? impl_->device : Device::cpu(); }
  uint64_t version() const { return impl_ ? impl_->version.load() : 0; }
  void bump_version() const {
    if (impl_) ++impl_->version;
  }
  bool is_same(const Storage& other) const { return impl_ == other.impl_; }
  long use_count() const { return impl_.use_count(); }

 private:
  struct Impl {
    void* data = nullptr;
    size_t nbytes = 0;
    Device device;
    Allocator* allocator = nullptr;
    std::atomic<uint64_t> version{0};
    ~Impl();
  };
  std::shared_ptr<Impl> impl_;
};

}  // namespace htp
