// Complexity as the Shannon entropy of an attribution map (paper spec §4.3, Table E1;
// eval_gridpg_compactness_complexity.py `get_shannon_entropy`). Lower = less complex. Base 2 (bits), as the
// reference's np.log2.
//
//   shannon_entropy(v):  v⁺ = max(v, 0);  p = v⁺ / (Σ v⁺ + 1e-10);  H = -Σ p log2(p + 1e-10)
//   complexity(A)     =  shannon_entropy(mean_smooth(A, 5))   (the 5×5 mean smoothing for every method)
//
// in double. A uniform distribution over n values gives ≈ log2 n, a one-hot one ≈ 0.
#pragma once
#include "tensor/tensor.h"

namespace htp::metrics {

double shannon_entropy(const Tensor& values);  // any shape, float32/float64, non-empty
double complexity(const Tensor& map);          // map [H, W]

}  // namespace htp::metrics
