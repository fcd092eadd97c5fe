// Building GridPG grids (metrics/grid_selection.h): the confident, correctly classified pool (threshold, per-class
// cap, every model must agree) and seeded grids of distinct classes.
#include <doctest/doctest.h>

#include <set>
#include <vector>

#include "metrics/grid_selection.h"
#include "tensor/creation.h"
#include "test_util.h"

using namespace htp;
using namespace htp::metrics;
using testing::contains;
using testing::error_of;

namespace {

// Six images of three classes:
//   0 (class 0) confident and correct           3 (class 2) correct but only 0.8
//   1 (class 1) wrong (argmax 0)                4 (class 0) exactly at the 0.95 threshold
//   2 (class 1) confident and correct           5 (class 0) confident and correct
Tensor probabilities() {
  return tensor<double>({0.96, 0.02, 0.02,  //
                         0.50, 0.40, 0.10,  //
                         0.01, 0.97, 0.02,  //
                         0.10, 0.10, 0.80,  //
                         0.95, 0.05, 0.00,  //
                         0.99, 0.01, 0.00},
                        {6, 3});
}
Tensor labels() { return tensor<int64_t>({0, 1, 1, 2, 0, 0}, {6}); }

// Classes 0..7; classes 2 and 5 have no images; class c holds images 10 c, 10 c + 1, 10 c + 2.
std::vector<std::vector<int64_t>> pools() {
  std::vector<std::vector<int64_t>> p(8);
  for (int64_t c = 0; c < 8; ++c)
    if (c != 2 && c != 5) p[c] = {10 * c, 10 * c + 1, 10 * c + 2};
  return p;
}

}  // namespace

TEST_SUITE("metrics") {
  TEST_CASE("confident_pool keeps confident, correct images in data-set order") {
    using Pools = std::vector<std::vector<int64_t>>;
    CHECK(confident_pool({probabilities()}, labels()) == Pools{{0, 4, 5}, {2}, {}});
    ConfidentPoolOptions capped;
    capped.max_per_class = 2;
    CHECK(confident_pool({probabilities()}, labels(), capped) == Pools{{0, 4}, {2}, {}});
    ConfidentPoolOptions lenient;
    lenient.threshold = 0.8;
    CHECK(confident_pool({probabilities()}, labels(), lenient) == Pools{{0, 4, 5}, {2}, {3}});
  }

  TEST_CASE("confident_pool needs every model to pass") {
    // The second model is unsure about image 2 and wrong about image 5.
    const Tensor second = tensor<float>({0.99f, 0.0f, 0.01f, 0.3f, 0.3f, 0.4f, 0.3f, 0.6f, 0.1f,  //
                                         0.0f, 0.0f, 1.0f, 0.97f, 0.03f, 0.0f, 0.0f, 0.99f, 0.01f},
                                        {6, 3});
    CHECK(confident_pool({probabilities(), second}, labels()) == std::vector<std::vector<int64_t>>{{0, 4}, {}, {}});
  }

  TEST_CASE("confident_pool errors") {
    CHECK(contains(error_of([] { confident_pool({}, labels()); }), "confident_pool: no model probabilities given"));
    CHECK(contains(
        error_of([] {
          confident_pool({probabilities(), zeros({6, 4})}, labels());
        }),
        "the probabilities of model 1 (float32[6, 4] on cpu) do not match those of model 0 (float64[6, 3] on cpu)"));
    CHECK(contains(error_of([] {
                     confident_pool({probabilities()}, tensor<int64_t>({0, 1, 1, 3, 0, 0}, {6}));
                   }),
                   "confident_pool: label 3 of image 3 is outside [0, 3)"));
    CHECK(contains(error_of([] { confident_pool({probabilities()}, zeros({6})); }),
                   "expected integer labels [6] for probabilities float64[6, 3] on cpu, got float32[6]"));
  }

  TEST_CASE("build_grids draws distinct classes with images from their pools") {
    const auto p = pools();
    const std::vector<GridSpec> grids = build_grids(p, 2, 200, 7);
    REQUIRE(grids.size() == 200);
    std::set<int64_t> seen;
    for (const GridSpec& g : grids) {
      REQUIRE(g.classes.size() == 4);
      REQUIRE(g.images.size() == 4);
      CHECK(std::set<int64_t>(g.classes.begin(), g.classes.end()).size() == 4);
      for (size_t k = 0; k < 4; ++k) {
        const int64_t c = g.classes[k];
        REQUIRE((c >= 0 && c < 8 && c != 2 && c != 5));
        CHECK(g.images[k] / 10 == c);  // an image of that class's pool
        seen.insert(c);
      }
    }
    CHECK(seen == std::set<int64_t>{0, 1, 3, 4, 6, 7});  // every eligible class turns up
  }

  TEST_CASE("build_grids is a function of the seed and the grid index") {
    const auto p = pools();
    const std::vector<GridSpec> a = build_grids(p, 2, 20, 42), b = build_grids(p, 2, 20, 42);
    const std::vector<GridSpec> prefix = build_grids(p, 2, 5, 42), other = build_grids(p, 2, 20, 43);
    bool differs = false;
    for (size_t g = 0; g < 20; ++g) {
      CHECK(a[g].classes == b[g].classes);
      CHECK(a[g].images == b[g].images);
      if (g < 5) CHECK(a[g].classes == prefix[g].classes);
      differs = differs || a[g].classes != other[g].classes || a[g].images != other[g].images;
    }
    CHECK(differs);
  }

  TEST_CASE("build_grids with exactly n^2 eligible classes uses them all, and errors") {
    std::vector<std::vector<int64_t>> nine(9);
    for (int64_t c = 0; c < 9; ++c) nine[c] = {c};
    for (const GridSpec& g : build_grids(nine, 3, 10, 3)) {
      CHECK(std::set<int64_t>(g.classes.begin(), g.classes.end()).size() == 9);
      CHECK(g.images == g.classes);
    }
    CHECK(contains(error_of([] { build_grids(pools(), 3, 1, 0); }),
                   "build_grids: a 3x3 grid needs 9 classes with images, but only 6 of 8 classes have any"));
  }

}  // TEST_SUITE
