// The CUDA DeviceBackend (tensor/device_backend.h): copies between host and device memory with any strides and
// dtype conversion, fills, random fills on the device (kernels/cuda/random.cu), synchronisation; and the start-up
// registration of the backend and the allocator.
//
// copy(dst, src), by case (the host side is always made contiguous first):
//   host -> device   same dtype, both contiguous: staged upload. Otherwise the (contiguous) host data is uploaded
//                    into a device temporary of its own dtype and converted/scattered into dst by the copy kernel.
//   device -> host   same dtype, both contiguous: staged download. Otherwise the copy kernel writes a contiguous
//                    device temporary of dst's dtype, which is downloaded (into a host temporary when dst is not
//                    contiguous, then copied on the host).
//   device -> device same device: cudaMemcpyAsync for same-dtype contiguous tensors, else the copy kernel (the
//                    elementwise launcher with a converting functor: strides, broadcasts, all dtype pairs).
//                    Different devices: through a contiguous host tensor (rare; keeps the code small).
// Staged transfers go through two pinned host buffers of kChunk bytes per device, cudaHostAlloc'ed once and reused:
// uploads copy chunk k into buffer k % 2 on the CPU while the DMA of chunk k - 1 runs (an event per buffer says when
// its last DMA finished), downloads queue the DMA of chunk k + 1 while the CPU drains chunk k. An upload returns once
// its data sits in pinned memory (the host source may then change); a download returns when the data is in dst.
// Kernels and device copies are asynchronous on the device's stream, like every other op.
#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "kernels/cuda/allocator.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/device_types.cuh"
#include "kernels/cuda/elementwise.cuh"
#include "kernels/cuda/random.h"
#include "kernels/cuda/runtime.h"
#include "tensor/creation.h"
#include "tensor/device_backend.h"

namespace htp::kernels::cuda {
namespace {

constexpr size_t kChunk = size_t(4) << 20;  // bytes per pinned staging buffer

template <class D>
struct ConvertTo {
  template <class S>
  __device__ D operator()(S v) const {
    return convert<D>(v);
  }
};

template <class T>
struct Constant {
  T value;
  __device__ T operator()() const { return value; }
};

// A fill value as tensor/tensor.cpp's convert<T>(double) gives it, in the device type's storage: f16/bf16 as their
// bits, rounded on the host exactly as the CPU does.
template <class T>
auto host_value(double v) {
  if constexpr (std::is_same_v<T, __half>)
    return htp::half(static_cast<float>(v)).bits;
  else if constexpr (std::is_same_v<T, __nv_bfloat16>)
    return htp::bfloat16(static_cast<float>(v)).bits;
  else if constexpr (std::is_same_v<T, bool>)
    return v != 0.0;
  else
    return static_cast<T>(v);
}

// dst = src converted, both on one device (the current one), any strides.
void device_copy(const Tensor& dst, const Tensor& src) {
  const int device = dst.device().index;
  if (dst.dtype() == src.dtype() && dst.is_contiguous() && src.is_contiguous()) {
    HTP_CUDA_CHECK(cudaMemcpyAsync(dst.raw_data(), src.raw_data(), static_cast<size_t>(dst.numel()) * dst.element_size(),
                                   cudaMemcpyDeviceToDevice, stream(device)),
                   "copy");
    return;
  }
  dispatch_device_type(dst.dtype(), [&](auto dtag) {
    using D = typename decltype(dtag)::type;
    dispatch_device_type(src.dtype(), [&](auto stag) {
      using S = typename decltype(stag)::type;
      launch_elementwise<D, S>("copy", dst, {src}, ConvertTo<D>{});
    });
  });
}

class CudaBackend final : public DeviceBackend {
 public:
  CudaBackend() : staging_(static_cast<size_t>(cuda_device_count())) {}

  void copy(const Tensor& dst, const Tensor& src) override {
    if (dst.numel() == 0) return;
    if (dst.device().is_cuda() && src.device().is_cuda()) {
      if (dst.device() == src.device()) {
        DeviceGuard guard(dst.device().index);
        device_copy(dst, src);
      } else {
        const Tensor host = empty(src.shape(), src.dtype(), Device::cpu());
        copy(host, src);
        copy(dst, host);
      }
    } else if (dst.device().is_cuda()) {
      to_device(dst, src);
    } else {
      to_host(dst, src);
    }
  }

  void fill(const Tensor& dst, double value) override {
    DeviceGuard guard(dst.device().index);
    dispatch_device_type(dst.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      using Stored = decltype(host_value<T>(value));
      launch_elementwise<Stored>("fill", dst, {}, Constant<Stored>{host_value<T>(value)});
    });
  }

  void synchronize(Device device) override { cuda::synchronize(device.index); }

  bool fill_uniform(const Tensor& dst, const PhiloxStream& s, double lo, double hi) override {
    cuda::fill_uniform(dst, s, lo, hi);
    return true;
  }
  bool fill_normal(const Tensor& dst, const PhiloxStream& s, double mean, double std) override {
    cuda::fill_normal(dst, s, mean, std);
    return true;
  }

 private:
  struct Staging {
    std::once_flag once;
    std::mutex m;  // one transfer at a time per device
    void* buffer[2] = {nullptr, nullptr};
    cudaEvent_t done[2] = {nullptr, nullptr};  // recorded after the last DMA that used each buffer
  };

  Staging& staging(int device) {
    Staging& st = staging_[static_cast<size_t>(device)];
    std::call_once(st.once, [&] {
      for (int b = 0; b < 2; ++b) {
        HTP_CUDA_CHECK(cudaHostAlloc(&st.buffer[b], kChunk, cudaHostAllocDefault), "copy: pinned staging buffer");
        HTP_CUDA_CHECK(cudaEventCreateWithFlags(&st.done[b], cudaEventDisableTiming), "copy: staging event");
      }
    });
    return st;
  }

  // dst (device, contiguous) = the `bytes` bytes at src (host). Caller holds a DeviceGuard for `device`.
  void upload(void* dst, const void* src, size_t bytes, int device) {
    Staging& st = staging(device);
    std::lock_guard<std::mutex> lock(st.m);
    const cudaStream_t s = stream(device);
    for (size_t off = 0, k = 0; off < bytes; off += kChunk, ++k) {
      const size_t n = std::min(kChunk, bytes - off);
      const int b = static_cast<int>(k % 2);
      HTP_CUDA_CHECK(cudaEventSynchronize(st.done[b]), "copy to cuda");  // the buffer's previous DMA has finished
      std::memcpy(st.buffer[b], static_cast<const char*>(src) + off, n);
      HTP_CUDA_CHECK(cudaMemcpyAsync(static_cast<char*>(dst) + off, st.buffer[b], n, cudaMemcpyHostToDevice, s),
                     "copy to cuda");
      HTP_CUDA_CHECK(cudaEventRecord(st.done[b], s), "copy to cuda");
    }
  }

  // dst (host) = the `bytes` bytes at src (device, contiguous); returns when dst holds them.
  void download(void* dst, const void* src, size_t bytes, int device) {
    Staging& st = staging(device);
    std::lock_guard<std::mutex> lock(st.m);
    const cudaStream_t s = stream(device);
    const size_t chunks = (bytes + kChunk - 1) / kChunk;
    auto queue = [&](size_t k) {
      const size_t off = k * kChunk, n = std::min(kChunk, bytes - off);
      HTP_CUDA_CHECK(cudaMemcpyAsync(st.buffer[k % 2], static_cast<const char*>(src) + off, n, cudaMemcpyDeviceToHost, s),
                     "copy to cpu");
      HTP_CUDA_CHECK(cudaEventRecord(st.done[k % 2], s), "copy to cpu");
    };
    if (chunks > 0) queue(0);
    for (size_t k = 0; k < chunks; ++k) {
      if (k + 1 < chunks) queue(k + 1);  // its buffer was drained in iteration k - 1
      HTP_CUDA_CHECK(cudaEventSynchronize(st.done[k % 2]), "copy to cpu");
      const size_t off = k * kChunk, n = std::min(kChunk, bytes - off);
      std::memcpy(static_cast<char*>(dst) + off, st.buffer[k % 2], n);
    }
  }

  static size_t nbytes(const Tensor& t) { return static_cast<size_t>(t.numel()) * t.element_size(); }

  void to_device(const Tensor& dst, const Tensor& src) {
    const int device = dst.device().index;
    DeviceGuard guard(device);
    const Tensor host = src.contiguous();
    if (host.dtype() == dst.dtype() && dst.is_contiguous()) {
      upload(dst.raw_data(), host.raw_data(), nbytes(host), device);
      return;
    }
    const Tensor staged = empty(host.shape(), host.dtype(), dst.device());
    upload(staged.raw_data(), host.raw_data(), nbytes(host), device);
    device_copy(dst, staged);
  }

  void to_host(const Tensor& dst, const Tensor& src) {
    const int device = src.device().index;
    DeviceGuard guard(device);
    Tensor packed = src;
    if (src.dtype() != dst.dtype() || !src.is_contiguous()) {
      packed = empty(src.shape(), dst.dtype(), src.device());
      device_copy(packed, src);
    }
    if (dst.is_contiguous()) {
      download(dst.raw_data(), packed.raw_data(), nbytes(packed), device);
      return;
    }
    const Tensor host = empty(src.shape(), dst.dtype(), Device::cpu());
    download(host.raw_data(), packed.raw_data(), nbytes(packed), device);
    Tensor(dst).copy_(host);
  }

  std::vector<Staging> staging_;
};

// Start-up registration, when a device is present. This object is referenced by nothing, so the library holding it
// is linked whole (kernels/CMakeLists.txt: WHOLE_ARCHIVE); the backend and allocator are never destroyed.
[[maybe_unused]] const bool g_registered = [] {
  if (!cuda_available()) return false;
  set_allocator(DeviceType::CUDA, &cuda_allocator());
  register_device_backend(DeviceType::CUDA, new CudaBackend);
  return true;
}();

}  // namespace
}  // namespace htp::kernels::cuda
