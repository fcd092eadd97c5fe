#include "kernels/conv.h"

#include "kernels/checks.h"
#include "kernels/cpu/conv.h"
#include "kernels/dispatch.h"
#ifdef HTP_WITH_CUDA
#include "kernels/cuda/conv.h"
#endif
#include "tensor/creation.h"

namespace htp::kernels {
namespace {

// The output shape for the shapes a backward kernel was given must be grad_out's.
void check_grad_out(const Tensor& grad_out, const Shape& input, const Shape& weight, const Conv2dParams& params,
                    const char* op) {
  const Shape expected = conv2d_output_shape(input, weight, params);
  HTP_CHECK(grad_out.shape() == expected, op, ": grad_out ", grad_out.describe(), " does not match the output shape ",
            shape_str(expected), " of input ", shape_str(input), " and weight ", shape_str(weight));
}

}  // namespace

Shape conv2d_output_shape(const Shape& input, const Shape& weight, const Conv2dParams& p) {
  HTP_CHECK(input.size() == 4, "conv2d: input must be [N, C, H, W], got ", shape_str(input));
  HTP_CHECK(weight.size() == 4, "conv2d: weight must be [O, C/groups, kh, kw], got ", shape_str(weight));
  HTP_CHECK(p.groups >= 1, "conv2d: groups must be >= 1, got ", p.groups);
  for (int d = 0; d < 2; ++d)
    HTP_CHECK(p.stride[d] >= 1 && p.dilation[d] >= 1 && p.padding[d] >= 0,
              "conv2d: need stride >= 1, dilation >= 1 and padding >= 0, got stride [", p.stride[0], ", ", p.stride[1],
              "], dilation [", p.dilation[0], ", ", p.dilation[1], "], padding [", p.padding[0], ", ", p.padding[1],
              "]");
  HTP_CHECK(weight[0] % p.groups == 0, "conv2d: weight ", shape_str(weight), " has ", weight[0],
            " output channels, not divisible by groups=", p.groups);
  HTP_CHECK(input[1] == weight[1] * p.groups, "conv2d: input ", shape_str(input), " has ", input[1],
            " channels but weight ", shape_str(weight), " with groups=", p.groups, " expects ", weight[1] * p.groups,
            " (", weight[1], " per group)");
  Shape out{input[0], weight[0], 0, 0};
  for (int d = 0; d < 2; ++d) {
    const int64_t span = p.dilation[d] * (weight[2 + d] - 1) + 1, padded = input[2 + d] + 2 * p.padding[d];
    HTP_CHECK(weight[2 + d] >= 1 && span <= padded, "conv2d: kernel ", weight[2], "x", weight[3], " of weight ",
              shape_str(weight), " (dilation [", p.dilation[0], ", ", p.dilation[1],
              "]) does not fit the padded input ", shape_str(input), " (padding [", p.padding[0], ", ", p.padding[1],
              "])");
    out[2 + d] = (padded - span) / p.stride[d] + 1;
  }
  return out;
}

Tensor conv2d_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dParams& params) {
  check_floating_pair(x, "input", weight, "weight", "conv2d");
  const Shape out_shape = conv2d_output_shape(x.shape(), weight.shape(), params);
  if (bias.defined()) {
    check_floating_pair(x, "input", bias, "bias", "conv2d");
    HTP_CHECK(bias.dim() == 1 && bias.size(0) == weight.size(0), "conv2d: bias ", bias.describe(), " must be [",
              weight.size(0), "] for weight ", weight.describe());
  }
  Tensor out = empty(out_shape, x.dtype(), x.device());
  HTP_DEVICE_CALL("conv2d", x.device(), conv2d_forward, x.contiguous(), weight.contiguous(),
                  bias.defined() ? bias.contiguous() : bias, params, out);
  return out;
}

Tensor conv2d_backward_input(const Tensor& grad_out, const Tensor& weight, const Shape& input_shape,
                             const Conv2dParams& params) {
  check_floating_pair(grad_out, "grad_out", weight, "weight", "conv2d_backward_input");
  check_grad_out(grad_out, input_shape, weight.shape(), params, "conv2d_backward_input");
  Tensor grad_in = empty(input_shape, grad_out.dtype(), grad_out.device());
  HTP_DEVICE_CALL("conv2d_backward_input", grad_out.device(), conv2d_backward_input, grad_out.contiguous(),
                  weight.contiguous(), params, grad_in);
  return grad_in;
}

Tensor conv2d_backward_weight(const Tensor& grad_out, const Tensor& x, const Shape& weight_shape,
                              const Conv2dParams& params) {
  check_floating_pair(grad_out, "grad_out", x, "input", "conv2d_backward_weight");
  check_grad_out(grad_out, x.shape(), weight_shape, params, "conv2d_backward_weight");
  Tensor grad_weight = empty(weight_shape, grad_out.dtype(), grad_out.device());
  HTP_DEVICE_CALL("conv2d_backward_weight", grad_out.device(), conv2d_backward_weight, grad_out.contiguous(),
                  x.contiguous(), params, grad_weight);
  return grad_weight;
}

Tensor conv2d_backward_bias(const Tensor& grad_out) {
  HTP_CHECK(grad_out.defined() && grad_out.dim() == 4, "conv2d_backward_bias: grad_out must be [N, O, OH, OW], got ",
            grad_out.describe());
  HTP_CHECK(grad_out.dtype() == DType::f32 || grad_out.dtype() == DType::f64,
            "conv2d_backward_bias: expected a float32 or float64 tensor, got ", grad_out.describe());
  Tensor grad_bias = empty({grad_out.size(1)}, grad_out.dtype(), grad_out.device());
  HTP_DEVICE_CALL("conv2d_backward_bias", grad_out.device(), conv2d_backward_bias, grad_out.contiguous(), grad_bias);
  return grad_bias;
}

}  // namespace htp::kernels
