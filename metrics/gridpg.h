// Grid pointing game (GridPG; paper spec §4.1, evaluate_attributions/gridpg/eval_gridpg_compactness_complexity.py
// `get_pg_val`).
//
// An n × n grid image tiles n² images of distinct classes row-major; cell k covers rows [r h, (r + 1) h) and
// columns [c w, (c + 1) w) with r = k / n, c = k % n, h = H / n, w = W / n (H and W must be multiples of n).
// For the map A [H, W] explaining the class of cell k:
//
//   A⁺ = score_map(A, smoothing)                 (smoothing first, then the positive part; metrics/postprocess.h)
//   GridPG_k = Σ_{cell k} A⁺ / (Σ_all A⁺ + 1e-12)
//
// sums in double. Chance level is 1 / n². The paper averages GridPG_k over every cell of every grid (nanmean).
#pragma once
#include <cstdint>
#include <vector>

#include "metrics/postprocess.h"
#include "tensor/tensor.h"

namespace htp::metrics {

struct GridPgScores {
  std::vector<double> cells;  // GridPG_k for k = 0 … n² - 1
  double mean = 0;            // nanmean of cells
};

// One map [H, W] explaining cell `cell` of an n × n grid.
double grid_pointing_game(const Tensor& map, int64_t grid_size, int64_t cell, Smoothing smoothing);
// maps [n², H, W]: maps[k] explains cell k.
GridPgScores grid_pointing_game(const Tensor& maps, int64_t grid_size, Smoothing smoothing);

}  // namespace htp::metrics
