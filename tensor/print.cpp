// Debug printing: "tensor(float32[2, 3] on cpu) [[1, 2, 3], [4, 5, 6]]", eliding the middle of long dimensions.
#include <cstdio>
#include <ostream>

#include "tensor/tensor.h"

namespace htp {
namespace {

constexpr int64_t kEdgeItems = 3;     // shown at each end of a long dimension
constexpr int64_t kSummarizeAt = 64;  // tensors with more elements are summarised

// Element i (row-major) of a contiguous CPU copy: integers exactly (int64), floating values with 6 digits.
class Formatter {
 public:
  explicit Formatter(const Tensor& t)
      : dtype_(t.dtype()),
        values_(t.to(Device::cpu()).to(is_floating(t.dtype()) ? DType::f64 : DType::i64).contiguous()) {}
  std::string operator()(int64_t i) const {
    char buf[32];
    if (is_floating(dtype_)) {
      std::snprintf(buf, sizeof buf, "%.6g", values_.data<double>()[i]);
    } else {
      const long long v = values_.data<int64_t>()[i];
      if (dtype_ == DType::boolean) return v ? "true" : "false";
      std::snprintf(buf, sizeof buf, "%lld", v);
    }
    return buf;
  }

 private:
  DType dtype_;
  Tensor values_;
};

void print_rec(std::ostream& os, const Tensor& t, const Formatter& v, int64_t dim, int64_t base, bool summarize) {
  const int64_t n = t.size(dim);
  int64_t inner = 1;
  for (int64_t d = dim + 1; d < t.dim(); ++d) inner *= t.size(d);
  os << '[';
  for (int64_t i = 0; i < n; ++i) {
    if (summarize && n > 2 * kEdgeItems && i == kEdgeItems) {
      os << "..., ";
      i = n - kEdgeItems - 1;
      continue;
    }
    if (dim + 1 == t.dim()) os << v(base + i);
    else print_rec(os, t, v, dim + 1, base + i * inner, summarize);
    if (i + 1 < n) os << ", ";
  }
  os << ']';
}

}  // namespace

std::string Tensor::str() const {
  if (!defined()) return "tensor(undefined)";
  std::ostringstream os;
  os << "tensor(" << describe() << ") ";
  const Formatter v(*this);
  if (dim() == 0) os << v(0);
  else print_rec(os, *this, v, 0, 0, numel() > kSummarizeAt);
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.str(); }

}  // namespace htp
