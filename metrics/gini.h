// Compactness as the Gini index of an attribution map (paper spec §4.3, Table E1;
// eval_gridpg_compactness_complexity.py `compute_gini_index`). Higher = more compact.
//
// On the raw, unsmoothed map: a_i = max(A_i, 0) + 1e-7 for the n values flattened, sorted ascending (i = 1 … n):
//
//   G = Σ_i (2 i - n - 1) a_i / (n Σ_i a_i)
//
// in double. A one-hot map gives (n - 1) / (n (1 + n 1e-7)) ≈ 1 - 1/n, a constant map 0.
#pragma once
#include "tensor/tensor.h"

namespace htp::metrics {

double gini_index(const Tensor& map);  // any shape, floating, non-empty

}  // namespace htp::metrics
