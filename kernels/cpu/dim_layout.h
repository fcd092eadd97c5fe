// A contiguous tensor viewed around one dim as [outer, n, inner]: outer is the product of the sizes before `dim`,
// n the size of `dim`, inner the product of the sizes after it, so element (o, i, j) sits at (o * n + i) * inner + j.
// Plain C++ (no CPU-only code), shared by the CPU kernels and their CUDA twins.
#pragma once
#include <cstdint>

#include "tensor/shape.h"

namespace htp::kernels::cpu {

struct DimLayout {
  int64_t outer = 1, n = 1, inner = 1;
};

inline DimLayout dim_layout(const Shape& shape, int64_t dim) {
  DimLayout l;
  for (int64_t d = 0; d < dim; ++d) l.outer *= shape[d];
  l.n = shape[dim];
  for (size_t d = dim + 1; d < shape.size(); ++d) l.inner *= shape[d];
  return l;
}

}  // namespace htp::kernels::cpu
