// Small numeric helpers shared by the CPU kernels that work for every numeric element type.
#pragma once
#include <cmath>
#include <type_traits>

namespace htp::kernels::cpu {

// NaN test that compiles (to false) for integer types.
template <class T>
inline bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>)
    return std::isnan(v);
  else
    return false;
}

}  // namespace htp::kernels::cpu
