#include "autograd/functions/pool.h"

namespace htp {

tensor_list MaxPool2dBackward::apply(tensor_list&& g) {
  return {kernels::max_pool2d_backward(g[0], indices.get(*this), input_shape)};
}

tensor_list AvgPool2dBackward::apply(tensor_list&& g) {
  return {kernels::avg_pool2d_backward(g[0], input_shape, params)};
}

tensor_list AdaptiveAvgPool2dBackward::apply(tensor_list&& g) {
  return {kernels::adaptive_avg_pool2d_backward(g[0], input_shape)};
}

Variable max_pool2d(const Variable& x, const kernels::MaxPool2dParams& params) {
  kernels::MaxPool2dResult r = kernels::max_pool2d_forward(x.data(), params);
  return record<MaxPool2dBackward>({x}, r.values, [&](MaxPool2dBackward& n) {
    n.indices.save(r.indices);
    n.input_shape = x.shape();
    n.params = params;
  });
}

Variable avg_pool2d(const Variable& x, const kernels::AvgPool2dParams& params) {
  return record<AvgPool2dBackward>({x}, kernels::avg_pool2d_forward(x.data(), params), [&](AvgPool2dBackward& n) {
    n.input.save(x);
    n.input_shape = x.shape();
    n.params = params;
  });
}

Variable adaptive_avg_pool2d(const Variable& x, std::array<int64_t, 2> output_size) {
  return record<AdaptiveAvgPool2dBackward>({x}, kernels::adaptive_avg_pool2d_forward(x.data(), output_size),
                                           [&](AdaptiveAvgPool2dBackward& n) {
                                             n.input.save(x);
                                             n.input_shape = x.shape();
                                             n.output_size = output_size;
                                           });
}

}  // namespace htp
