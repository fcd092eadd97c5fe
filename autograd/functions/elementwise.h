// Differentiable elementwise ops (forward math in kernels/binary.h and kernels/unary.h).
//
// Binary ops broadcast and promote like their kernels; the gradient of an input is summed back to its shape
// (kernels::sum_to) and converted to its dtype. Backward formulas, with g the incoming gradient and y the output:
//   add/sub: ±g             mul: g·b, g·a              div: g/b, -g·a/b²
//   pow: g·b·a^(b-1) (0 where b = 0), g·y·log(a) (0 where a = 0 and b >= 0, like PyTorch)
//   maximum/minimum: g to the selected input, half to each on ties
//   neg: -g   abs: g·sign(x) (0 at 0)   sign: 0   exp: g·y   log: g/x   sqrt: g/(2y)   rsqrt: -g·y³/2
//   square: 2g·x   relu: g·[y > 0] (relu'(0) = 0)   sigmoid: g·y(1-y)   tanh: g·(1-y²)   gelu: g·gelu'(x)
//   softplus: g·sigmoid(βx) (g above the threshold)   clamp: g where lo <= x <= hi (the boundary passes)
//   where: g to a where cond, to b elsewhere
// Comparisons return constant (non-differentiable) bool Variables. Node classes save what their rule needs,
// plus the inputs of add/sub so that backward rules (LRP) can split relevance between them.
#pragma once
#include <optional>

#include "autograd/node.h"

namespace htp {

// ---- binary --------------------------------------------------------------------------------------------------------
Variable add(const Variable& a, const Variable& b);
Variable sub(const Variable& a, const Variable& b);
Variable mul(const Variable& a, const Variable& b);
Variable div(const Variable& a, const Variable& b);
Variable pow(const Variable& a, const Variable& b);
Variable maximum(const Variable& a, const Variable& b);
Variable minimum(const Variable& a, const Variable& b);

// Scalar operands (the result keeps a's floating dtype).
Variable add(const Variable& a, double s);
Variable sub(const Variable& a, double s);
Variable mul(const Variable& a, double s);
Variable div(const Variable& a, double s);
Variable pow(const Variable& a, double s);

// Comparisons: constant bool Variables.
Variable eq(const Variable& a, const Variable& b);
Variable ne(const Variable& a, const Variable& b);
Variable lt(const Variable& a, const Variable& b);
Variable le(const Variable& a, const Variable& b);
Variable gt(const Variable& a, const Variable& b);
Variable ge(const Variable& a, const Variable& b);
Variable eq(const Variable& a, double s);
Variable ne(const Variable& a, double s);
Variable lt(const Variable& a, double s);
Variable le(const Variable& a, double s);
Variable gt(const Variable& a, double s);
Variable ge(const Variable& a, double s);

// ---- unary ---------------------------------------------------------------------------------------------------------
Variable neg(const Variable& x);
Variable abs(const Variable& x);
Variable sign(const Variable& x);
Variable exp(const Variable& x);
Variable log(const Variable& x);
Variable sqrt(const Variable& x);
Variable rsqrt(const Variable& x);
Variable square(const Variable& x);
Variable relu(const Variable& x);
Variable gelu(const Variable& x, bool tanh_approx = false);
Variable sigmoid(const Variable& x);
Variable tanh(const Variable& x);
Variable softplus(const Variable& x, double beta = 1.0, double threshold = 20.0);
Variable clamp(const Variable& x, std::optional<double> lo, std::optional<double> hi);
// cond ? a : b with a bool cond (not differentiated); all three broadcast.
Variable where(const Tensor& cond, const Variable& a, const Variable& b);
Variable where(const Variable& cond, const Variable& a, const Variable& b);

// ---- operators -----------------------------------------------------------------------------------------------------
Variable operator+(const Variable& a, const Variable& b);
Variable operator-(const Variable& a, const Variable& b);
Variable operator*(const Variable& a, const Variable& b);
Variable operator/(const Variable& a, const Variable& b);
Variable operator+(const Variable& a, double s);
Variable operator-(const Variable& a, double s);
Variable operator*(const Variable& a, double s);
Variable operator/(const Variable& a, double s);
Variable operator+(double s, const Variable& a);
Variable operator-(double s, const Variable& a);
Variable operator*(double s, const Variable& a);
Variable operator/(double s, const Variable& a);
Variable operator-(const Variable& a);

// ---- backward nodes ------------------------------------------------------------------------------------------------

// Shape and dtype of a forward input: its gradient is summed to the shape and converted to the dtype.
struct InputMeta {
  Shape shape;
  DType dtype = DType::f32;
};

struct AddBackward : Node {
  SavedTensor a, b;  // the inputs, for backward rules only (the gradient itself needs neither)
  InputMeta a_meta, b_meta;
  std::string name() const override { return "AddBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { a.reset(); b.reset(); }
};

struct SubBackward : Node {
  SavedTensor a, b;  // the inputs, for backward rules only
  InputMeta a_meta, b_meta;
  std::string name() const override { return "SubBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { a.reset(); b.reset(); }
};

struct MulBackward : Node {
  SavedTensor a, b;
  InputMeta a_meta, b_meta;
  std::string name() const override { return "MulBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { a.reset(); b.reset(); }
};

struct DivBackward : Node {
  SavedTensor a, b;
  InputMeta a_meta, b_meta;
  std::string name() const override { return "DivBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { a.reset(); b.reset(); }
};

struct PowBackward : Node {
  SavedTensor a, b, result;
  InputMeta a_meta, b_meta;
  std::string name() const override { return "PowBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { a.reset(); b.reset(); result.reset(); }
};

// maximum (is_max) or minimum.
struct MaximumBackward : Node {
  SavedTensor a, b;
  InputMeta a_meta, b_meta;
  bool is_max = true;
  std::string name() const override { return is_max ? "MaximumBackward" : "MinimumBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { a.reset(); b.reset(); }
};

// a + s, a - s: the gradient passes (converted to a's dtype).
struct AddScalarBackward : Node {
  InputMeta a_meta;
  std::string name() const override { return "AddScalarBackward"; }
  tensor_list apply(tensor_list&& g) override;
};

struct MulScalarBackward : Node {
  double scalar = 1.0;
  InputMeta a_meta;
  std::string name() const override { return "MulScalarBackward"; }
  tensor_list apply(tensor_list&& g) override;
};

struct DivScalarBackward : Node {
  double scalar = 1.0;
  InputMeta a_meta;
  std::string name() const override { return "DivScalarBackward"; }
  tensor_list apply(tensor_list&& g) override;
};

struct PowScalarBackward : Node {
  SavedTensor a;
  double exponent = 1.0;
  std::string name() const override { return "PowScalarBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { a.reset(); }
};

struct NegBackward : Node {
  std::string name() const override { return "NegBackward"; }
  tensor_list apply(tensor_list&& g) override;
};

struct AbsBackward : Node {
  SavedTensor x;
  std::string name() const override { return "AbsBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { x.reset(); }
};

struct SignBackward : Node {
  std::string name() const override { return "SignBackward"; }
  tensor_list apply(tensor_list&& g) override;
};

struct ExpBackward : Node {
  SavedTensor result;
  std::string name() const override { return "ExpBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { result.reset(); }
};

struct LogBackward : Node {
  SavedTensor x;
  std::string name() const override { return "LogBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { x.reset(); }
};

struct SqrtBackward : Node {
  SavedTensor result;
  std::string name() const override { return "SqrtBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { result.reset(); }
};

struct RsqrtBackward : Node {
  SavedTensor result;
  std::string name() const override { return "RsqrtBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { result.reset(); }
};

struct SquareBackward : Node {
  SavedTensor x;
  std::string name() const override { return "SquareBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { x.reset(); }
};

struct ReluBackward : Node {
  SavedTensor result;  // relu(x): positive exactly where x is
  std::string name() const override { return "ReluBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { result.reset(); }
};

struct GeluBackward : Node {
  SavedTensor x;
  bool tanh_approx = false;
  std::string name() const override { return "GeluBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { x.reset(); }
};

struct SigmoidBackward : Node {
  SavedTensor result;
  std::string name() const override { return "SigmoidBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { result.reset(); }
};

struct TanhBackward : Node {
  SavedTensor result;
  std::string name() const override { return "TanhBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { result.reset(); }
};

struct SoftplusBackward : Node {
  SavedTensor x;
  double beta = 1.0, threshold = 20.0;
  std::string name() const override { return "SoftplusBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { x.reset(); }
};

struct ClampBackward : Node {
  SavedTensor x;
  std::optional<double> lo, hi;
  std::string name() const override { return "ClampBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { x.reset(); }
};

struct WhereBackward : Node {
  SavedTensor cond;
  InputMeta a_meta, b_meta;
  std::string name() const override { return "WhereBackward"; }
  tensor_list apply(tensor_list&& g) override;
  void release_saved() override { cond.reset(); }
};

}  // namespace htp
