// Debug printing: "tensor(float32[2, 3] on cpu) [[1, 2, 3], [4, 5, 6]]", eliding the middle of long dimensions.
#include <cstdio>
#include <ostream>

#include "tensor/tensor.h"

namespace htp {
namespace {

constexpr int64_t kEdgeItems = 3;     // shown at each end of a long dimension
constexpr int64_t kSummarizeAt = 64;  // tensors with more elements are summarised

std::string format_value(double v, DType dt) {
  char buf[32];
  if (dt == DType::boolean) return v != 0 ? "true" : "false";
  if (!is_floating(dt)) std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  else std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void print_rec(std::ostream& os, const Tensor& t, const std::vector<double>& v, int64_t dim, int64_t base,
               bool summarize) {
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
    if (dim + 1 == t.dim()) os << format_value(v[base + i], t.dtype());
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
  const std::vector<double> v = to_vector();
  if (dim() == 0) os << format_value(v[0], dtype_);
  else print_rec(os, *this, v, 0, 0, numel() > kSummarizeAt);
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.str(); }

}  // namespace htp
