#include "nn/pooling.h"

#include "autograd/functions/pool.h"
#include "autograd/functions/views.h"

namespace htp::nn {
namespace {

void check_image(const Module& m, const Variable& x) {
  HTP_CHECK(x.dim() == 4, m.type_name(), " '", m.path(), "': expected an input of shape [N, C, H, W], got ",
            x.describe());
}

}  // namespace

MaxPool2d::MaxPool2d(Size2 kernel, std::optional<Size2> stride, Size2 padding, Size2 dilation, bool ceil_mode)
    : params{kernel.array(), stride.value_or(kernel).array(), padding.array(), dilation.array(), ceil_mode} {}

Variable MaxPool2d::forward(const Variable& x) {
  check_image(*this, x);
  return max_pool2d(x, params);
}

AvgPool2d::AvgPool2d(Size2 kernel, std::optional<Size2> stride, Size2 padding, bool ceil_mode, bool count_include_pad,
                     std::optional<int64_t> divisor_override)
    : params{kernel.array(), stride.value_or(kernel).array(), padding.array(), ceil_mode, count_include_pad,
             divisor_override} {}

Variable AvgPool2d::forward(const Variable& x) {
  check_image(*this, x);
  return avg_pool2d(x, params);
}

Variable AdaptiveAvgPool2d::forward(const Variable& x) {
  check_image(*this, x);
  return adaptive_avg_pool2d(x, output_size);
}

Variable Flatten::forward(const Variable& x) { return flatten(x, start_dim, end_dim); }

}  // namespace htp::nn
