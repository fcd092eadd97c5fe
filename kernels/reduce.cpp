// Reductions: dims normalisation, validation and output allocation, then the device kernels (kernels/cpu/reduce.h).
#include "kernels/reduce.h"

#include <algorithm>
#include <cmath>

#include "kernels/cpu/reduce.h"
#ifdef HTP_WITH_CUDA
#include "kernels/cuda/reduce.h"
#endif
#include "kernels/dispatch.h"
#include "kernels/unary.h"
#include "tensor/creation.h"

namespace htp::kernels {

std::vector<int64_t> normalize_dims(const std::vector<int64_t>& dims, int64_t rank, const char* op) {
  std::vector<int64_t> out;
  if (dims.empty()) {
    for (int64_t d = 0; d < rank; ++d) out.push_back(d);
    return out;
  }
  for (int64_t d : dims) {
    const int64_t n = normalize_dim(d, rank, op);
    HTP_CHECK(std::find(out.begin(), out.end(), n) == out.end(), op, ": dim ", d, " appears more than once in dims ",
              shape_str(dims));
    out.push_back(n);
  }
  if (rank == 0) out.clear();  // a scalar has no dims to reduce: dim 0 / -1 name the scalar itself
  std::sort(out.begin(), out.end());
  return out;
}

Shape reduced_shape(const Shape& shape, const std::vector<int64_t>& dims, bool keepdim) {
  Shape out;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (std::find(dims.begin(), dims.end(), d) == dims.end())
      out.push_back(shape[d]);
    else if (keepdim)
      out.push_back(1);
  }
  return out;
}

namespace {

struct Reduction {
  std::vector<int64_t> dims;  // normalised
  Shape kept;                 // the keepdim=false shape (what the CPU kernels write)
  Shape result;               // the returned shape
  Tensor view(const Tensor& kept_out) const { return kept_out.view(result); }
};

Reduction plan(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim, const char* op) {
  HTP_CHECK(x.defined(), op, ": undefined tensor");
  Reduction r;
  r.dims = normalize_dims(dims, x.dim(), op);
  r.kept = reduced_shape(x.shape(), r.dims, false);
  r.result = reduced_shape(x.shape(), r.dims, keepdim);
  return r;
}

void check_floating(const Tensor& x, const char* op) {
  HTP_CHECK(x.dtype() == DType::f32 || x.dtype() == DType::f64, op, ": expected a float32 or float64 tensor, got ",
            x.describe());
}

void check_nonempty(const Tensor& x, const Reduction& r, const char* op) {
  if (shape_numel(r.kept) == 0) return;
  for (int64_t d : r.dims)
    HTP_CHECK(x.shape()[d] > 0, op, ": cannot reduce over dim ", d, " of size 0 of ", x.describe(),
              " (the result has no identity)");
}

// Floating reductions whose output has x's dtype.
template <class Kernel>
Tensor floating_reduction(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim, const char* op, Kernel k) {
  const Reduction r = plan(x, dims, keepdim, op);
  check_floating(x, op);
  Tensor out = empty(r.kept, x.dtype(), x.device());
  k(r, out);
  return r.view(out);
}

ValuesIndices extreme_along(const Tensor& x, int64_t dim, bool keepdim, bool is_max, const char* op) {
  const Reduction r = plan(x, {dim}, keepdim, op);
  check_nonempty(x, r, op);
  Tensor values = empty(r.kept, x.dtype(), x.device()), indices = empty(r.kept, DType::i64, x.device());
  HTP_DEVICE_CALL(op, x.device(), extreme, x, r.dims, is_max, values, indices);
  return {r.view(values), r.view(indices)};
}

Tensor extreme_values(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim, bool is_max, const char* op) {
  const Reduction r = plan(x, dims, keepdim, op);
  check_nonempty(x, r, op);
  Tensor values = empty(r.kept, x.dtype(), x.device());
  HTP_DEVICE_CALL(op, x.device(), extreme, x, r.dims, is_max, values, Tensor());
  return r.view(values);
}

Tensor extreme_index(const Tensor& x, int64_t dim, bool keepdim, bool is_max, const char* op) {
  const Reduction r = plan(x, {dim}, keepdim, op);
  check_nonempty(x, r, op);
  Tensor indices = empty(r.kept, DType::i64, x.device());
  HTP_DEVICE_CALL(op, x.device(), extreme, x, r.dims, is_max, Tensor(), indices);
  return r.view(indices);
}

}  // namespace

Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  const Reduction r = plan(x, dims, keepdim, "sum");
  Tensor out = empty(r.kept, is_floating(x.dtype()) ? x.dtype() : DType::i64, x.device());
  HTP_DEVICE_CALL("sum", x.device(), sum, x, r.dims, out);
  return r.view(out);
}

Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  return floating_reduction(x, dims, keepdim, "mean", [&](const Reduction& r, const Tensor& out) {
    HTP_DEVICE_CALL("mean", x.device(), mean, x, r.dims, out);
  });
}

ValuesIndices max(const Tensor& x, int64_t dim, bool keepdim) { return extreme_along(x, dim, keepdim, true, "max"); }
ValuesIndices min(const Tensor& x, int64_t dim, bool keepdim) { return extreme_along(x, dim, keepdim, false, "min"); }
Tensor amax(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  return extreme_values(x, dims, keepdim, true, "amax");
}
Tensor amin(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  return extreme_values(x, dims, keepdim, false, "amin");
}
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) { return extreme_index(x, dim, keepdim, true, "argmax"); }
Tensor argmin(const Tensor& x, int64_t dim, bool keepdim) { return extreme_index(x, dim, keepdim, false, "argmin"); }

Tensor var(const Tensor& x, const std::vector<int64_t>& dims, bool unbiased, bool keepdim) {
  return floating_reduction(x, dims, keepdim, "var", [&](const Reduction& r, const Tensor& out) {
    HTP_DEVICE_CALL("var", x.device(), var, x, r.dims, unbiased ? 1 : 0, out);
  });
}

Tensor norm(const Tensor& x, double p, const std::vector<int64_t>& dims, bool keepdim) {
  HTP_CHECK(p >= 0, "norm: p must be >= 0, got ", p, " for ", x.describe());
  if (std::isinf(p)) {
    check_floating(x, "norm");
    return amax(abs(x), dims, keepdim);
  }
  return floating_reduction(x, dims, keepdim, "norm", [&](const Reduction& r, const Tensor& out) {
    HTP_DEVICE_CALL("norm", x.device(), norm, x, p, r.dims, out);
  });
}

Tensor logsumexp(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  return floating_reduction(x, dims, keepdim, "logsumexp", [&](const Reduction& r, const Tensor& out) {
    HTP_DEVICE_CALL("logsumexp", x.device(), logsumexp, x, r.dims, out);
  });
}

Tensor sum_to(const Tensor& t, const Shape& shape) {
  HTP_CHECK(t.defined(), "sum_to: undefined tensor");
  if (t.shape() == shape) return t;
  const int64_t lead = t.dim() - static_cast<int64_t>(shape.size());
  bool ok = lead >= 0;
  std::vector<int64_t> dims;
  for (int64_t d = 0; ok && d < t.dim(); ++d) {
    if (d < lead) {
      dims.push_back(d);
    } else if (shape[d - lead] != t.shape()[d]) {
      ok = shape[d - lead] == 1;
      dims.push_back(d);
    }
  }
  HTP_CHECK(ok, "sum_to: ", t.describe(), " cannot be summed to shape ", shape_str(shape),
            " (that shape does not broadcast to ", shape_str(t.shape()), ")");
  return sum(t, dims, false).view(shape);
}

Tensor max_backward(const Tensor& grad, const Tensor& indices, const Shape& input_shape, int64_t dim, bool keepdim) {
  const int64_t d = normalize_dim(dim, static_cast<int64_t>(input_shape.size()), "max_backward");
  Shape line_shape = input_shape;
  if (!line_shape.empty()) line_shape[d] = 1;
  HTP_CHECK(grad.numel() == shape_numel(line_shape) && indices.numel() == grad.numel(), "max_backward: gradient ",
            grad.describe(), " and indices ", indices.describe(), " do not match input shape ", shape_str(input_shape),
            " reduced over dim ", dim);
  HTP_CHECK(indices.dtype() == DType::i64, "max_backward: indices must be int64, got ", indices.describe());
  Tensor out = zeros(input_shape, grad.dtype(), grad.device());
  if (out.numel() == 0) return out;
  const Tensor g = keepdim ? grad : grad.reshape(line_shape);
  const Tensor i = keepdim ? indices : indices.reshape(line_shape);
  if (input_shape.empty()) return out.copy_(g);
  HTP_DEVICE_CALL("max_backward", out.device(), scatter_along_dim, g, i, d, out);
  return out;
}

}  // namespace htp::kernels
