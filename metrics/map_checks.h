// Shape checks shared by the metrics (internal to metrics/): every error names the metric and the tensor.
#pragma once
#include "tensor/error.h"
#include "tensor/tensor.h"

namespace htp::metrics::detail {

inline bool is_f32_or_f64(const Tensor& t) { return t.dtype() == DType::f32 || t.dtype() == DType::f64; }

// A single attribution map: rank 2, float32 or float64, non-empty.
inline void check_map(const Tensor& map, const char* op) {
  HTP_CHECK(map.defined(), op, ": the attribution map is undefined");
  HTP_CHECK(map.dim() == 2 && is_f32_or_f64(map) && map.numel() > 0, op,
            ": expected a non-empty float32/float64 attribution map [H, W], got ", map.describe());
}

// A map [H, W] or a batch of maps [N, H, W], float32 or float64.
inline void check_maps(const Tensor& maps, const char* op) {
  HTP_CHECK(maps.defined(), op, ": the attribution map is undefined");
  HTP_CHECK((maps.dim() == 2 || maps.dim() == 3) && is_f32_or_f64(maps), op,
            ": expected a float32/float64 attribution map [H, W] or maps [N, H, W], got ", maps.describe());
}

}  // namespace htp::metrics::detail
