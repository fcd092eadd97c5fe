// Grid pointing game (metrics/gridpg.h) on synthetic grid maps with known scores: all positive mass in the target
// cell, uniform maps (chance level), negative mass ignored, smoothing that leaks across a cell border, row-major
// cell numbering and the batched form.
#include <doctest/doctest.h>

#include <vector>

#include "kernels/index.h"
#include "metrics/gridpg.h"
#include "tensor/creation.h"
#include "test_util.h"

using namespace htp;
using namespace htp::metrics;
using testing::contains;
using testing::error_of;

namespace {

// A 16 x 16 map (2 x 2 grid of 8 x 8 cells) with `value` on the 2 x 2 block at rows and columns 3..4 of each listed
// cell: after the 5 x 5 mean filter each block's mass stays inside rows and columns 1..6 of its cell.
Tensor blocks(const std::vector<std::pair<int, double>>& cell_values) {
  std::vector<double> v(256, 0.0);
  for (const auto& [cell, value] : cell_values) {
    const int r0 = (cell / 2) * 8 + 3, c0 = (cell % 2) * 8 + 3;
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) v[(r0 + i) * 16 + c0 + j] = value;
  }
  return tensor(v, {16, 16});
}

}  // namespace

TEST_SUITE("metrics") {
  TEST_CASE("GridPG is 1 when all the positive mass is in the target cell") {
    for (int cell = 0; cell < 4; ++cell)
      CHECK(grid_pointing_game(blocks({{cell, 1.0}}), 2, cell, Smoothing::mean_5x5) ==
            doctest::Approx(1.0).epsilon(1e-10));
    CHECK(grid_pointing_game(blocks({{3, 1.0}}), 2, 0, Smoothing::mean_5x5) == 0.0);
  }

  TEST_CASE("GridPG of a uniform map is the chance level 1 / n^2") {
    CHECK(grid_pointing_game(ones({16, 16}), 2, 1, Smoothing::mean_5x5) == doctest::Approx(0.25).epsilon(1e-12));
    // (A 3 x 3 grid is not symmetric under the zero-padded mean filter, which darkens the border cells; the Gaussian,
    // reflect-padded, keeps a constant map constant.)
    CHECK(grid_pointing_game(ones({132, 132}), 3, 8, Smoothing::gaussian_129) ==
          doctest::Approx(1.0 / 9).epsilon(1e-6));
  }

  TEST_CASE("GridPG ignores negative mass and splits the positive mass between cells") {
    const Tensor map = blocks({{0, 1.0}, {1, -10.0}, {3, 3.0}});
    CHECK(grid_pointing_game(map, 2, 0, Smoothing::mean_5x5) == doctest::Approx(0.25).epsilon(1e-12));
    CHECK(grid_pointing_game(map, 2, 1, Smoothing::mean_5x5) == 0.0);
    CHECK(grid_pointing_game(map, 2, 3, Smoothing::mean_5x5) == doctest::Approx(0.75).epsilon(1e-12));
  }

  TEST_CASE("GridPG smooths before scoring: a corner pixel leaks out of a 2 x 2 cell") {
    // A 1 at (0, 0) of a 4 x 4 map spreads 1/25 over rows and columns 0..2; cell 0 (rows and columns 0..1) keeps 4 of
    // the 9 pixels, cell 1 (columns 2..3) gets 2 and cell 3 gets 1.
    std::vector<double> v(16, 0.0);
    v[0] = 1;
    const Tensor map = tensor(v, {4, 4});
    CHECK(grid_pointing_game(map, 2, 0, Smoothing::mean_5x5) == doctest::Approx(4.0 / 9).epsilon(1e-12));
    CHECK(grid_pointing_game(map, 2, 1, Smoothing::mean_5x5) == doctest::Approx(2.0 / 9).epsilon(1e-12));
    CHECK(grid_pointing_game(map, 2, 3, Smoothing::mean_5x5) == doctest::Approx(1.0 / 9).epsilon(1e-12));
  }

  TEST_CASE("GridPG numbers cells row-major and scores a batch of one map per cell") {
    // Cell 2 is the bottom-left quadrant.
    CHECK(grid_pointing_game(blocks({{2, 1.0}}), 2, 2, Smoothing::mean_5x5) == doctest::Approx(1.0).epsilon(1e-10));
    CHECK(grid_pointing_game(blocks({{2, 1.0}}), 2, 1, Smoothing::mean_5x5) == 0.0);

    // maps[k] explains cell k: perfect for cells 0 and 1, half right for cell 2, all wrong for cell 3.
    const Tensor maps = kernels::stack(
        {blocks({{0, 1.0}}), blocks({{1, 2.0}}), blocks({{2, 1.0}, {0, 1.0}}), blocks({{0, 1.0}, {3, -1.0}})}, 0);
    const GridPgScores scores = grid_pointing_game(maps, 2, Smoothing::mean_5x5);
    REQUIRE(scores.cells.size() == 4);
    CHECK(scores.cells[0] == doctest::Approx(1.0).epsilon(1e-10));
    CHECK(scores.cells[1] == doctest::Approx(1.0).epsilon(1e-10));
    CHECK(scores.cells[2] == doctest::Approx(0.5).epsilon(1e-10));
    CHECK(scores.cells[3] == 0.0);
    CHECK(scores.mean == doctest::Approx(0.625).epsilon(1e-10));
  }

  TEST_CASE("GridPG errors name the grid, the cell and the map") {
    const Tensor map = zeros({10, 10});
    CHECK(contains(error_of([&] { grid_pointing_game(map, 2, 4, Smoothing::mean_5x5); }),
                   "grid_pointing_game: cell 4 is outside a 2x2 grid"));
    CHECK(contains(error_of([&] { grid_pointing_game(map, 3, 0, Smoothing::mean_5x5); }),
                   "a 3x3 grid needs a map whose height and width are multiples of 3, got float32[10, 10]"));
    CHECK(contains(error_of([&] {
                     grid_pointing_game(zeros({3, 10, 10}), 2, Smoothing::mean_5x5);
                   }),
                   "expected one map per cell of a 2x2 grid, [4, H, W], got float32[3, 10, 10]"));
    CHECK(contains(error_of([&] {
                     grid_pointing_game(zeros({10, 10}, DType::i64), 2, 0, Smoothing::mean_5x5);
                   }),
                   "expected a non-empty float32/float64 attribution map [H, W], got int64[10, 10]"));
  }

}  // TEST_SUITE
