#include "kernels/pool.h"

#include "kernels/cpu/pool.h"
#ifdef HTP_WITH_CUDA
#include "kernels/cuda/pool.h"
#endif
#include "kernels/dispatch.h"
#include "tensor/creation.h"

namespace htp::kernels {
namespace {

void check_image(const Tensor& x, const char* op) {
  HTP_CHECK(x.defined() && x.dim() == 4, op, ": input must be [N, C, H, W], got ", x.describe());
  HTP_CHECK(x.dtype() == DType::f32 || x.dtype() == DType::f64, op, ": expected a float32 or float64 tensor, got ",
            x.describe());
  HTP_CHECK(x.size(2) >= 1 && x.size(3) >= 1, op, ": input ", x.describe(), " has an empty spatial dimension");
}

// Output length of one spatial dim (formula in pool.h).
int64_t output_size(const Tensor& x, int d, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation,
                    bool ceil_mode, const char* op) {
  const int64_t in = x.size(2 + d);
  HTP_CHECK(kernel >= 1 && stride >= 1 && dilation >= 1 && padding >= 0, op,
            ": need kernel, stride and dilation >= 1 and padding >= 0, got kernel ", kernel, ", stride ", stride,
            ", dilation ", dilation, ", padding ", padding);
  HTP_CHECK(padding <= kernel / 2, op, ": padding ", padding, " must be at most half the kernel size ", kernel);
  const int64_t span = dilation * (kernel - 1) + 1;
  HTP_CHECK(in + 2 * padding >= span, op, ": the window (kernel ", kernel, ", dilation ", dilation,
            ") does not fit input ", x.describe(), " with padding ", padding);
  int64_t out = (in + 2 * padding - span + (ceil_mode ? stride - 1 : 0)) / stride + 1;
  if (ceil_mode && (out - 1) * stride >= in + padding) --out;  // the last window must start inside input or left pad
  return out;
}

// grad_out must have the shape the forward gave for input_shape.
void check_grad(const Tensor& grad_out, const Shape& input_shape, const Shape& expected, const char* op) {
  HTP_CHECK(grad_out.defined() && grad_out.shape() == expected, op, ": grad_out ", grad_out.describe(),
            " does not match the output shape ", shape_str(expected), " for input ", shape_str(input_shape));
  HTP_CHECK(grad_out.dtype() == DType::f32 || grad_out.dtype() == DType::f64, op,
            ": expected a float32 or float64 grad_out, got ", grad_out.describe());
}

Shape avg_output_shape(const Tensor& x, const AvgPool2dParams& p, const char* op) {
  HTP_CHECK(!p.divisor_override || *p.divisor_override != 0, op, ": divisor_override must not be zero");
  return {x.size(0), x.size(1), output_size(x, 0, p.kernel[0], p.stride[0], p.padding[0], 1, p.ceil_mode, op),
          output_size(x, 1, p.kernel[1], p.stride[1], p.padding[1], 1, p.ceil_mode, op)};
}

}  // namespace

MaxPool2dResult max_pool2d_forward(const Tensor& x, const MaxPool2dParams& p) {
  check_image(x, "max_pool2d");
  const Shape out_shape{
      x.size(0), x.size(1),
      output_size(x, 0, p.kernel[0], p.stride[0], p.padding[0], p.dilation[0], p.ceil_mode, "max_pool2d"),
      output_size(x, 1, p.kernel[1], p.stride[1], p.padding[1], p.dilation[1], p.ceil_mode, "max_pool2d")};
  MaxPool2dResult r{empty(out_shape, x.dtype(), x.device()), empty(out_shape, DType::i64, x.device())};
  HTP_DEVICE_CALL("max_pool2d", x.device(), max_pool2d_forward, x.contiguous(), p, r.values, r.indices);
  return r;
}

Tensor max_pool2d_backward(const Tensor& grad_out, const Tensor& indices, const Shape& input_shape) {
  HTP_CHECK(input_shape.size() == 4, "max_pool2d_backward: input shape must be [N, C, H, W], got ",
            shape_str(input_shape));
  HTP_CHECK(indices.defined() && indices.dtype() == DType::i64 && indices.dim() == 4 &&
                indices.size(0) == input_shape[0] && indices.size(1) == input_shape[1],
            "max_pool2d_backward: indices ", indices.describe(), " must be int64 [N, C, OH, OW] for input ",
            shape_str(input_shape));
  check_grad(grad_out, input_shape, indices.shape(), "max_pool2d_backward");
  check_same_device(grad_out, indices, "max_pool2d_backward");
  Tensor grad_in = empty(input_shape, grad_out.dtype(), grad_out.device());
  HTP_DEVICE_CALL("max_pool2d_backward", grad_out.device(), max_pool2d_backward, grad_out.contiguous(),
                  indices.contiguous(), grad_in);
  return grad_in;
}

Tensor avg_pool2d_forward(const Tensor& x, const AvgPool2dParams& p) {
  check_image(x, "avg_pool2d");
  Tensor out = empty(avg_output_shape(x, p, "avg_pool2d"), x.dtype(), x.device());
  HTP_DEVICE_CALL("avg_pool2d", x.device(), avg_pool2d_forward, x.contiguous(), p, out);
  return out;
}

Tensor avg_pool2d_backward(const Tensor& grad_out, const Shape& input_shape, const AvgPool2dParams& p) {
  HTP_CHECK(input_shape.size() == 4, "avg_pool2d_backward: input shape must be [N, C, H, W], got ",
            shape_str(input_shape));
  HTP_CHECK(grad_out.defined(), "avg_pool2d_backward: grad_out is undefined");
  Tensor grad_in = empty(input_shape, grad_out.dtype(), grad_out.device());
  check_image(grad_in, "avg_pool2d_backward");
  check_grad(grad_out, input_shape, avg_output_shape(grad_in, p, "avg_pool2d_backward"), "avg_pool2d_backward");
  HTP_DEVICE_CALL("avg_pool2d_backward", grad_out.device(), avg_pool2d_backward, grad_out.contiguous(), p, grad_in);
  return grad_in;
}

Tensor adaptive_avg_pool2d_forward(const Tensor& x, std::array<int64_t, 2> output_size) {
  check_image(x, "adaptive_avg_pool2d");
  HTP_CHECK(output_size[0] >= 1 && output_size[1] >= 1, "adaptive_avg_pool2d: output size must be >= 1, got [",
            output_size[0], ", ", output_size[1], "]");
  Tensor out = empty({x.size(0), x.size(1), output_size[0], output_size[1]}, x.dtype(), x.device());
  HTP_DEVICE_CALL("adaptive_avg_pool2d", x.device(), adaptive_avg_pool2d_forward, x.contiguous(), out);
  return out;
}

Tensor adaptive_avg_pool2d_backward(const Tensor& grad_out, const Shape& input_shape) {
  HTP_CHECK(input_shape.size() == 4 && input_shape[2] >= 1 && input_shape[3] >= 1,
            "adaptive_avg_pool2d_backward: input shape must be [N, C, H, W] with H, W >= 1, got ",
            shape_str(input_shape));
  HTP_CHECK(grad_out.defined() && grad_out.dim() == 4 && grad_out.size(0) == input_shape[0] &&
                grad_out.size(1) == input_shape[1] && grad_out.size(2) >= 1 && grad_out.size(3) >= 1,
            "adaptive_avg_pool2d_backward: grad_out ", grad_out.describe(), " does not fit input ",
            shape_str(input_shape));
  check_grad(grad_out, input_shape, grad_out.shape(), "adaptive_avg_pool2d_backward");
  Tensor grad_in = empty(input_shape, grad_out.dtype(), grad_out.device());
  HTP_DEVICE_CALL("adaptive_avg_pool2d_backward", grad_out.device(), adaptive_avg_pool2d_backward,
                  grad_out.contiguous(), grad_in);
  return grad_in;
}

}  // namespace htp::kernels
