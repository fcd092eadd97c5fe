// Validation and dispatch for batch norm and layer norm (math in kernels/norm.h, loops in kernels/cpu/norm.cpp).
#include "kernels/norm.h"

#include "kernels/cpu/norm.h"
#ifdef HTP_WITH_CUDA
#include "kernels/cuda/norm.h"
#endif
#include "kernels/dispatch.h"
#include "tensor/creation.h"

namespace htp::kernels {
namespace {

void check_input(const Tensor& x, const char* op) {
  HTP_CHECK(x.defined(), op, ": the input is undefined");
  HTP_CHECK(x.dtype() == DType::f32 || x.dtype() == DType::f64, op, ": expected a float32 or float64 input, got ",
            x.describe());
}

// An optional per-channel or per-feature tensor: undefined, or `shape` with the input's dtype and device.
void check_param(const Tensor& p, const char* name, const Shape& shape, const Tensor& x, const char* op) {
  if (!p.defined()) return;
  HTP_CHECK(p.shape() == shape && p.dtype() == x.dtype(), op, ": ", name, " is ", p.describe(), ", expected ",
            dtype_name(x.dtype()), shape_str(shape), " for the input ", x.describe());
  check_same_device(p, x, op);
}

void check_grad(const Tensor& grad_y, const Tensor& x, const char* op) {
  HTP_CHECK(grad_y.defined() && grad_y.shape() == x.shape() && grad_y.dtype() == x.dtype(), op, ": the gradient ",
            grad_y.describe(), " does not match the input ", x.describe());
  check_same_device(grad_y, x, op);
}

Tensor contiguous_or_undefined(const Tensor& t) { return t.defined() ? t.contiguous() : t; }
Tensor flat_or_undefined(const Tensor& t) { return t.defined() ? t.contiguous().view({-1}) : t; }

Tensor new_if(bool wanted, const Shape& shape, const Tensor& like) {
  return wanted ? empty(shape, like.dtype(), like.device()) : Tensor();
}

// Batch norm's [N, C, S] view of a contiguous copy of x.
Tensor as_ncs(const Tensor& x) {
  int64_t s = 1;
  for (int64_t d = 2; d < x.dim(); ++d) s *= x.size(d);
  return x.contiguous().view({x.size(0), x.size(1), s});
}

// Layer norm: the number of rows M and the row length D, after checking normalized_shape against x's last dims.
struct Rows {
  int64_t m = 1, d = 1;
};

Rows layer_norm_rows(const Tensor& x, const Shape& normalized_shape, const char* op) {
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  bool ok = k >= 1 && k <= x.dim();
  for (int64_t i = 0; ok && i < k; ++i) ok = x.size(x.dim() - k + i) == normalized_shape[i];
  HTP_CHECK(ok, op, ": normalized_shape ", shape_str(normalized_shape), " does not match the last dims of the input ",
            x.describe());
  Rows r;
  for (int64_t i = 0; i < x.dim(); ++i) (i < x.dim() - k ? r.m : r.d) *= x.size(i);
  return r;
}

// x.shape[:-K] + [1] * K: the shape of layer norm's mean and rstd.
Shape layer_norm_stats_shape(const Tensor& x, const Shape& normalized_shape) {
  Shape s = x.shape();
  for (size_t i = s.size() - normalized_shape.size(); i < s.size(); ++i) s[i] = 1;
  return s;
}

}  // namespace

NormForward batch_norm_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                               const Tensor& running_var, bool training, double momentum, double eps) {
  const char* op = "batch_norm";
  check_input(x, op);
  HTP_CHECK(x.dim() >= 2, op, ": expected an input of shape [N, C] or [N, C, *], got ", x.describe());
  const Shape channels{x.size(1)};
  check_param(weight, "weight", channels, x, op);
  check_param(bias, "bias", channels, x, op);
  check_param(running_mean, "running_mean", channels, x, op);
  check_param(running_var, "running_var", channels, x, op);
  HTP_CHECK(running_mean.defined() == running_var.defined(), op,
            ": running_mean and running_var must be both given or both undefined");
  HTP_CHECK(training || running_mean.defined(), op, ": evaluation mode needs running_mean and running_var");
  Tensor xc = as_ncs(x);
  HTP_CHECK(!training || xc.size(0) * xc.size(2) > 1, op,
            ": training needs more than one value per channel, got an input of shape ", shape_str(x.shape()));
  const bool update = training && running_mean.defined();
  Tensor y = empty(xc.shape(), x.dtype(), x.device());
  Tensor mean = empty(channels, x.dtype(), x.device()), invstd = empty(channels, x.dtype(), x.device());
  // Running statistics are updated in place; a non-contiguous one goes through a contiguous copy.
  Tensor rm = contiguous_or_undefined(running_mean), rv = contiguous_or_undefined(running_var);
  HTP_DEVICE_CALL(op, x.device(), batch_norm_forward, xc, contiguous_or_undefined(weight),
                  contiguous_or_undefined(bias), rm, rv, training, momentum, eps, y, mean, invstd);
  if (update) {
    if (!running_mean.is_contiguous()) Tensor(running_mean).copy_(rm);
    if (!running_var.is_contiguous()) Tensor(running_var).copy_(rv);
    running_mean.bump_version();
    running_var.bump_version();
  }
  return {y.view(x.shape()), mean, invstd};
}

NormGrads batch_norm_backward(const Tensor& grad_y, const Tensor& x, const Tensor& weight, const Tensor& save_mean,
                              const Tensor& save_invstd, bool training, NormGradMask mask) {
  const char* op = "batch_norm_backward";
  check_input(x, op);
  HTP_CHECK(x.dim() >= 2, op, ": expected an input of shape [N, C] or [N, C, *], got ", x.describe());
  check_grad(grad_y, x, op);
  const Shape channels{x.size(1)};
  check_param(weight, "weight", channels, x, op);
  HTP_CHECK(save_mean.defined() && save_invstd.defined(), op, ": the saved mean and invstd are required");
  check_param(save_mean, "save_mean", channels, x, op);
  check_param(save_invstd, "save_invstd", channels, x, op);
  Tensor xc = as_ncs(x), gc = as_ncs(grad_y);
  NormGrads out{new_if(mask.x, xc.shape(), x), new_if(mask.weight, channels, x), new_if(mask.bias, channels, x)};
  HTP_DEVICE_CALL(op, x.device(), batch_norm_backward, gc, xc, contiguous_or_undefined(weight), save_mean.contiguous(),
                  save_invstd.contiguous(), training, out.dx, out.dweight, out.dbias);
  if (out.dx.defined()) out.dx = out.dx.view(x.shape());
  return out;
}

NormForward layer_norm_forward(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                               double eps) {
  const char* op = "layer_norm";
  check_input(x, op);
  const Rows r = layer_norm_rows(x, normalized_shape, op);
  check_param(weight, "weight", normalized_shape, x, op);
  check_param(bias, "bias", normalized_shape, x, op);
  Tensor xc = x.contiguous().view({r.m, r.d});
  Tensor y = empty({r.m, r.d}, x.dtype(), x.device());
  Tensor mean = empty({r.m}, x.dtype(), x.device()), rstd = empty({r.m}, x.dtype(), x.device());
  HTP_DEVICE_CALL(op, x.device(), layer_norm_forward, xc, flat_or_undefined(weight), flat_or_undefined(bias), eps, y,
                  mean, rstd);
  const Shape stats = layer_norm_stats_shape(x, normalized_shape);
  return {y.view(x.shape()), mean.view(stats), rstd.view(stats)};
}

NormGrads layer_norm_backward(const Tensor& grad_y, const Tensor& x, const Shape& normalized_shape, const Tensor& mean,
                              const Tensor& rstd, const Tensor& weight, NormGradMask mask) {
  const char* op = "layer_norm_backward";
  check_input(x, op);
  const Rows r = layer_norm_rows(x, normalized_shape, op);
  check_grad(grad_y, x, op);
  check_param(weight, "weight", normalized_shape, x, op);
  const Shape stats = layer_norm_stats_shape(x, normalized_shape);
  HTP_CHECK(mean.defined() && rstd.defined(), op, ": the saved mean and rstd are required");
  check_param(mean, "mean", stats, x, op);
  check_param(rstd, "rstd", stats, x, op);
  NormGrads out{new_if(mask.x, {r.m, r.d}, x), new_if(mask.weight, normalized_shape, x),
                new_if(mask.bias, normalized_shape, x)};
  HTP_DEVICE_CALL(op, x.device(), layer_norm_backward, grad_y.contiguous().view({r.m, r.d}),
                  x.contiguous().view({r.m, r.d}), mean.contiguous().view({r.m}), rstd.contiguous().view({r.m}),
                  flat_or_undefined(weight), out.dx, flat_or_undefined(out.dweight), flat_or_undefined(out.dbias));
  if (out.dx.defined()) out.dx = out.dx.view(x.shape());
  return out;
}

}  // namespace htp::kernels
