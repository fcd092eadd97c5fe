#include "kernels/interpolate.h"

#include "kernels/cpu/interpolate.h"
#ifdef HTP_WITH_CUDA
#include "kernels/cuda/interpolate.h"
#endif
#include "kernels/dispatch.h"
#include "tensor/creation.h"

namespace htp::kernels {
namespace {

void check_image_shape(const Shape& shape, const char* what, const char* op) {
  HTP_CHECK(shape.size() == 4 && shape[2] >= 1 && shape[3] >= 1, op, ": ", what,
            " must be [N, C, H, W] with H, W >= 1, got ", shape_str(shape));
}

void check_floating(const Tensor& t, const char* what, const char* op) {
  HTP_CHECK(t.defined() && (t.dtype() == DType::f32 || t.dtype() == DType::f64), op, ": expected a float32 or float64 ",
            what, ", got ", t.describe());
}

}  // namespace

Tensor interpolate_bilinear_forward(const Tensor& x, std::array<int64_t, 2> size, bool align_corners) {
  check_floating(x, "input", "interpolate_bilinear");
  check_image_shape(x.shape(), "input", "interpolate_bilinear");
  HTP_CHECK(size[0] >= 1 && size[1] >= 1, "interpolate_bilinear: output size must be >= 1, got [", size[0], ", ",
            size[1], "] for input ", x.describe());
  Tensor out = empty({x.size(0), x.size(1), size[0], size[1]}, x.dtype(), x.device());
  HTP_DEVICE_CALL("interpolate_bilinear", x.device(), interpolate_bilinear_forward, x.contiguous(), align_corners, out);
  return out;
}

Tensor interpolate_bilinear_backward(const Tensor& grad_out, const Shape& input_shape, bool align_corners) {
  const char* op = "interpolate_bilinear_backward";
  check_floating(grad_out, "grad_out", op);
  check_image_shape(input_shape, "input shape", op);
  check_image_shape(grad_out.shape(), "grad_out", op);
  HTP_CHECK(grad_out.size(0) == input_shape[0] && grad_out.size(1) == input_shape[1], op, ": grad_out ",
            grad_out.describe(), " does not match input ", shape_str(input_shape), " in N and C");
  Tensor grad_in = empty(input_shape, grad_out.dtype(), grad_out.device());
  HTP_DEVICE_CALL(op, grad_out.device(), interpolate_bilinear_backward, grad_out.contiguous(), align_corners, grad_in);
  return grad_in;
}

}  // namespace htp::kernels
