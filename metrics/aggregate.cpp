#include "metrics/aggregate.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "tensor/error.h"

namespace htp::metrics {

double nanmean(const std::vector<double>& values) {
  double total = 0;
  int64_t count = 0;
  for (double v : values)
    if (!std::isnan(v)) {
      total += v;
      ++count;
    }
  return count ? total / static_cast<double>(count) : std::numeric_limits<double>::quiet_NaN();
}

double round_decimals(double x, int digits) {
  HTP_CHECK(digits >= 0 && digits <= 17, "round_decimals: digits must be in [0, 17], got ", digits);
  if (!std::isfinite(x)) return x;
  // glibc's printf rounds the exact binary value correctly (ties to even), as CPython's round does.
  char buffer[400];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, x);
  return std::strtod(buffer, nullptr);
}

}  // namespace htp::metrics
