// Tensor: a strided view (shape, element strides, element offset, dtype) into a reference-counted Storage.
//
// Copying a Tensor is cheap and shares the storage (like a NumPy array view); views never copy. A Tensor knows
// nothing of gradients: autograd wraps it in htp::Variable (autograd/variable.h).
//
//   Tensor x = zeros({2, 3});            // float32 on the CPU
//   Tensor y = x.transpose(0, 1);        // shares storage, strides [1, 3]
//   Tensor z = y.contiguous();           // copies into row-major order
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/device.h"
#include "tensor/dtype.h"
#include "tensor/shape.h"
#include "tensor/storage.h"

namespace htp {

class Tensor {
 public:
  Tensor() = default;  // undefined: defined() is false
  Tensor(Storage storage, Shape shape, Strides strides, int64_t offset, DType dtype);

  // ---- metadata ------------------------------------------------------------------------------------------------
  bool defined() const { return storage_.defined(); }
  const Shape& shape() const { return shape_; }
  const Strides& strides() const { return strides_; }
  int64_t dim() const { return static_cast<int64_t>(shape_.size()); }
  int64_t size(int64_t d) const;    // negative d counts from the end
  int64_t stride(int64_t d) const;
  int64_t offset() const { return offset_; }
  int64_t numel() const { return shape_numel(shape_); }
  DType dtype() const { return dtype_; }
  Device device() const { return storage_.device(); }
  size_t element_size() const { return dtype_size(dtype_); }
  bool is_contiguous() const;
  const Storage& storage() const { return storage_; }
  std::string describe() const;  // "float32[2, 3] on cpu" — for error messages

  // ---- data access (CPU) ---------------------------------------------------------------------------------------
  void* raw_data() const;  // address of element [0, …, 0]
  template <class T> T* data() const {
    check_dtype(dtype_v<T>, "data<T>()");
    return static_cast<T*>(raw_data());
  }
  template <class T> T item() const;  // the single element (numel == 1) converted to T; CPU tensors only
  std::vector<double> to_vector() const;  // all elements in row-major order as double (tests, printing)

  // ---- views: share storage, never copy ------------------------------------------------------------------------
  Tensor view(Shape shape) const;  // one -1 is inferred; throws if the strides do not allow it (use reshape)
  Tensor reshape(Shape shape) const;  // a view when possible, else a contiguous copy
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor permute(const std::vector<int64_t>& dims) const;
  Tensor transpose(int64_t d0, int64_t d1) const;
  Tensor t() const;  // transpose of a matrix (rank 2)
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor slice(int64_t dim, int64_t start, int64_t end, int64_t step = 1) const;  // Python-style clamping of bounds
  Tensor select(int64_t dim, int64_t index) const;  // removes dim
  Tensor expand(Shape shape) const;  // size-1 dims stretch (stride 0); -1 keeps a size; new leading dims allowed
  Tensor broadcast_to(const Shape& shape) const { return expand(shape); }
  Tensor squeeze() const;  // all size-1 dims
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor as_strided(Shape shape, Strides strides, int64_t offset) const;  // checked against the storage bounds

  // ---- copies ----------------------------------------------------------------------------------------------------
  Tensor contiguous() const;  // *this when already contiguous
  Tensor clone() const;       // always a fresh contiguous copy
  Tensor to(DType dtype) const;  // *this when the dtype matches
  Tensor to(Device device) const;  // *this when the device matches
  // In-place writes (bump the storage version). copy_ broadcasts src to this shape and converts its dtype.
  Tensor& copy_(const Tensor& src);
  Tensor& fill_(double value);
  Tensor& zero_() { return fill_(0.0); }

  // Storage version, for autograd's check that saved tensors were not modified in place.
  uint64_t version() const { return storage_.version(); }
  void bump_version() const { storage_.bump_version(); }

  std::string str() const;  // shape, dtype, device and (some) values; see tensor/print.h

 private:
  void check_dtype(DType expected, const char* what) const;

  Storage storage_;
  Shape shape_;
  Strides strides_;
  int64_t offset_ = 0;
  DType dtype_ = DType::f32;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

// Same device, or an error naming `op` and both tensors.
void check_same_device(const Tensor& a, const Tensor& b, const char* op);

}  // namespace htp
