// Averaging scores as the reference scripts do (paper spec §4.1 item 5, §4.2).
//
//   nanmean          numpy.nanmean: the mean of the non-NaN values; NaN when there are none
//   round_decimals   Python's round(x, digits): the double nearest to x rounded to `digits` decimals, ties to even
//                    on x's exact binary value (EPG rounds every score with round(x, 2) before averaging)
#pragma once
#include <vector>

namespace htp::metrics {

double nanmean(const std::vector<double>& values);
double round_decimals(double x, int digits);  // 0 <= digits <= 17

}  // namespace htp::metrics
