// The report of `htp demo`: its figures and its pages.
//
//   write_grid_png      a grid image (raw values in [0, 1], grey or RGB) upscaled `scale`× by nearest neighbour, the
//                       target cell outlined in green
//   write_map_png       a signed attribution map [H, W] in the diverging 'bwr' palette (metrics/heatmap.h: white 0,
//                       red positive, blue negative, symmetric around 0), upscaled and outlined likewise
//   demo_report_json    every number: settings, stage times, backbone and probe accuracies, GridPG per backbone ×
//                       probe × loss × method, the CE-vs-BCE difference per (backbone, probe, method) with its paired
//                       standard error over the cells (the same grids and cells for both losses), and the summary
//                       whose statement ("BCE beat CE in X of Y settings …") is computed from those differences
//   write_demo_report   <out>/report.md, report.html (with the heatmaps) and report.json; returns the Markdown results
//                       table and the CE-vs-BCE statement for the console
#pragma once
#include <cstdint>
#include <string>

#include "apps/demo_pipeline.h"
#include "tensor/tensor.h"

namespace htp::app {

void write_grid_png(const std::string& path, const Tensor& raw, int64_t grid_size, int64_t target_cell, int64_t scale);
void write_map_png(const std::string& path, const Tensor& map, int64_t grid_size, int64_t target_cell, int64_t scale);

Json demo_report_json(const DemoResults& results);
struct DemoSummary {
  std::string table, statement;
};
DemoSummary write_demo_report(const DemoResults& results);

}  // namespace htp::app
