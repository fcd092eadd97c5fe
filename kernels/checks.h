// Argument checks shared by the public kernel functions (kernels/<family>.cpp).
#pragma once
#include "tensor/error.h"
#include "tensor/tensor.h"

namespace htp::kernels {

// Two defined operands of `op` on one device, with one floating dtype (float32 or float64). The errors name the
// operands as a_name and b_name.
inline void check_floating_pair(const Tensor& a, const char* a_name, const Tensor& b, const char* b_name,
                                const char* op) {
  HTP_CHECK(a.defined() && b.defined(), op, ": undefined tensor (", a_name, " ", a.describe(), ", ", b_name, " ",
            b.describe(), ")");
  check_same_device(a, b, op);
  HTP_CHECK(a.dtype() == b.dtype(), op, ": dtypes differ: ", a_name, " ", a.describe(), " and ", b_name, " ",
            b.describe());
  HTP_CHECK(a.dtype() == DType::f32 || a.dtype() == DType::f64, op, ": expected float32 or float64 tensors, got ",
            a_name, " ", a.describe());
}

}  // namespace htp::kernels
