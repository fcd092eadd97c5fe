// Building GridPG grids (paper spec §4.1 items 1–2; evaluate_attributions/gridpg/get_confident_images.py and
// create_point_grid_dataset.py). Index logic only: images are referred to by their index in the data set.
//
// confident_pool: walking the data set in order, image i joins the pool of its class y_i when, for every model's
// probabilities P [N, C] (softmax for CE-trained models, sigmoid for B-cos / BCE ones — the caller's choice, spec §8
// item 12), argmax_c P[i, c] == y_i (the first maximum on ties) and max_c P[i, c] >= threshold (0.95), and the class
// has fewer than max_per_class (100) images so far. Returns the pools indexed by class (C lists, ascending indices).
//
// build_grids: `count` grids of grid_size² cells, row-major. Grid g draws from the Philox4x32-10 stream with
// key = seed and call offset g (tensor/philox.h), reading 32-bit words in order; randint(m) takes two words
// x = (w0 << 32) | w1 and returns floor(x · m / 2^64) (tensor/random.h's multiply-shift). With E the classes whose
// pool is non-empty, ascending (|E| >= grid_size² needed):
//   for k = 0 … n² - 1: j = k + randint(|E| - k); swap E[k], E[j]; cell k's class = E[k]    (distinct classes)
//   then for k = 0 … n² - 1: cell k's image = pool[class_k][randint(|pool[class_k]|)]
// So a grid depends only on (pools, grid_size, seed, g), like the reference's uniform draw without repetition and
// uniform image choice (which used Python's unseeded `random`).
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace htp::metrics {

struct ConfidentPoolOptions {
  double threshold = 0.95;
  int64_t max_per_class = 100;
};

struct GridSpec {
  std::vector<int64_t> classes;  // grid_size² distinct classes, row-major cells
  std::vector<int64_t> images;   // the data-set index of each cell's image
};

// probabilities: one [N, C] tensor per model (at least one, equal shapes); labels: int64 [N] in [0, C).
std::vector<std::vector<int64_t>> confident_pool(const std::vector<Tensor>& probabilities, const Tensor& labels,
                                                 const ConfidentPoolOptions& options = {});

std::vector<GridSpec> build_grids(const std::vector<std::vector<int64_t>>& pools, int64_t grid_size, int64_t count,
                                  uint64_t seed);

}  // namespace htp::metrics
