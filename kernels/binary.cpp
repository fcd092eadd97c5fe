// Binary ops: validation, type promotion, broadcasting and output allocation, then the device kernel.
#include "kernels/binary.h"

#include "kernels/cpu/binary.h"
#ifdef HTP_WITH_CUDA
#include "kernels/cuda/binary.h"
#endif
#include "kernels/dispatch.h"
#include "tensor/creation.h"

namespace htp::kernels {
namespace {

using cpu::BinaryOp;
using cpu::CompareOp;

// Both defined, on one device, and promoting to a type the kernels compute in (f16/bf16 are storage types).
void check_operands(const Tensor& a, const Tensor& b, const char* op) {
  HTP_CHECK(a.defined() && b.defined(), op, ": undefined tensor operand (", a.describe(), ", ", b.describe(), ")");
  check_same_device(a, b, op);
  const DType dt = promote_types(a.dtype(), b.dtype());
  HTP_CHECK(dt != DType::f16 && dt != DType::bf16, op, ": ", a.describe(), " and ", b.describe(),
            " promote to a storage-only type; convert with .to(DType::f32)");
}

// a and b converted to `compute` and expanded to their broadcast shape.
std::pair<Tensor, Tensor> broadcast_operands(const Tensor& a, const Tensor& b, DType compute, const Shape& shape) {
  return {a.to(compute).expand(shape), b.to(compute).expand(shape)};
}

Tensor arithmetic(BinaryOp bop, const Tensor& a, const Tensor& b, const char* op) {
  check_operands(a, b, op);
  HTP_CHECK(a.dtype() != DType::boolean && b.dtype() != DType::boolean, op,
            ": bool tensors are not supported (got ", a.describe(), " and ", b.describe(),
            "); convert with .to(DType::f32)");
  DType compute = promote_types(a.dtype(), b.dtype());
  if (bop == BinaryOp::div && !is_floating(compute)) compute = DType::f32;
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), op);
  Tensor out = empty(shape, compute, a.device());
  auto [x, y] = broadcast_operands(a, b, compute, shape);
  HTP_DEVICE_CALL(op, out.device(), binary, bop, x, y, out);
  return out;
}

Tensor comparison(CompareOp cop, const Tensor& a, const Tensor& b, const char* op) {
  check_operands(a, b, op);
  const DType compute = promote_types(a.dtype(), b.dtype());
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), op);
  Tensor out = empty(shape, DType::boolean, a.device());
  auto [x, y] = broadcast_operands(a, b, compute, shape);
  HTP_DEVICE_CALL(op, out.device(), compare, cop, x, y, out);
  return out;
}

// The scalar operand as a rank-0 tensor: a's dtype when a is floating, float32 otherwise.
Tensor scalar_like(const Tensor& a, double s) {
  HTP_CHECK(a.defined(), "scalar operation on an undefined tensor");
  return scalar_tensor(s, is_floating(a.dtype()) ? a.dtype() : DType::f32, a.device());
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) { return arithmetic(BinaryOp::add, a, b, "add"); }
Tensor sub(const Tensor& a, const Tensor& b) { return arithmetic(BinaryOp::sub, a, b, "sub"); }
Tensor mul(const Tensor& a, const Tensor& b) { return arithmetic(BinaryOp::mul, a, b, "mul"); }
Tensor div(const Tensor& a, const Tensor& b) { return arithmetic(BinaryOp::div, a, b, "div"); }
Tensor pow(const Tensor& a, const Tensor& b) { return arithmetic(BinaryOp::pow, a, b, "pow"); }
Tensor maximum(const Tensor& a, const Tensor& b) { return arithmetic(BinaryOp::maximum, a, b, "maximum"); }
Tensor minimum(const Tensor& a, const Tensor& b) { return arithmetic(BinaryOp::minimum, a, b, "minimum"); }

Tensor add(const Tensor& a, double s) { return add(a, scalar_like(a, s)); }
Tensor sub(const Tensor& a, double s) { return sub(a, scalar_like(a, s)); }
Tensor mul(const Tensor& a, double s) { return mul(a, scalar_like(a, s)); }
Tensor div(const Tensor& a, double s) { return div(a, scalar_like(a, s)); }
Tensor pow(const Tensor& a, double s) {
  if (s == 2.0) return mul(a, a);  // exact (x*x is correctly rounded, like pow) and vectorised
  return pow(a, scalar_like(a, s));
}
Tensor maximum(const Tensor& a, double s) { return maximum(a, scalar_like(a, s)); }
Tensor minimum(const Tensor& a, double s) { return minimum(a, scalar_like(a, s)); }

Tensor eq(const Tensor& a, const Tensor& b) { return comparison(CompareOp::eq, a, b, "eq"); }
Tensor ne(const Tensor& a, const Tensor& b) { return comparison(CompareOp::ne, a, b, "ne"); }
Tensor lt(const Tensor& a, const Tensor& b) { return comparison(CompareOp::lt, a, b, "lt"); }
Tensor le(const Tensor& a, const Tensor& b) { return comparison(CompareOp::le, a, b, "le"); }
Tensor gt(const Tensor& a, const Tensor& b) { return comparison(CompareOp::gt, a, b, "gt"); }
Tensor ge(const Tensor& a, const Tensor& b) { return comparison(CompareOp::ge, a, b, "ge"); }

namespace {
// A floating tensor compares with the scalar in its own dtype; others in float64, so that 2.5 does not truncate.
Tensor comparison_scalar(const Tensor& a, double s) {
  HTP_CHECK(a.defined(), "comparison with a scalar on an undefined tensor");
  return scalar_tensor(s, is_floating(a.dtype()) ? a.dtype() : DType::f64, a.device());
}
}  // namespace

Tensor eq(const Tensor& a, double s) { return eq(a, comparison_scalar(a, s)); }
Tensor ne(const Tensor& a, double s) { return ne(a, comparison_scalar(a, s)); }
Tensor lt(const Tensor& a, double s) { return lt(a, comparison_scalar(a, s)); }
Tensor le(const Tensor& a, double s) { return le(a, comparison_scalar(a, s)); }
Tensor gt(const Tensor& a, double s) { return gt(a, comparison_scalar(a, s)); }
Tensor ge(const Tensor& a, double s) { return ge(a, comparison_scalar(a, s)); }

namespace {
// g converted to acc's dtype and expanded to acc's shape, after checking that acc can absorb it in place.
Tensor in_place_operand(const Tensor& acc, const Tensor& g, const char* op) {
  check_operands(acc, g, op);
  HTP_CHECK(acc.dtype() != DType::boolean, op, ": cannot accumulate into ", acc.describe());
  HTP_CHECK(broadcast_shapes(acc.shape(), g.shape(), op) == acc.shape(), op, ": ", g.describe(),
            " does not broadcast to the accumulator's shape ", shape_str(acc.shape()));
  return g.to(acc.dtype()).expand(acc.shape());
}
}  // namespace

Tensor& add_(Tensor& acc, const Tensor& g) {
  const Tensor x = in_place_operand(acc, g, "add_");
  HTP_DEVICE_CALL("add_", acc.device(), binary, BinaryOp::add, acc, x, acc);
  acc.bump_version();
  return acc;
}

Tensor& add_scaled_(Tensor& acc, const Tensor& g, double alpha) {
  const Tensor x = in_place_operand(acc, g, "add_scaled_");
  HTP_CHECK(is_floating(acc.dtype()), "add_scaled_: the accumulator must be floating, got ", acc.describe());
  HTP_DEVICE_CALL("add_scaled_", acc.device(), add_scaled, acc, x, alpha, acc);
  acc.bump_version();
  return acc;
}

}  // namespace htp::kernels
