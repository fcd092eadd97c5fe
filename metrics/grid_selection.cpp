#include "metrics/grid_selection.h"

#include <utility>

#include "tensor/error.h"
#include "tensor/philox.h"

namespace htp::metrics {

namespace {

// The 32-bit words of one Philox call, in order.
class Words {
 public:
  Words(uint64_t seed, uint64_t offset)
      : stream_{{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)}, offset} {}

  // Uniform in [0, m) by multiply-shift on two words.
  int64_t randint(int64_t m) {
    const uint64_t hi = word(), lo = word();
    const uint64_t x = (hi << 32) | lo;
    return static_cast<int64_t>((static_cast<unsigned __int128>(x) * static_cast<uint64_t>(m)) >> 64);
  }

 private:
  uint32_t word() {
    if (next_ % 4 == 0) block_ = stream_.block(next_ / 4);
    return block_[next_++ % 4];
  }

  PhiloxStream stream_;
  PhiloxCounter block_{};
  uint64_t next_ = 0;
};

}  // namespace

std::vector<std::vector<int64_t>> confident_pool(const std::vector<Tensor>& probabilities, const Tensor& labels,
                                                 const ConfidentPoolOptions& options) {
  HTP_CHECK(!probabilities.empty(), "confident_pool: no model probabilities given");
  HTP_CHECK(options.max_per_class >= 0, "confident_pool: max_per_class must be >= 0, got ", options.max_per_class);
  const Tensor& first = probabilities.front();
  HTP_CHECK(first.defined() && first.dim() == 2 && is_floating(first.dtype()),
            "confident_pool: expected probabilities [N, C], got ",
            first.defined() ? first.describe() : std::string("an undefined tensor"));
  const int64_t N = first.size(0), C = first.size(1);
  for (size_t m = 1; m < probabilities.size(); ++m)
    HTP_CHECK(probabilities[m].defined() && probabilities[m].shape() == first.shape() &&
                  is_floating(probabilities[m].dtype()),
              "confident_pool: the probabilities of model ", m, " (",
              probabilities[m].defined() ? probabilities[m].describe() : std::string("undefined"),
              ") do not match those of model 0 (", first.describe(), ")");
  HTP_CHECK(labels.defined() && labels.dim() == 1 && labels.size(0) == N && is_integral(labels.dtype()),
            "confident_pool: expected integer labels [", N, "] for probabilities ", first.describe(), ", got ",
            labels.defined() ? labels.describe() : std::string("an undefined tensor"));
  const std::vector<double> y = labels.to_vector();
  for (int64_t i = 0; i < N; ++i)
    HTP_CHECK(y[static_cast<size_t>(i)] >= 0 && y[static_cast<size_t>(i)] < static_cast<double>(C),
              "confident_pool: label ", static_cast<int64_t>(y[static_cast<size_t>(i)]), " of image ", i,
              " is outside [0, ", C, ")");

  std::vector<bool> passes(static_cast<size_t>(N), true);
  for (const Tensor& model : probabilities) {
    const std::vector<double> p = model.to_vector();
    for (int64_t i = 0; i < N; ++i) {
      const double* row = p.data() + i * C;
      int64_t arg = 0;
      for (int64_t c = 1; c < C; ++c)
        if (row[c] > row[arg]) arg = c;
      if (arg != static_cast<int64_t>(y[static_cast<size_t>(i)]) || !(row[arg] >= options.threshold))
        passes[static_cast<size_t>(i)] = false;
    }
  }

  std::vector<std::vector<int64_t>> pools(static_cast<size_t>(C));
  for (int64_t i = 0; i < N; ++i) {
    auto& pool = pools[static_cast<size_t>(y[static_cast<size_t>(i)])];
    if (passes[static_cast<size_t>(i)] && static_cast<int64_t>(pool.size()) < options.max_per_class) pool.push_back(i);
  }
  return pools;
}

std::vector<GridSpec> build_grids(const std::vector<std::vector<int64_t>>& pools, int64_t grid_size, int64_t count,
                                  uint64_t seed) {
  HTP_CHECK(grid_size >= 1, "build_grids: the grid size must be positive, got ", grid_size);
  HTP_CHECK(count >= 0, "build_grids: the number of grids must be >= 0, got ", count);
  const int64_t cells = grid_size * grid_size;
  std::vector<int64_t> eligible;
  for (size_t c = 0; c < pools.size(); ++c)
    if (!pools[c].empty()) eligible.push_back(static_cast<int64_t>(c));
  HTP_CHECK(static_cast<int64_t>(eligible.size()) >= cells, "build_grids: a ", grid_size, "x", grid_size,
            " grid needs ", cells, " classes with images, but only ", eligible.size(), " of ", pools.size(),
            " classes have any");

  std::vector<GridSpec> grids(static_cast<size_t>(count));
  for (int64_t g = 0; g < count; ++g) {
    Words words(seed, static_cast<uint64_t>(g));
    std::vector<int64_t> order = eligible;
    GridSpec& grid = grids[static_cast<size_t>(g)];
    for (int64_t k = 0; k < cells; ++k) {
      const int64_t j = k + words.randint(static_cast<int64_t>(order.size()) - k);
      std::swap(order[static_cast<size_t>(k)], order[static_cast<size_t>(j)]);
      grid.classes.push_back(order[static_cast<size_t>(k)]);
    }
    for (int64_t c : grid.classes) {
      const auto& pool = pools[static_cast<size_t>(c)];
      grid.images.push_back(pool[static_cast<size_t>(words.randint(static_cast<int64_t>(pool.size())))]);
    }
  }
  return grids;
}

}  // namespace htp::metrics
