// Energy pointing game (EPG; paper spec §4.2, evaluate_attributions/epg/eval_voc_epg.py `get_epg_val`).
//
// Boxes are half-open pixel rectangles [x0, x1) × [y0, y1) on the attribution map's grid (x = column, y = row).
// For the map A [H, W] explaining a class with boxes B_1 … B_m:
//
//   A⁺ = score_map(A, smoothing)                      (metrics/postprocess.h)
//   mask = the union of the boxes (overlaps count once)
//   EPG = Σ A⁺ · mask / (Σ A⁺ + 1e-12)
//
// sums in double. The reference rounds every EPG with round(x, 2) before averaging (round_decimals,
// metrics/aggregate.h).
//
// Boxes given in image coordinates are brought to the map with the reference's integer arithmetic:
//   rescale_box: x -> floor(x · map_width / image_width), y -> floor(y · map_height / image_height)
// [REF-QUIRK] The reference feeds VOC's 1-based inclusive corners (xmin, ymin, xmax, ymax) straight in as
// [xmin, xmax) × [ymin, ymax), which drops the first column and row of the true box [xmin - 1, xmax) × [ymin - 1, ymax)
// (data::Box holds the true box: pass x0 + 1 and y0 + 1 to reproduce the reference).
#pragma once
#include <cstdint>
#include <vector>

#include "metrics/postprocess.h"
#include "tensor/tensor.h"

namespace htp::metrics {

struct PixelBox {
  int64_t x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // [x0, x1) × [y0, y1); empty when x0 == x1 or y0 == y1
};

// Corners in an image of image_width × image_height, mapped onto a map of map_width × map_height.
PixelBox rescale_box(double x0, double y0, double x1, double y1, int64_t image_width, int64_t image_height,
                     int64_t map_width, int64_t map_height);

// The union of the boxes as a float32 mask [height, width] (1 inside, 0 outside). Every box must satisfy
// 0 <= x0 <= x1 <= width and 0 <= y0 <= y1 <= height; the error names the box.
Tensor box_union_mask(const std::vector<PixelBox>& boxes, int64_t height, int64_t width);

// At least one box (of the target class); every box checked as in box_union_mask.
double energy_pointing_game(const Tensor& map, const std::vector<PixelBox>& boxes, Smoothing smoothing);

}  // namespace htp::metrics
