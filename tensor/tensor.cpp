#include "tensor/tensor.h"

#include <algorithm>
#include <limits>
#include <ostream>

#include "tensor/creation.h"
#include "tensor/device_backend.h"
#include "tensor/strided_loop.h"

namespace htp {

Tensor::Tensor(Storage storage, Shape shape, Strides strides, int64_t offset, DType dtype)
    : storage_(std::move(storage)), shape_(std::move(shape)), strides_(std::move(strides)), offset_(offset), dtype_(dtype) {
  HTP_CHECK(shape_.size() == strides_.size(), "Tensor: shape ", shape_str(shape_), " and strides ", shape_str(strides_),
            " differ in rank");
  for (int64_t s : shape_) HTP_CHECK(s >= 0, "Tensor: negative size in shape ", shape_str(shape_));
}

namespace {
// normalize_dim for ops that index a dimension: a rank-0 tensor has none.
int64_t existing_dim(const Tensor& t, int64_t d, const char* op) {
  HTP_CHECK(t.dim() > 0, op, ": ", t.describe(), " is a scalar (rank 0) and has no dimension ", d);
  return normalize_dim(d, t.dim(), op);
}
}  // namespace

int64_t Tensor::size(int64_t d) const { return shape_[existing_dim(*this, d, "size")]; }
int64_t Tensor::stride(int64_t d) const { return strides_[existing_dim(*this, d, "stride")]; }

bool Tensor::is_contiguous() const {
  int64_t expected = 1;
  for (size_t i = shape_.size(); i-- > 0;) {
    if (shape_[i] == 1) continue;
    if (shape_[i] == 0) return true;
    if (strides_[i] != expected) return false;
    expected *= shape_[i];
  }
  return true;
}

std::string Tensor::describe() const {
  if (!defined()) return "undefined tensor";
  return detail::concat(dtype_name(dtype_), shape_str(shape_), " on ", device().str());
}

void Tensor::check_dtype(DType expected, const char* what) const {
  HTP_CHECK(defined(), what, ": the tensor is undefined");
  HTP_CHECK(dtype_ == expected, what, ": the tensor is ", describe(), ", not ", dtype_name(expected));
}

void* Tensor::raw_data() const {
  HTP_CHECK(defined(), "data access on an undefined tensor");
  return static_cast<char*>(storage_.data()) + offset_ * static_cast<int64_t>(element_size());
}

template <class T>
T Tensor::item() const {
  HTP_CHECK(numel() == 1, "item(): the tensor is ", describe(), ", not a single element");
  Tensor c = device().is_cpu() ? *this : to(Device::cpu());
  return dispatch_all(dtype_, [&](auto tag) -> T {
    using S = decltype(tag);
    const S v = *static_cast<const S*>(c.raw_data());
    if constexpr (std::is_same_v<S, half> || std::is_same_v<S, bfloat16>)
      return static_cast<T>(static_cast<float>(v));
    else
      return static_cast<T>(v);
  });
}
template float Tensor::item<float>() const;
template double Tensor::item<double>() const;
template int64_t Tensor::item<int64_t>() const;
template int32_t Tensor::item<int32_t>() const;
template uint8_t Tensor::item<uint8_t>() const;
template bool Tensor::item<bool>() const;

std::vector<double> Tensor::to_vector() const {
  Tensor c = to(Device::cpu()).to(DType::f64).contiguous();
  const double* p = c.data<double>();
  return std::vector<double>(p, p + c.numel());
}

// ---- views ---------------------------------------------------------------------------------------------------------

namespace {
Shape infer_shape(Shape shape, int64_t numel, const char* op, const Shape& from) {
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      HTP_CHECK(infer < 0, op, ": only one dimension can be -1 in ", shape_str(shape));
      infer = static_cast<int64_t>(i);
    } else {
      HTP_CHECK(shape[i] >= 0, op, ": invalid size ", shape[i], " in ", shape_str(shape));
      known *= shape[i];
    }
  }
  if (infer >= 0) {
    HTP_CHECK(known != 0 && numel % known == 0, op, ": cannot infer -1 in ", shape_str(shape), " for ", numel,
              " elements (from ", shape_str(from), ")");
    shape[infer] = numel / known;
  }
  HTP_CHECK(shape_numel(shape) == numel, op, ": shape ", shape_str(shape), " has ", shape_numel(shape),
            " elements but the tensor ", shape_str(from), " has ", numel);
  return shape;
}

// Strides for viewing (shape, strides) as new_shape without copying, or an empty vector when impossible.
// Follows the chunk-matching approach of PyTorch's computeStride: each run of old dims that is contiguous in memory
// may be re-split freely.
Strides view_strides(const Shape& shape, const Strides& strides, const Shape& new_shape) {
  if (shape_numel(shape) == 0 || shape.empty()) return contiguous_strides(new_shape);
  Strides out(new_shape.size());
  int64_t view_d = static_cast<int64_t>(new_shape.size()) - 1;
  int64_t chunk_base_stride = strides.empty() ? 1 : strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    tensor_numel *= shape[d];
    if (d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d] == 1)) {
        out[view_d] = view_numel * chunk_base_stride;
        view_numel *= new_shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return {};
      if (d > 0) {
        chunk_base_stride = strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return {};
  return out;
}
}  // namespace

Tensor Tensor::view(Shape new_shape) const {
  new_shape = infer_shape(std::move(new_shape), numel(), "view", shape_);
  Strides st = view_strides(shape_, strides_, new_shape);
  HTP_CHECK(!st.empty() || new_shape.empty(), "view: a ", describe(), " with strides ", shape_str(strides_),
            " cannot be viewed as ", shape_str(new_shape), " without a copy; use reshape() or contiguous()");
  return Tensor(storage_, std::move(new_shape), std::move(st), offset_, dtype_);
}

Tensor Tensor::reshape(Shape new_shape) const {
  new_shape = infer_shape(std::move(new_shape), numel(), "reshape", shape_);
  Strides st = view_strides(shape_, strides_, new_shape);
  if (!st.empty() || new_shape.empty()) return Tensor(storage_, std::move(new_shape), std::move(st), offset_, dtype_);
  return contiguous().view(std::move(new_shape));
}

Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  if (dim() == 0) return reshape({1});
  start_dim = normalize_dim(start_dim, dim(), "flatten");
  end_dim = normalize_dim(end_dim, dim(), "flatten");
  HTP_CHECK(start_dim <= end_dim, "flatten: start_dim ", start_dim, " is after end_dim ", end_dim);
  Shape s(shape_.begin(), shape_.begin() + start_dim);
  int64_t m = 1;
  for (int64_t d = start_dim; d <= end_dim; ++d) m *= shape_[d];
  s.push_back(m);
  s.insert(s.end(), shape_.begin() + end_dim + 1, shape_.end());
  return reshape(std::move(s));
}

Tensor Tensor::permute(const std::vector<int64_t>& dims) const {
  HTP_CHECK(static_cast<int64_t>(dims.size()) == dim(), "permute: got ", dims.size(), " dimensions for a tensor of rank ",
            dim(), " (", describe(), ")");
  Shape s(dims.size());
  Strides st(dims.size());
  std::vector<bool> seen(dims.size(), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t d = normalize_dim(dims[i], dim(), "permute");
    HTP_CHECK(!seen[d], "permute: dimension ", d, " appears twice in ", shape_str(dims));
    seen[d] = true;
    s[i] = shape_[d];
    st[i] = strides_[d];
  }
  return Tensor(storage_, std::move(s), std::move(st), offset_, dtype_);
}

Tensor Tensor::transpose(int64_t d0, int64_t d1) const {
  d0 = existing_dim(*this, d0, "transpose");
  d1 = existing_dim(*this, d1, "transpose");
  Shape s = shape_;
  Strides st = strides_;
  std::swap(s[d0], s[d1]);
  std::swap(st[d0], st[d1]);
  return Tensor(storage_, std::move(s), std::move(st), offset_, dtype_);
}

Tensor Tensor::t() const {
  HTP_CHECK(dim() == 2, "t(): expected a matrix, got ", describe());
  return transpose(0, 1);
}

Tensor Tensor::narrow(int64_t d, int64_t start, int64_t length) const {
  d = existing_dim(*this, d, "narrow");
  if (start < 0) start += shape_[d];
  HTP_CHECK(start >= 0 && length >= 0 && start + length <= shape_[d], "narrow: start ", start, " and length ", length,
            " exceed dimension ", d, " of size ", shape_[d], " (", describe(), ")");
  Shape s = shape_;
  s[d] = length;
  return Tensor(storage_, std::move(s), strides_, offset_ + start * strides_[d], dtype_);
}

Tensor Tensor::slice(int64_t d, int64_t start, int64_t end, int64_t step) const {
  d = existing_dim(*this, d, "slice");
  HTP_CHECK(step > 0, "slice: step must be positive, got ", step);
  const int64_t n = shape_[d];
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp<int64_t>(start, 0, n);
  end = std::clamp<int64_t>(end, start, n);
  Shape s = shape_;
  Strides st = strides_;
  s[d] = (end - start + step - 1) / step;
  st[d] *= step;
  return Tensor(storage_, std::move(s), std::move(st), offset_ + start * strides_[d], dtype_);
}

Tensor Tensor::select(int64_t d, int64_t index) const {
  d = existing_dim(*this, d, "select");
  const int64_t wrapped = index < 0 ? index + shape_[d] : index;
  HTP_CHECK(wrapped >= 0 && wrapped < shape_[d], "select: index ", index, " is out of range for dimension ", d,
            " of size ", shape_[d], " (", describe(), ")");
  index = wrapped;
  Shape s = shape_;
  Strides st = strides_;
  s.erase(s.begin() + d);
  st.erase(st.begin() + d);
  return Tensor(storage_, std::move(s), std::move(st), offset_ + index * strides_[d], dtype_);
}

Tensor Tensor::expand(Shape target) const {
  HTP_CHECK(target.size() >= shape_.size(), "expand: cannot expand ", describe(), " to fewer dimensions ",
            shape_str(target));
  const size_t lead = target.size() - shape_.size();
  Strides st(target.size(), 0);
  for (size_t i = 0; i < target.size(); ++i) {
    if (i < lead) {
      HTP_CHECK(target[i] >= 0, "expand: size -1 is not allowed for a new leading dimension in ", shape_str(target));
      continue;
    }
    const int64_t have = shape_[i - lead];
    if (target[i] == -1) target[i] = have;
    HTP_CHECK(have == target[i] || have == 1, "expand: cannot expand ", describe(), " to ", shape_str(target),
              " (dimension ", i, ": ", have, " vs ", target[i], ")");
    st[i] = have == target[i] ? strides_[i - lead] : 0;
  }
  return Tensor(storage_, std::move(target), std::move(st), offset_, dtype_);
}

Tensor Tensor::squeeze() const {
  Shape s;
  Strides st;
  for (size_t i = 0; i < shape_.size(); ++i)
    if (shape_[i] != 1) {
      s.push_back(shape_[i]);
      st.push_back(strides_[i]);
    }
  return Tensor(storage_, std::move(s), std::move(st), offset_, dtype_);
}

Tensor Tensor::squeeze(int64_t d) const {
  if (dim() == 0) return *this;
  d = normalize_dim(d, dim(), "squeeze");
  if (shape_[d] != 1) return *this;
  Shape s = shape_;
  Strides st = strides_;
  s.erase(s.begin() + d);
  st.erase(st.begin() + d);
  return Tensor(storage_, std::move(s), std::move(st), offset_, dtype_);
}

Tensor Tensor::unsqueeze(int64_t d) const {
  HTP_CHECK(d >= -dim() - 1 && d <= dim(), "unsqueeze: dimension ", d, " is out of range for a tensor of rank ", dim(),
            " (expected ", -dim() - 1, " to ", dim(), ")");
  if (d < 0) d += dim() + 1;
  Shape s = shape_;
  Strides st = strides_;
  const int64_t new_stride = d < dim() ? strides_[d] * shape_[d] : 1;
  s.insert(s.begin() + d, 1);
  st.insert(st.begin() + d, new_stride);
  return Tensor(storage_, std::move(s), std::move(st), offset_, dtype_);
}

Tensor Tensor::as_strided(Shape s, Strides st, int64_t off) const {
  HTP_CHECK(s.size() == st.size(), "as_strided: shape ", shape_str(s), " and strides ", shape_str(st), " differ in rank");
  int64_t lo = off, hi = off;
  for (size_t i = 0; i < s.size(); ++i) {
    HTP_CHECK(s[i] >= 0, "as_strided: negative size in ", shape_str(s));
    if (s[i] == 0) lo = hi = off;
    if (s[i] == 0) break;
    (st[i] >= 0 ? hi : lo) += st[i] * (s[i] - 1);
  }
  const int64_t capacity = static_cast<int64_t>(storage_.nbytes() / element_size());
  HTP_CHECK(shape_numel(s) == 0 || (lo >= 0 && hi < capacity), "as_strided: shape ", shape_str(s), " strides ",
            shape_str(st), " offset ", off, " reach outside a storage of ", capacity, " elements");
  return Tensor(storage_, std::move(s), std::move(st), off, dtype_);
}

// ---- copies --------------------------------------------------------------------------------------------------------

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : clone(); }

Tensor Tensor::clone() const {
  Tensor out = empty(shape_, dtype_, device());
  out.copy_(*this);
  return out;
}

Tensor Tensor::to(DType dt) const {
  if (dt == dtype_) return *this;
  Tensor out = empty(shape_, dt, device());
  out.copy_(*this);
  return out;
}

Tensor Tensor::to(Device dev) const {
  if (dev == device()) return *this;
  Tensor out = empty(shape_, dtype_, dev);
  out.copy_(*this);
  return out;
}

namespace {
template <class D, class S>
D convert(S v) {
  if constexpr (std::is_same_v<D, S>) {
    return v;
  } else if constexpr (std::is_same_v<S, half> || std::is_same_v<S, bfloat16>) {
    return convert<D>(static_cast<float>(v));
  } else if constexpr (std::is_same_v<D, half> || std::is_same_v<D, bfloat16>) {
    return D(static_cast<float>(v));
  } else if constexpr (std::is_same_v<D, bool>) {
    return v != S(0);
  } else if constexpr (std::is_integral_v<D> && std::is_floating_point_v<S>) {
    // Out-of-range float-to-integer conversion is undefined behaviour in C++: saturate instead, NaN becomes 0.
    if (!(v == v)) return D(0);
    if (v <= static_cast<S>(std::numeric_limits<D>::lowest())) return std::numeric_limits<D>::lowest();
    if (v >= static_cast<S>(std::numeric_limits<D>::max())) return std::numeric_limits<D>::max();
    return static_cast<D>(v);
  } else {
    return static_cast<D>(v);
  }
}

void cpu_copy(const Tensor& dst, const Tensor& src) {
  dispatch_all(dst.dtype(), [&](auto dtag) {
    using D = decltype(dtag);
    dispatch_all(src.dtype(), [&](auto stag) {
      using S = decltype(stag);
      D* d = static_cast<D*>(dst.raw_data());
      const S* s = static_cast<const S*>(src.raw_data());
      strided_loop<2>(dst.shape(), {&dst.strides(), &src.strides()},
                      [&](const int64_t* off, int64_t n, const int64_t* inc) {
                        D* dp = d + off[0];
                        const S* sp = s + off[1];
                        if (inc[0] == 1 && inc[1] == 1) {
                          for (int64_t i = 0; i < n; ++i) dp[i] = convert<D>(sp[i]);
                        } else {
                          for (int64_t i = 0; i < n; ++i) dp[i * inc[0]] = convert<D>(sp[i * inc[1]]);
                        }
                      });
    });
  });
}
}  // namespace

Tensor& Tensor::copy_(const Tensor& src) {
  HTP_CHECK(defined() && src.defined(), "copy_: undefined tensor");
  Tensor s = src.shape_ == shape_ ? src : src.expand(shape_);
  // Reading and writing the same storage through different views would read already-overwritten elements.
  if (s.storage_.is_same(storage_) && !(s.offset_ == offset_ && s.strides_ == strides_ && s.dtype_ == dtype_))
    s = s.clone();
  if (numel() > 0) {
    if (device().is_cpu() && s.device().is_cpu())
      cpu_copy(*this, s);
    else
      device_backend(device().is_cpu() ? s.device().type : device().type).copy(*this, s);
  }
  bump_version();
  return *this;
}

Tensor& Tensor::fill_(double value) {
  HTP_CHECK(defined(), "fill_: undefined tensor");
  if (numel() > 0) {
    if (device().is_cpu()) {
      dispatch_all(dtype_, [&](auto tag) {
        using T = decltype(tag);
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
          HTP_CHECK(value >= static_cast<double>(std::numeric_limits<T>::lowest()) &&
                        value <= static_cast<double>(std::numeric_limits<T>::max()),
                    "fill_: value ", value, " cannot be converted to ", dtype_name(dtype_), " without overflow");
        const T v = convert<T>(value);
        T* p = static_cast<T*>(raw_data());
        strided_loop<1>(shape_, {&strides_}, [&](const int64_t* off, int64_t n, const int64_t* inc) {
          for (int64_t i = 0; i < n; ++i) p[off[0] + i * inc[0]] = v;
        });
      });
    } else {
      device_backend(device().type).fill(*this, value);
    }
  }
  bump_version();
  return *this;
}

void check_same_device(const Tensor& a, const Tensor& b, const char* op) {
  HTP_CHECK(a.device() == b.device(), op, ": tensors are on different devices: ", a.describe(), " and ", b.describe());
}

}  // namespace htp
