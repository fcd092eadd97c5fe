#include "metrics/entropy.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "metrics/map_checks.h"
#include "metrics/postprocess.h"

namespace htp::metrics {

double shannon_entropy(const Tensor& values) {
  HTP_CHECK(values.defined() && detail::is_f32_or_f64(values) && values.numel() > 0,
            "shannon_entropy: expected non-empty float32/float64 values, got ",
            values.defined() ? values.describe() : std::string("an undefined tensor"));
  std::vector<double> v = values.to_vector();
  double total = 0;
  for (double& x : v) total += (x = std::max(x, 0.0));
  double h = 0;
  for (double x : v) {
    const double p = x / (total + 1e-10);
    h -= p * std::log2(p + 1e-10);
  }
  return h;
}

double complexity(const Tensor& map) {
  detail::check_map(map, "complexity");
  return shannon_entropy(mean_smooth(map, 5));
}

}  // namespace htp::metrics
