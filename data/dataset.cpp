#include "data/dataset.h"

#include "tensor/creation.h"

namespace htp::data {

void check_index(int64_t index, int64_t size, const std::string& what) {
  HTP_CHECK(index >= 0 && index < size, what, ": sample index ", index, " out of range [0, ", size, ")");
}

Tensor multi_hot(const std::vector<int64_t>& labels, int64_t num_classes) {
  Tensor t = zeros({num_classes});
  float* p = t.data<float>();
  for (int64_t c : labels) {
    HTP_CHECK(c >= 0 && c < num_classes, "multi_hot: class index ", c, " out of range [0, ", num_classes, ")");
    p[c] = 1.0f;
  }
  return t;
}

}  // namespace htp::data
