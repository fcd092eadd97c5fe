#include "autograd/functions/conv.h"

namespace htp {

tensor_list Conv2dBackward::apply(tensor_list&& g) {
  const Tensor& x = input.get(*this);
  const Tensor& w = weight.get(*this);
  return {needs_input_grad(0) ? kernels::conv2d_backward_input(g[0], w, x.shape(), params) : Tensor(),
          needs_input_grad(1) ? kernels::conv2d_backward_weight(g[0], x, w.shape(), params) : Tensor(),
          needs_input_grad(2) ? kernels::conv2d_backward_bias(g[0]) : Tensor()};
}

void Conv2dBackward::release_saved() {
  input.reset();
  weight.reset();
  bias.reset();
}

Variable conv2d(const Variable& x, const Variable& weight, const Variable& bias, const kernels::Conv2dParams& params) {
  const Tensor b = bias.defined() ? bias.data() : Tensor();
  return record<Conv2dBackward>({x, weight, bias}, kernels::conv2d_forward(x.data(), weight.data(), b, params),
                                [&](Conv2dBackward& n) {
                                  n.input.save(x);
                                  n.weight.save(weight);
                                  n.bias.save(b);
                                  n.params = params;
                                });
}

}  // namespace htp
