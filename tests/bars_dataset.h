// A tiny synthetic data set in the MNIST IDX format for end-to-end tests of the htp commands: 10 classes of 28×28
// grey images, class k a bright 3-pixel bar (vertical for even k, horizontal for odd k) at a class-specific offset
// over uniform noise in [0, 80). Bars writes `train` training and `test` test images into a temporary directory;
// data() is the --data argument that reads them ("mnist:DIR").
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "test_data_util.h"

namespace htp::testing {

inline std::vector<uint8_t> idx_header(uint8_t rank, const std::vector<uint32_t>& dims) {
  std::vector<uint8_t> b = {0, 0, 0x08, rank};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
  return b;
}

// n images of class i % 10 (see the top of this file), from a fixed-seed LCG.
inline void write_bars_split(const std::string& dir, const std::string& prefix, uint32_t n, uint32_t seed) {
  std::vector<uint8_t> images = idx_header(3, {n, 28, 28}), labels = idx_header(1, {n});
  uint32_t state = seed;
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t k = i % 10, at = 3 + 4 * (k / 2);
    for (uint32_t r = 0; r < 28; ++r)
      for (uint32_t c = 0; c < 28; ++c) {
        state = state * 1664525u + 1013904223u;
        const bool bar = (k % 2 == 0 ? c : r) - at < 3;
        images.push_back(static_cast<uint8_t>(bar ? 200 + (state >> 28) : (state >> 24) % 80));
      }
    labels.push_back(static_cast<uint8_t>(k));
  }
  write_bytes(dir + "/" + prefix + "-images-idx3-ubyte", images);
  write_bytes(dir + "/" + prefix + "-labels-idx1-ubyte", labels);
}

struct Bars {
  TempDir dir;
  explicit Bars(uint32_t train = 300, uint32_t test = 100) {
    write_bars_split(dir / "data", "train", train, 1);
    write_bars_split(dir / "data", "t10k", test, 2);
  }
  std::string data() const { return "mnist:" + dir / "data"; }
};

}  // namespace htp::testing
