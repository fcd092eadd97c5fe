#include "autograd/functions/norm.h"

#include "kernels/norm.h"

namespace htp {

tensor_list BatchNormBackward::apply(tensor_list&& g) {
  kernels::NormGrads d =
      kernels::batch_norm_backward(g[0], x.get(*this), weight.get(*this), save_mean.get(*this), save_invstd.get(*this),
                                   training, {needs_input_grad(0), needs_input_grad(1), needs_input_grad(2)});
  return {d.dx, d.dweight, d.dbias};
}

void BatchNormBackward::release_saved() {
  x.reset();
  weight.reset();
  bias.reset();
  save_mean.reset();
  save_invstd.reset();
}

tensor_list LayerNormBackward::apply(tensor_list&& g) {
  kernels::NormGrads d =
      kernels::layer_norm_backward(g[0], x.get(*this), normalized_shape, mean.get(*this), rstd.get(*this),
                                   weight.get(*this), {needs_input_grad(0), needs_input_grad(1), needs_input_grad(2)});
  return {d.dx, d.dweight, d.dbias};
}

void LayerNormBackward::release_saved() {
  x.reset();
  weight.reset();
  bias.reset();
  mean.reset();
  rstd.reset();
}

namespace {
Tensor data_or_undefined(const Variable& v) { return v.defined() ? v.data() : Tensor(); }
}  // namespace

Variable batch_norm(const Variable& x, const Variable& weight, const Variable& bias, Tensor running_mean,
                    Tensor running_var, bool training, double momentum, double eps) {
  kernels::NormForward f = kernels::batch_norm_forward(x.data(), data_or_undefined(weight), data_or_undefined(bias),
                                                       running_mean, running_var, training, momentum, eps);
  return record<BatchNormBackward>({x, weight, bias}, f.y, [&](BatchNormBackward& n) {
    n.x.save(x.data());
    n.weight.save(data_or_undefined(weight));
    n.bias.save(data_or_undefined(bias));
    n.save_mean.save(f.mean);
    n.save_invstd.save(f.invstd);
    n.training = training;
    n.eps = eps;
  });
}

Variable layer_norm(const Variable& x, const Shape& normalized_shape, const Variable& weight, const Variable& bias,
                    double eps) {
  kernels::NormForward f =
      kernels::layer_norm_forward(x.data(), normalized_shape, data_or_undefined(weight), data_or_undefined(bias), eps);
  return record<LayerNormBackward>({x, weight, bias}, f.y, [&](LayerNormBackward& n) {
    n.x.save(x.data());
    n.weight.save(data_or_undefined(weight));
    n.bias.save(data_or_undefined(bias));
    n.mean.save(f.mean);
    n.rstd.save(f.invstd);
    n.normalized_shape = normalized_shape;
    n.eps = eps;
  });
}

}  // namespace htp
