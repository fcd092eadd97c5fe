// Pooling and reshaping layers (torch.nn.MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Flatten, Identity); window
// geometry and math in kernels/pool.h. Inputs are [N, C, H, W]; a pool's stride defaults to its kernel size.
//   MaxPool2d          y = max over each window (padding never wins)
//   AvgPool2d          y = window sum / divisor (the window area with count_include_pad, else the in-image count,
//                      or divisor_override)
//   AdaptiveAvgPool2d  cell (i, j) of [OH, OW] averages rows [floor(i H / OH), ceil((i + 1) H / OH)), columns likewise
//   Flatten            merges dims start_dim … end_dim (default 1 … -1: [N, C, H, W] -> [N, C H W])
//   Identity           y = x
#pragma once
#include <optional>

#include "kernels/pool.h"
#include "nn/conv.h"  // Size2
#include "nn/module.h"

namespace htp::nn {

class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(Size2 kernel_size, std::optional<Size2> stride = std::nullopt, Size2 padding = 0,
                     Size2 dilation = 1, bool ceil_mode = false);
  std::string type_name() const override { return "MaxPool2d"; }
  Variable forward(const Variable& x) override;

  const kernels::MaxPool2dParams params;
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(Size2 kernel_size, std::optional<Size2> stride = std::nullopt, Size2 padding = 0,
                     bool ceil_mode = false, bool count_include_pad = true,
                     std::optional<int64_t> divisor_override = std::nullopt);
  std::string type_name() const override { return "AvgPool2d"; }
  Variable forward(const Variable& x) override;

  const kernels::AvgPool2dParams params;
};

class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(Size2 output_size) : output_size(output_size.array()) {}
  std::string type_name() const override { return "AdaptiveAvgPool2d"; }
  Variable forward(const Variable& x) override;

  const std::array<int64_t, 2> output_size;
};

class Flatten : public Module {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1) : start_dim(start_dim), end_dim(end_dim) {}
  std::string type_name() const override { return "Flatten"; }
  Variable forward(const Variable& x) override;

  const int64_t start_dim, end_dim;
};

class Identity : public Module {
 public:
  std::string type_name() const override { return "Identity"; }
  Variable forward(const Variable& x) override { return x; }
};

}  // namespace htp::nn
