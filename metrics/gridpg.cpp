#include "metrics/gridpg.h"

#include "metrics/aggregate.h"
#include "metrics/map_checks.h"

namespace htp::metrics {

namespace {

void check_grid(const Tensor& maps, int64_t grid_size, const char* op) {
  HTP_CHECK(grid_size >= 1, op, ": the grid size must be positive, got ", grid_size);
  const int64_t H = maps.size(-2), W = maps.size(-1);
  HTP_CHECK(H % grid_size == 0 && W % grid_size == 0, op, ": a ", grid_size, "x", grid_size,
            " grid needs a map whose height and width are multiples of ", grid_size, ", got ", maps.describe());
}

// Σ_{cell} a / (Σ a + 1e-12) for one positive map a [H, W].
double cell_fraction(const double* a, int64_t H, int64_t W, int64_t grid_size, int64_t cell) {
  const int64_t h = H / grid_size, w = W / grid_size, r = cell / grid_size, c = cell % grid_size;
  double inside = 0, total = 0;
  for (int64_t i = 0; i < H; ++i)
    for (int64_t j = 0; j < W; ++j) {
      const double v = a[i * W + j];
      total += v;
      if (i / h == r && j / w == c) inside += v;
    }
  return inside / (total + 1e-12);
}

}  // namespace

double grid_pointing_game(const Tensor& map, int64_t grid_size, int64_t cell, Smoothing smoothing) {
  detail::check_map(map, "grid_pointing_game");
  check_grid(map, grid_size, "grid_pointing_game");
  HTP_CHECK(cell >= 0 && cell < grid_size * grid_size, "grid_pointing_game: cell ", cell, " is outside a ", grid_size,
            "x", grid_size, " grid (cells 0 … ", grid_size * grid_size - 1, ")");
  const std::vector<double> a = score_map(map, smoothing).to_vector();
  return cell_fraction(a.data(), map.size(0), map.size(1), grid_size, cell);
}

GridPgScores grid_pointing_game(const Tensor& maps, int64_t grid_size, Smoothing smoothing) {
  HTP_CHECK(maps.defined() && maps.dim() == 3 && maps.size(0) == grid_size * grid_size && maps.numel() > 0,
            "grid_pointing_game: expected one map per cell of a ", grid_size, "x", grid_size, " grid, [",
            grid_size * grid_size, ", H, W], got ",
            maps.defined() ? maps.describe() : std::string("an undefined tensor"));
  detail::check_maps(maps, "grid_pointing_game");
  check_grid(maps, grid_size, "grid_pointing_game");
  const int64_t H = maps.size(1), W = maps.size(2);
  const std::vector<double> a = score_map(maps, smoothing).to_vector();
  GridPgScores scores;
  for (int64_t k = 0; k < grid_size * grid_size; ++k)
    scores.cells.push_back(cell_fraction(a.data() + k * H * W, H, W, grid_size, k));
  scores.mean = nanmean(scores.cells);
  return scores;
}

}  // namespace htp::metrics
