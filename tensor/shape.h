// Shapes and strides are lists of int64 (row-major: the last dimension is the fastest; strides count elements).
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace htp {

using Shape = std::vector<int64_t>;
using Strides = std::vector<int64_t>;

int64_t shape_numel(const Shape& shape);
Strides contiguous_strides(const Shape& shape);
std::string shape_str(const Shape& shape);  // "[2, 3, 4]"

// Wraps a possibly negative dimension into [0, rank); the error names `op` and the valid range.
int64_t normalize_dim(int64_t dim, int64_t rank, const char* op);

// NumPy/PyTorch broadcasting: sizes are aligned at the right, a size 1 stretches. Throws naming both shapes.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

}  // namespace htp
