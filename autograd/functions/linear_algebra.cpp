#include "autograd/functions/linear_algebra.h"

#include "kernels/matmul.h"
#include "kernels/reduce.h"

namespace htp {
namespace {

Tensor data_or_undefined(const Variable& v) { return v.defined() ? v.data() : Tensor(); }

// t as a matrix [rows, t.size(-1)] (all leading dims folded into rows; a 1-D t is one row).
Tensor as_rows(const Tensor& t) {
  return t.reshape({shape_numel(Shape(t.shape().begin(), t.shape().end() - 1)), t.size(-1)});
}

}  // namespace

tensor_list MatmulBackward::apply(tensor_list&& g) {
  const Tensor& a0 = a.get(*this);
  const Tensor& b0 = b.get(*this);
  // The operands and gradient with the forward's 1-D promotions: a [..., M, K], b [..., K, N], gy [..., M, N].
  const Tensor a2 = a0.dim() == 1 ? a0.unsqueeze(0) : a0;
  const Tensor b2 = b0.dim() == 1 ? b0.unsqueeze(1) : b0;
  Tensor gy = g[0];
  if (b0.dim() == 1) gy = gy.unsqueeze(gy.dim());
  if (a0.dim() == 1) gy = gy.unsqueeze(gy.dim() - 1);
  Tensor ga, gb;
  if (needs_input_grad(0))
    ga = kernels::sum_to(kernels::matmul(gy, b2.transpose(-2, -1)), a2.shape()).reshape(a0.shape());
  if (needs_input_grad(1)) {
    if (b2.dim() == 2)  // one B shared by every batch entry: a single product over all rows
      gb = kernels::matmul(as_rows(a2).t(), as_rows(gy));
    else
      gb = kernels::sum_to(kernels::matmul(a2.transpose(-2, -1), gy), b2.shape());
    gb = gb.reshape(b0.shape());
  }
  return {ga, gb};
}

void MatmulBackward::release_saved() {
  a.reset();
  b.reset();
}

tensor_list BmmBackward::apply(tensor_list&& g) {
  return {needs_input_grad(0) ? kernels::bmm(g[0], b.get(*this).transpose(1, 2)) : Tensor(),
          needs_input_grad(1) ? kernels::bmm(a.get(*this).transpose(1, 2), g[0]) : Tensor()};
}

void BmmBackward::release_saved() {
  a.reset();
  b.reset();
}

tensor_list LinearBackward::apply(tensor_list&& g) {
  const Tensor gy_rows = as_rows(g[0]);
  return {needs_input_grad(0) ? kernels::matmul(g[0], weight.get(*this)) : Tensor(),
          needs_input_grad(1) ? kernels::matmul(gy_rows.t(), as_rows(input.get(*this))) : Tensor(),
          needs_input_grad(2) ? kernels::sum(gy_rows, {0}) : Tensor()};
}

void LinearBackward::release_saved() {
  input.reset();
  weight.reset();
  bias.reset();
}

Variable matmul(const Variable& a, const Variable& b) {
  return record<MatmulBackward>({a, b}, kernels::matmul(a.data(), b.data()), [&](MatmulBackward& n) {
    n.a.save(a);
    n.b.save(b);
  });
}

Variable bmm(const Variable& a, const Variable& b) {
  return record<BmmBackward>({a, b}, kernels::bmm(a.data(), b.data()), [&](BmmBackward& n) {
    n.a.save(a);
    n.b.save(b);
  });
}

Variable linear(const Variable& x, const Variable& weight, const Variable& bias) {
  const Tensor b = data_or_undefined(bias);
  return record<LinearBackward>({x, weight, bias}, kernels::linear(x.data(), weight.data(), b), [&](LinearBackward& n) {
    n.input.save(x);
    n.weight.save(weight);
    n.bias.save(b);
  });
}

}  // namespace htp
