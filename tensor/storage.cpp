#include "tensor/storage.h"

namespace htp {

Storage::Storage(size_t nbytes, Device device) : impl_(std::make_shared<Impl>()) {
  impl_->allocator = &allocator_for(device);
  impl_->data = impl_->allocator->allocate(nbytes, device);
  impl_->nbytes = nbytes;
  impl_->device = device;
}

Storage::Impl::~Impl() {
  if (allocator) allocator->deallocate(data, nbytes);
}

}  // namespace htp
