// The differentiable elementwise ops: forward kernel calls and the backward rules listed in elementwise.h.
#include "autograd/functions/elementwise.h"

#include "kernels/binary.h"
#include "kernels/reduce.h"
#include "kernels/unary.h"
#include "tensor/creation.h"

namespace htp {
namespace {

InputMeta meta_of(const Variable& v) { return {v.shape(), v.dtype()}; }

// The gradient of a broadcast, possibly promoted input: summed to its shape and converted to its dtype.
Tensor grad_for(const Tensor& g, const InputMeta& m) { return kernels::sum_to(g, m.shape).to(m.dtype); }

Tensor zero_scalar(const Tensor& like) { return scalar_tensor(0.0, like.dtype(), like.device()); }

// Weight of the gradient that goes to a in maximum/minimum: 1 where a is selected, 1/2 on ties, else 0.
Tensor selection_weight(const Tensor& a, const Tensor& b, bool is_max, DType dt) {
  const Tensor selected = is_max ? kernels::gt(a, b) : kernels::lt(a, b);
  return kernels::add(selected.to(dt), kernels::mul(kernels::eq(a, b).to(dt), 0.5));
}

template <class N>
Variable binary_record(const Variable& a, const Variable& b, const Tensor& out, bool save_inputs) {
  return record<N>({a, b}, out, [&](N& n) {
    if (save_inputs) {
      n.a.save(a);
      n.b.save(b);
    }
    n.a_meta = meta_of(a);
    n.b_meta = meta_of(b);
  });
}

// A scalar on the left as a constant rank-0 Variable of the other operand's floating dtype.
Variable scalar_operand(double s, const Variable& like) {
  return Variable(scalar_tensor(s, is_floating(like.dtype()) ? like.dtype() : DType::f32, like.device()));
}

}  // namespace

// ---- backward rules ------------------------------------------------------------------------------------------------

tensor_list AddBackward::apply(tensor_list&& g) {
  return {needs_input_grad(0) ? grad_for(g[0], a_meta) : Tensor(),
          needs_input_grad(1) ? grad_for(g[0], b_meta) : Tensor()};
}

tensor_list SubBackward::apply(tensor_list&& g) {
  return {needs_input_grad(0) ? grad_for(g[0], a_meta) : Tensor(),
          needs_input_grad(1) ? grad_for(kernels::neg(g[0]), b_meta) : Tensor()};
}

tensor_list MulBackward::apply(tensor_list&& g) {
  return {needs_input_grad(0) ? grad_for(kernels::mul(g[0], b.get(*this)), a_meta) : Tensor(),
          needs_input_grad(1) ? grad_for(kernels::mul(g[0], a.get(*this)), b_meta) : Tensor()};
}

tensor_list DivBackward::apply(tensor_list&& g) {
  const Tensor& bv = b.get(*this);
  const Tensor ga = kernels::div(g[0], bv);
  Tensor gb;
  if (needs_input_grad(1)) gb = grad_for(kernels::neg(kernels::div(kernels::mul(ga, a.get(*this)), bv)), b_meta);
  return {needs_input_grad(0) ? grad_for(ga, a_meta) : Tensor(), gb};
}

tensor_list PowBackward::apply(tensor_list&& g) {
  const Tensor& av = a.get(*this);
  const Tensor& bv = b.get(*this);
  Tensor ga, gb;
  if (needs_input_grad(0)) {  // b · a^(b-1), defined as 0 where b = 0 (0 · 0^-1)
    const Tensor d = kernels::mul(bv, kernels::pow(av, kernels::sub(bv, 1.0)));
    ga = grad_for(kernels::mul(g[0], kernels::where(kernels::eq(bv, 0.0), zero_scalar(d), d)), a_meta);
  }
  if (needs_input_grad(1)) {  // y · log(a), defined as 0 where a = 0 and b >= 0
    const Tensor& y = result.get(*this);
    const Tensor d = kernels::mul(y, kernels::log(av.to(y.dtype())));
    const Tensor no = scalar_tensor(0.0, DType::boolean, av.device());
    const Tensor flat = kernels::where(kernels::eq(av, 0.0), kernels::ge(bv, 0.0), no);
    gb = grad_for(kernels::mul(g[0], kernels::where(flat, zero_scalar(d), d)), b_meta);
  }
  return {ga, gb};
}

tensor_list MaximumBackward::apply(tensor_list&& g) {
  const Tensor w = selection_weight(a.get(*this), b.get(*this), is_max, g[0].dtype());
  const Tensor ga = kernels::mul(g[0], w);
  return {needs_input_grad(0) ? grad_for(ga, a_meta) : Tensor(),
          needs_input_grad(1) ? grad_for(kernels::sub(g[0], ga), b_meta) : Tensor()};
}

tensor_list AddScalarBackward::apply(tensor_list&& g) { return {g[0].to(a_meta.dtype)}; }
tensor_list MulScalarBackward::apply(tensor_list&& g) { return {kernels::mul(g[0], scalar).to(a_meta.dtype)}; }
tensor_list DivScalarBackward::apply(tensor_list&& g) { return {kernels::div(g[0], scalar).to(a_meta.dtype)}; }

tensor_list PowScalarBackward::apply(tensor_list&& g) {
  const Tensor& x = a.get(*this);
  if (exponent == 0.0) return {zeros(x.shape(), x.dtype(), x.device())};
  return {kernels::mul(g[0], kernels::mul(kernels::pow(x, exponent - 1.0), exponent))};
}

tensor_list NegBackward::apply(tensor_list&& g) { return {kernels::neg(g[0])}; }
tensor_list AbsBackward::apply(tensor_list&& g) { return {kernels::abs_backward(g[0], x.get(*this))}; }
tensor_list SignBackward::apply(tensor_list&& g) { return {zeros_like(g[0])}; }
tensor_list ExpBackward::apply(tensor_list&& g) { return {kernels::mul(g[0], result.get(*this))}; }
tensor_list LogBackward::apply(tensor_list&& g) { return {kernels::div(g[0], x.get(*this))}; }
tensor_list SqrtBackward::apply(tensor_list&& g) { return {kernels::sqrt_backward(g[0], result.get(*this))}; }
tensor_list RsqrtBackward::apply(tensor_list&& g) { return {kernels::rsqrt_backward(g[0], result.get(*this))}; }
tensor_list SquareBackward::apply(tensor_list&& g) {
  return {kernels::mul(kernels::mul(g[0], x.get(*this)), 2.0)};
}
tensor_list ReluBackward::apply(tensor_list&& g) { return {kernels::relu_backward(g[0], result.get(*this))}; }
tensor_list GeluBackward::apply(tensor_list&& g) {
  return {kernels::gelu_backward(g[0], x.get(*this), tanh_approx)};
}
tensor_list SigmoidBackward::apply(tensor_list&& g) {
  return {kernels::sigmoid_backward(g[0], result.get(*this))};
}
tensor_list TanhBackward::apply(tensor_list&& g) { return {kernels::tanh_backward(g[0], result.get(*this))}; }
tensor_list SoftplusBackward::apply(tensor_list&& g) {
  return {kernels::softplus_backward(g[0], x.get(*this), beta, threshold)};
}
tensor_list ClampBackward::apply(tensor_list&& g) { return {kernels::clamp_backward(g[0], x.get(*this), lo, hi)}; }

tensor_list WhereBackward::apply(tensor_list&& g) {
  const Tensor& c = cond.get(*this);
  const Tensor zero = zero_scalar(g[0]);
  return {needs_input_grad(0) ? grad_for(kernels::where(c, g[0], zero), a_meta) : Tensor(),
          needs_input_grad(1) ? grad_for(kernels::where(c, zero, g[0]), b_meta) : Tensor()};
}

// ---- binary --------------------------------------------------------------------------------------------------------

Variable add(const Variable& a, const Variable& b) {
  return binary_record<AddBackward>(a, b, kernels::add(a.data(), b.data()), true);
}
Variable sub(const Variable& a, const Variable& b) {
  return binary_record<SubBackward>(a, b, kernels::sub(a.data(), b.data()), true);
}
Variable mul(const Variable& a, const Variable& b) {
  return binary_record<MulBackward>(a, b, kernels::mul(a.data(), b.data()), true);
}
Variable div(const Variable& a, const Variable& b) {
  return binary_record<DivBackward>(a, b, kernels::div(a.data(), b.data()), true);
}

Variable pow(const Variable& a, const Variable& b) {
  const Tensor out = kernels::pow(a.data(), b.data());
  return record<PowBackward>({a, b}, out, [&](PowBackward& n) {
    n.a.save(a);
    n.b.save(b);
    n.result.save(out);
    n.a_meta = meta_of(a);
    n.b_meta = meta_of(b);
  });
}

Variable maximum(const Variable& a, const Variable& b) {
  const Tensor out = kernels::maximum(a.data(), b.data());
  return record<MaximumBackward>({a, b}, out, [&](MaximumBackward& n) {
    n.a.save(a);
    n.b.save(b);
    n.a_meta = meta_of(a);
    n.b_meta = meta_of(b);
  });
}

Variable minimum(const Variable& a, const Variable& b) {
  const Tensor out = kernels::minimum(a.data(), b.data());
  return record<MaximumBackward>({a, b}, out, [&](MaximumBackward& n) {
    n.a.save(a);
    n.b.save(b);
    n.a_meta = meta_of(a);
    n.b_meta = meta_of(b);
    n.is_max = false;
  });
}

Variable add(const Variable& a, double s) {
  return record<AddScalarBackward>({a}, kernels::add(a.data(), s),
                                   [&](AddScalarBackward& n) { n.a_meta = meta_of(a); });
}
Variable sub(const Variable& a, double s) {
  return record<AddScalarBackward>({a}, kernels::sub(a.data(), s),
                                   [&](AddScalarBackward& n) { n.a_meta = meta_of(a); });
}
Variable mul(const Variable& a, double s) {
  return record<MulScalarBackward>({a}, kernels::mul(a.data(), s), [&](MulScalarBackward& n) {
    n.scalar = s;
    n.a_meta = meta_of(a);
  });
}
Variable div(const Variable& a, double s) {
  return record<DivScalarBackward>({a}, kernels::div(a.data(), s), [&](DivScalarBackward& n) {
    n.scalar = s;
    n.a_meta = meta_of(a);
  });
}
Variable pow(const Variable& a, double s) {
  return record<PowScalarBackward>({a}, kernels::pow(a.data(), s), [&](PowScalarBackward& n) {
    n.a.save(a);
    n.exponent = s;
  });
}

Variable eq(const Variable& a, const Variable& b) { return Variable(kernels::eq(a.data(), b.data())); }
Variable ne(const Variable& a, const Variable& b) { return Variable(kernels::ne(a.data(), b.data())); }
Variable lt(const Variable& a, const Variable& b) { return Variable(kernels::lt(a.data(), b.data())); }
Variable le(const Variable& a, const Variable& b) { return Variable(kernels::le(a.data(), b.data())); }
Variable gt(const Variable& a, const Variable& b) { return Variable(kernels::gt(a.data(), b.data())); }
Variable ge(const Variable& a, const Variable& b) { return Variable(kernels::ge(a.data(), b.data())); }
Variable eq(const Variable& a, double s) { return Variable(kernels::eq(a.data(), s)); }
Variable ne(const Variable& a, double s) { return Variable(kernels::ne(a.data(), s)); }
Variable lt(const Variable& a, double s) { return Variable(kernels::lt(a.data(), s)); }
Variable le(const Variable& a, double s) { return Variable(kernels::le(a.data(), s)); }
Variable gt(const Variable& a, double s) { return Variable(kernels::gt(a.data(), s)); }
Variable ge(const Variable& a, double s) { return Variable(kernels::ge(a.data(), s)); }

// ---- unary ---------------------------------------------------------------------------------------------------------

namespace {
// Records a unary op whose node saves one tensor in `field`: the input x when save_input, else the output.
template <class N, class Field>
Variable unary_record(const Variable& x, const Tensor& out, Field N::*field, bool save_input) {
  return record<N>({x}, out, [&](N& n) {
    if (save_input)
      (n.*field).save(x);
    else
      (n.*field).save(out);
  });
}
}  // namespace

Variable neg(const Variable& x) { return record<NegBackward>({x}, kernels::neg(x.data()), [](NegBackward&) {}); }
Variable abs(const Variable& x) { return unary_record(x, kernels::abs(x.data()), &AbsBackward::x, true); }
Variable sign(const Variable& x) { return record<SignBackward>({x}, kernels::sign(x.data()), [](SignBackward&) {}); }
Variable exp(const Variable& x) { return unary_record(x, kernels::exp(x.data()), &ExpBackward::result, false); }
Variable log(const Variable& x) { return unary_record(x, kernels::log(x.data()), &LogBackward::x, true); }
Variable sqrt(const Variable& x) { return unary_record(x, kernels::sqrt(x.data()), &SqrtBackward::result, false); }
Variable rsqrt(const Variable& x) { return unary_record(x, kernels::rsqrt(x.data()), &RsqrtBackward::result, false); }
Variable square(const Variable& x) { return unary_record(x, kernels::square(x.data()), &SquareBackward::x, true); }
Variable relu(const Variable& x) { return unary_record(x, kernels::relu(x.data()), &ReluBackward::result, false); }
Variable sigmoid(const Variable& x) {
  return unary_record(x, kernels::sigmoid(x.data()), &SigmoidBackward::result, false);
}
Variable tanh(const Variable& x) { return unary_record(x, kernels::tanh(x.data()), &TanhBackward::result, false); }

Variable gelu(const Variable& x, bool tanh_approx) {
  return record<GeluBackward>({x}, kernels::gelu(x.data(), tanh_approx), [&](GeluBackward& n) {
    n.x.save(x);
    n.tanh_approx = tanh_approx;
  });
}

Variable softplus(const Variable& x, double beta, double threshold) {
  return record<SoftplusBackward>({x}, kernels::softplus(x.data(), beta, threshold), [&](SoftplusBackward& n) {
    n.x.save(x);
    n.beta = beta;
    n.threshold = threshold;
  });
}

Variable clamp(const Variable& x, std::optional<double> lo, std::optional<double> hi) {
  return record<ClampBackward>({x}, kernels::clamp(x.data(), lo, hi), [&](ClampBackward& n) {
    n.x.save(x);
    n.lo = lo;
    n.hi = hi;
  });
}

Variable where(const Tensor& cond, const Variable& a, const Variable& b) {
  const Tensor out = kernels::where(cond, a.data(), b.data());
  return record<WhereBackward>({a, b}, out, [&](WhereBackward& n) {
    n.cond.save(cond);
    n.a_meta = meta_of(a);
    n.b_meta = meta_of(b);
  });
}

Variable where(const Variable& cond, const Variable& a, const Variable& b) { return where(cond.data(), a, b); }

// ---- operators -----------------------------------------------------------------------------------------------------

Variable operator+(const Variable& a, const Variable& b) { return add(a, b); }
Variable operator-(const Variable& a, const Variable& b) { return sub(a, b); }
Variable operator*(const Variable& a, const Variable& b) { return mul(a, b); }
Variable operator/(const Variable& a, const Variable& b) { return div(a, b); }
Variable operator+(const Variable& a, double s) { return add(a, s); }
Variable operator-(const Variable& a, double s) { return sub(a, s); }
Variable operator*(const Variable& a, double s) { return mul(a, s); }
Variable operator/(const Variable& a, double s) { return div(a, s); }
Variable operator+(double s, const Variable& a) { return add(a, s); }
Variable operator-(double s, const Variable& a) { return sub(scalar_operand(s, a), a); }
Variable operator*(double s, const Variable& a) { return mul(a, s); }
Variable operator/(double s, const Variable& a) { return div(scalar_operand(s, a), a); }
Variable operator-(const Variable& a) { return neg(a); }

}  // namespace htp
