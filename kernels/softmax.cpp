// Validation and dispatch for the softmax family (math in kernels/softmax.h, loops in kernels/cpu/softmax.cpp).
#include "kernels/softmax.h"

#include "kernels/cpu/softmax.h"
#ifdef HTP_WITH_CUDA
#include "kernels/cuda/softmax.h"
#endif
#include "kernels/dispatch.h"
#include "tensor/creation.h"

namespace htp::kernels {
namespace {

void check_float(const Tensor& t, const char* op, const char* name) {
  HTP_CHECK(t.defined(), op, ": ", name, " is undefined");
  HTP_CHECK(t.dtype() == DType::f32 || t.dtype() == DType::f64, op, ": expected a float32 or float64 ", name, ", got ",
            t.describe());
}

// The kernels see a contiguous tensor of rank >= 1 (a scalar is one softmax row of length 1).
Tensor as_kernel_input(const Tensor& t) { return t.dim() == 0 ? t.reshape({1}) : t.contiguous(); }

struct Prepared {
  Tensor x;         // contiguous, rank >= 1
  int64_t dim = 0;  // normalised
};

Prepared prepare_forward(const Tensor& x, int64_t dim, const char* op) {
  check_float(x, op, "input");
  const int64_t d = normalize_dim(dim, x.dim(), op);
  return {as_kernel_input(x), d};
}

struct PreparedBackward {
  Tensor grad_y, y;
  int64_t dim = 0;
};

PreparedBackward prepare_backward(const Tensor& grad_y, const Tensor& y, int64_t dim, const char* op) {
  check_float(y, op, "output");
  check_float(grad_y, op, "gradient");
  HTP_CHECK(grad_y.shape() == y.shape() && grad_y.dtype() == y.dtype(), op, ": the gradient ", grad_y.describe(),
            " does not match the output ", y.describe());
  check_same_device(grad_y, y, op);
  const int64_t d = normalize_dim(dim, y.dim(), op);
  return {as_kernel_input(grad_y), as_kernel_input(y), d};
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) {
  Prepared p = prepare_forward(x, dim, "softmax");
  Tensor y = empty(p.x.shape(), x.dtype(), x.device());
  HTP_DEVICE_CALL("softmax", x.device(), softmax, p.x, p.dim, y);
  return y.view(x.shape());
}

Tensor log_softmax(const Tensor& x, int64_t dim) {
  Prepared p = prepare_forward(x, dim, "log_softmax");
  Tensor y = empty(p.x.shape(), x.dtype(), x.device());
  HTP_DEVICE_CALL("log_softmax", x.device(), log_softmax, p.x, p.dim, y);
  return y.view(x.shape());
}

Tensor softmax_backward(const Tensor& grad_y, const Tensor& y, int64_t dim) {
  PreparedBackward p = prepare_backward(grad_y, y, dim, "softmax_backward");
  Tensor dx = empty(p.y.shape(), y.dtype(), y.device());
  HTP_DEVICE_CALL("softmax_backward", y.device(), softmax_backward, p.grad_y, p.y, p.dim, dx);
  return dx.view(y.shape());
}

Tensor log_softmax_backward(const Tensor& grad_y, const Tensor& y, int64_t dim) {
  PreparedBackward p = prepare_backward(grad_y, y, dim, "log_softmax_backward");
  Tensor dx = empty(p.y.shape(), y.dtype(), y.device());
  HTP_DEVICE_CALL("log_softmax_backward", y.device(), log_softmax_backward, p.grad_y, p.y, p.dim, dx);
  return dx.view(y.shape());
}

}  // namespace htp::kernels
