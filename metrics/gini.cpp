#include "metrics/gini.h"

#include <algorithm>
#include <vector>

#include "metrics/map_checks.h"

namespace htp::metrics {

double gini_index(const Tensor& map) {
  HTP_CHECK(map.defined() && detail::is_f32_or_f64(map) && map.numel() > 0,
            "gini_index: expected a non-empty float32/float64 map, got ",
            map.defined() ? map.describe() : std::string("an undefined tensor"));
  std::vector<double> a = map.to_vector();
  for (double& v : a) v = std::max(v, 0.0) + 1e-7;
  std::sort(a.begin(), a.end());
  const double n = static_cast<double>(a.size());
  double weighted = 0, total = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    weighted += (2.0 * static_cast<double>(i + 1) - n - 1.0) * a[i];
    total += a[i];
  }
  return weighted / (n * total);
}

}  // namespace htp::metrics
