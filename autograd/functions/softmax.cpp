#include "autograd/functions/softmax.h"

#include "kernels/softmax.h"

namespace htp {

tensor_list SoftmaxBackward::apply(tensor_list&& g) { return {kernels::softmax_backward(g[0], y.get(*this), dim)}; }

tensor_list LogSoftmaxBackward::apply(tensor_list&& g) {
  return {kernels::log_softmax_backward(g[0], y.get(*this), dim)};
}

Variable softmax(const Variable& x, int64_t dim) {
  Tensor out = kernels::softmax(x.data(), dim);
  return record<SoftmaxBackward>({x}, out, [&](SoftmaxBackward& n) {
    n.y.save(out);
    n.dim = normalize_dim(dim, x.dim(), "softmax");
  });
}

Variable log_softmax(const Variable& x, int64_t dim) {
  Tensor out = kernels::log_softmax(x.data(), dim);
  return record<LogSoftmaxBackward>({x}, out, [&](LogSoftmaxBackward& n) {
    n.y.save(out);
    n.dim = normalize_dim(dim, x.dim(), "log_softmax");
  });
}

}  // namespace htp
