// Unary ops and their backward kernels: validation and output allocation, then the device kernels.
#include "kernels/unary.h"

#include <limits>

#include "kernels/cpu/unary.h"
#ifdef HTP_WITH_CUDA
#include "kernels/cuda/unary.h"
#endif
#include "kernels/dispatch.h"
#include "tensor/creation.h"

namespace htp::kernels {
namespace {

using cpu::UnaryBackwardOp;
using cpu::UnaryOp;

constexpr double kInf = std::numeric_limits<double>::infinity();

void check_defined(const Tensor& x, const char* op) { HTP_CHECK(x.defined(), op, ": undefined tensor"); }

void check_floating(const Tensor& x, const char* op) {
  check_defined(x, op);
  HTP_CHECK(x.dtype() == DType::f32 || x.dtype() == DType::f64, op, ": expected a float32 or float64 tensor, got ",
            x.describe());
}

void check_integer_or_floating(const Tensor& x, const char* op) {
  check_defined(x, op);
  HTP_CHECK(x.dtype() != DType::boolean && x.dtype() != DType::f16 && x.dtype() != DType::bf16, op,
            ": expected a float32, float64 or integer tensor, got ", x.describe());
}

Tensor unary(UnaryOp uop, const Tensor& x, const char* op, bool integers_ok) {
  if (integers_ok)
    check_integer_or_floating(x, op);
  else
    check_floating(x, op);
  Tensor out = empty(x.shape(), x.dtype(), x.device());
  HTP_DEVICE_CALL(op, x.device(), unary, uop, x, out);
  return out;
}

// Checks a backward kernel's operands; returns grad in the saved tensor's dtype.
Tensor backward_grad(const Tensor& grad, const Tensor& saved, const char* op) {
  check_floating(saved, op);
  check_defined(grad, op);
  check_same_device(grad, saved, op);
  HTP_CHECK(grad.shape() == saved.shape(), op, ": gradient ", grad.describe(), " and saved tensor ", saved.describe(),
            " differ in shape");
  return grad.to(saved.dtype());
}

Tensor unary_backward(UnaryBackwardOp bop, const Tensor& grad, const Tensor& saved, const char* op) {
  const Tensor g = backward_grad(grad, saved, op);
  Tensor out = empty(saved.shape(), saved.dtype(), saved.device());
  HTP_DEVICE_CALL(op, out.device(), unary_backward, bop, g, saved, out);
  return out;
}

}  // namespace

Tensor neg(const Tensor& x) { return unary(UnaryOp::neg, x, "neg", true); }
Tensor abs(const Tensor& x) { return unary(UnaryOp::abs, x, "abs", true); }
Tensor sign(const Tensor& x) { return unary(UnaryOp::sign, x, "sign", true); }
Tensor exp(const Tensor& x) { return unary(UnaryOp::exp, x, "exp", false); }
Tensor log(const Tensor& x) { return unary(UnaryOp::log, x, "log", false); }
Tensor sqrt(const Tensor& x) { return unary(UnaryOp::sqrt, x, "sqrt", false); }
Tensor rsqrt(const Tensor& x) { return unary(UnaryOp::rsqrt, x, "rsqrt", false); }
Tensor square(const Tensor& x) { return unary(UnaryOp::square, x, "square", true); }
Tensor relu(const Tensor& x) { return unary(UnaryOp::relu, x, "relu", true); }
Tensor gelu(const Tensor& x, bool tanh_approx) {
  return unary(tanh_approx ? UnaryOp::gelu_tanh : UnaryOp::gelu, x, "gelu", false);
}
Tensor sigmoid(const Tensor& x) { return unary(UnaryOp::sigmoid, x, "sigmoid", false); }
Tensor tanh(const Tensor& x) { return unary(UnaryOp::tanh, x, "tanh", false); }

Tensor softplus(const Tensor& x, double beta, double threshold) {
  check_floating(x, "softplus");
  HTP_CHECK(beta != 0, "softplus: beta must be non-zero for ", x.describe());
  Tensor out = empty(x.shape(), x.dtype(), x.device());
  HTP_DEVICE_CALL("softplus", x.device(), softplus, x, beta, threshold, out);
  return out;
}

Tensor clamp(const Tensor& x, std::optional<double> lo, std::optional<double> hi) {
  check_integer_or_floating(x, "clamp");
  HTP_CHECK(lo || hi, "clamp: at least one of lo and hi must be given for ", x.describe());
  Tensor out = empty(x.shape(), x.dtype(), x.device());
  HTP_DEVICE_CALL("clamp", x.device(), clamp, x, lo.value_or(-kInf), hi.value_or(kInf), out);
  return out;
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  check_defined(cond, "where");
  check_defined(a, "where");
  check_defined(b, "where");
  HTP_CHECK(cond.dtype() == DType::boolean, "where: the condition must be a bool tensor, got ", cond.describe());
  check_same_device(cond, a, "where");
  check_same_device(a, b, "where");
  const DType dt = promote_types(a.dtype(), b.dtype());
  const Shape shape = broadcast_shapes(broadcast_shapes(cond.shape(), a.shape(), "where"), b.shape(), "where");
  Tensor out = empty(shape, dt, a.device());
  HTP_DEVICE_CALL("where", out.device(), where, cond.expand(shape), a.to(dt).expand(shape), b.to(dt).expand(shape),
                  out);
  return out;
}

Tensor abs_backward(const Tensor& grad, const Tensor& x) {
  return unary_backward(UnaryBackwardOp::abs, grad, x, "abs_backward");
}
Tensor sqrt_backward(const Tensor& grad, const Tensor& y) {
  return unary_backward(UnaryBackwardOp::sqrt, grad, y, "sqrt_backward");
}
Tensor rsqrt_backward(const Tensor& grad, const Tensor& y) {
  return unary_backward(UnaryBackwardOp::rsqrt, grad, y, "rsqrt_backward");
}
Tensor relu_backward(const Tensor& grad, const Tensor& x_or_y) {
  return unary_backward(UnaryBackwardOp::relu, grad, x_or_y, "relu_backward");
}
Tensor gelu_backward(const Tensor& grad, const Tensor& x, bool tanh_approx) {
  return unary_backward(tanh_approx ? UnaryBackwardOp::gelu_tanh : UnaryBackwardOp::gelu, grad, x, "gelu_backward");
}
Tensor sigmoid_backward(const Tensor& grad, const Tensor& y) {
  return unary_backward(UnaryBackwardOp::sigmoid, grad, y, "sigmoid_backward");
}
Tensor tanh_backward(const Tensor& grad, const Tensor& y) {
  return unary_backward(UnaryBackwardOp::tanh, grad, y, "tanh_backward");
}

Tensor softplus_backward(const Tensor& grad, const Tensor& x, double beta, double threshold) {
  const Tensor g = backward_grad(grad, x, "softplus_backward");
  Tensor out = empty(x.shape(), x.dtype(), x.device());
  HTP_DEVICE_CALL("softplus_backward", out.device(), softplus_backward, g, x, beta, threshold, out);
  return out;
}

Tensor clamp_backward(const Tensor& grad, const Tensor& x, std::optional<double> lo, std::optional<double> hi) {
  const Tensor g = backward_grad(grad, x, "clamp_backward");
  Tensor out = empty(x.shape(), x.dtype(), x.device());
  HTP_DEVICE_CALL("clamp_backward", out.device(), clamp_backward, g, x, lo.value_or(-kInf), hi.value_or(kInf), out);
  return out;
}

}  // namespace htp::kernels
