// htp gridpg: the grid pointing game (paper §4.1) of trained models over a data set's test split: confident pool
// (every model correct with probability >= --threshold), --grids grids of --grid-size² distinct classes, every cell
// explained with every method, scored and averaged (apps/gridpg_eval.h). Prints a Markdown table model × method →
// GridPG (%), writes JSON (--out) and the table (--md).
//
//   htp gridpg --model runs/demo/probes/resnet18-small-linear-ce,runs/demo/probes/resnet18-small-linear-bce
//   htp gridpg --model runs/rn18 --methods ixg,gradcam --grids 100 --out gridpg.json --md gridpg.md
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "apps/args.h"
#include "apps/commands.h"
#include "apps/gridpg_eval.h"
#include "apps/train_options.h"

namespace htp::app {
namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

// --methods all: the model's applicable methods; a list: those of them that apply to the model.
std::vector<std::string> methods_for(const ExplainableModel& model, const std::vector<std::string>& requested) {
  const std::vector<std::string> applicable = applicable_methods(model);
  if (requested.empty()) return applicable;
  std::vector<std::string> out;
  for (const std::string& m : requested)
    if (std::find(applicable.begin(), applicable.end(), m) != applicable.end()) out.push_back(m);
  return out;
}

std::string percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", 100.0 * v);
  return buf;
}

}  // namespace

int run_gridpg(const std::vector<std::string>& argv) {
  Args args("gridpg",
            "Grid pointing game (GridPG) of trained models: grids of confidently classified test images, every "
            "cell explained by every method, the share of positive attribution inside the cell (paper §4.1).");
  args.option("model", "", "comma-separated checkpoints or run directories (pretrain or probe), or plain weights");
  args.option("arch", "", "architecture of plain weights (see htp pretrain --help)");
  args.option("data", "", "data set (default: the first model's training data; see htp pretrain --help)");
  args.option("grid-size", "2", "cells per side (2: 2x2 grids)");
  args.option("grids", "50", "number of grids");
  args.option("methods", "all", "all (every method that applies to a model), or a comma-separated list");
  args.option("seed", "0", "seed of the grid draw");
  args.option("threshold", "0.95", "confidence every model needs on a cell image (sigmoid for BCE heads, else softmax)");
  args.option("max-per-class", "100", "confident images kept per class");
  args.option("lime-samples", "500", "LIME perturbation samples per explanation");
  args.option("ig-steps", "50", "Integrated Gradients steps");
  args.option("batch-grids", "8", "grids per attribution call");
  args.option("out", "", "JSON output with every score");
  args.option("md", "", "Markdown table output");
  declare_runtime_options(args);
  if (!args.parse(argv)) return 0;
  const RuntimeOptions rt = read_runtime_options(args);
  const std::vector<std::string> sources = split_list(args.get("model"));
  HTP_CHECK(!sources.empty(), "--model is required (see htp gridpg --help)");

  GridPgOptions o;
  o.grid_size = args.get_int("grid-size");
  o.grids = args.get_int("grids");
  o.seed = static_cast<uint64_t>(args.get_int("seed"));
  o.threshold = args.get_double("threshold");
  o.max_per_class = args.get_int("max-per-class");
  o.lime_samples = args.get_int("lime-samples");
  o.ig_steps = args.get_int("ig-steps");
  o.batch_grids = args.get_int("batch-grids");
  o.workers = rt.workers;
  o.progress = !rt.quiet;
  const std::string methods_arg = args.get("methods");
  const std::vector<std::string> requested = methods_arg == "all" ? std::vector<std::string>{} : split_list(methods_arg);

  const std::string data_arg = args.get("data");
  DataSpec data = parse_data_spec(data_arg.empty() ? "fashion-mnist" : data_arg);
  std::vector<ExplainableModel> models;
  for (const std::string& s : sources) models.push_back(load_explainable(s, args.get("arch"), data));
  if (data_arg.empty() && !models.front().backbone.data.empty()) data = parse_data_spec(models.front().backbone.data);
  std::vector<const ExplainableModel*> pointers;
  for (const ExplainableModel& m : models) pointers.push_back(&m);

  const DataSplit test = open_split(data, false);
  if (o.progress)
    std::printf("htp gridpg: %zu model(s) on %s (%s, %lld images), %lld %lldx%lld grids\n", models.size(),
                data.str().c_str(), test.split.c_str(), static_cast<long long>(test.dataset->size()),
                static_cast<long long>(o.grids), static_cast<long long>(o.grid_size),
                static_cast<long long>(o.grid_size));
  const Predictions predictions = predict(pointers, test, data, o);
  const GridSet grids = make_grid_set(predictions, test, data, common_image_size(pointers, data), o);

  std::vector<std::string> columns;  // every method that ran, in first-seen order
  Json out_models = Json::array();
  std::vector<std::map<std::string, double>> scores(models.size());
  for (size_t i = 0; i < models.size(); ++i) {
    const std::vector<std::string> methods = methods_for(models[i], requested);
    const std::vector<MethodGridPg> results = evaluate_model(models[i], methods, grids, o, models[i].description());
    Json per_method = Json::object();
    for (const MethodGridPg& r : results) {
      if (std::find(columns.begin(), columns.end(), r.method) == columns.end()) columns.push_back(r.method);
      scores[i][r.method] = r.mean;
      per_method[r.method] = {{"gridpg", r.mean}, {"cells", r.cells.size()}, {"seconds", r.seconds}};
    }
    out_models.push_back({{"source", sources[i]},
                          {"description", models[i].description()},
                          {"top1", predictions.top1[i]},
                          {"methods", per_method}});
  }

  const int64_t cells = o.grids * o.grid_size * o.grid_size;
  std::ostringstream md;
  md << "GridPG (%) on " << o.grids << " " << o.grid_size << "x" << o.grid_size << " grids of " << data.str() << " ("
     << cells << " cells per model and method; chance " << percent(1.0 / static_cast<double>(o.grid_size * o.grid_size))
     << " %)\n\n| model | top-1 (%) |";
  for (const std::string& c : columns) md << " " << c << " |";
  md << "\n|---|---:|";
  for (size_t c = 0; c < columns.size(); ++c) md << "---:|";
  md << "\n";
  for (size_t i = 0; i < models.size(); ++i) {
    md << "| " << sources[i] << " (" << models[i].description() << ") | " << percent(predictions.top1[i]) << " |";
    for (const std::string& c : columns) md << " " << (scores[i].count(c) ? percent(scores[i][c]) : "—") << " |";
    md << "\n";
  }
  if (o.progress) std::printf("\n%s", md.str().c_str());
  if (!args.get("md").empty()) {
    std::ofstream f(args.get("md"));
    HTP_CHECK(f.good(), "--md: cannot write '", args.get("md"), "'");
    f << md.str();
  }
  if (!args.get("out").empty())
    write_json_file(args.get("out"), {{"data", data.str()},
                                      {"split", test.split},
                                      {"grid_size", o.grid_size},
                                      {"grids", o.grids},
                                      {"cells", cells},
                                      {"seed", o.seed},
                                      {"threshold", o.threshold},
                                      {"lime_samples", o.lime_samples},
                                      {"ig_steps", o.ig_steps},
                                      {"pool_per_class", grids.pool_per_class},
                                      {"models", out_models}});
  return 0;
}

}  // namespace htp::app
