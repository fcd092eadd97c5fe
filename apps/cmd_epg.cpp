// htp epg: the energy pointing game (paper §4.2) of one or more trained models for a set of attribution methods on
// a data set with boxes: every class present in an image is explained and scored by the share of its positive
// (smoothed) attribution inside the class's boxes (apps/epg_eval.h). Prints a model x method table of mean EPG and
// writes it as JSON (--out) and Markdown (--md).
//
//   htp epg --model runs/rn50-linear-bce,runs/rn50-bcosmlp-bce --data voc2007:VOCdevkit/VOC2007 --limit 1001
//   htp epg --model runs/fm-linear-ce --methods gradient,ixg,gradcam --grid-size 3 --limit 200   # synthetic grids
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "apps/args.h"
#include "apps/commands.h"
#include "apps/epg_eval.h"
#include "kernels/cpu/parallel.h"
#include "xai/attribution.h"

namespace htp::app {
namespace {

constexpr int64_t kDefaultGrids = 100;

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream parts(text);
  std::string item;
  while (std::getline(parts, item, ','))
    if (!item.empty()) items.push_back(item);
  return items;
}

struct ModelResult {
  std::string path, description;
  int64_t image_size = 0;
  std::vector<EpgScore> scores;
  const EpgScore* find(const std::string& method) const {
    for (const EpgScore& s : scores)
      if (s.method == method) return &s;
    return nullptr;
  }
};

std::string cell(const ModelResult& r, const std::string& method) {
  const EpgScore* s = r.find(method);
  if (!s) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", s->mean);
  return buf;
}

int64_t pairs(const ModelResult& r) { return r.scores.empty() ? 0 : r.scores.front().count; }

void print_table(const std::vector<ModelResult>& results, const std::vector<std::string>& methods) {
  size_t width = 5;
  for (const ModelResult& r : results) width = std::max(width, r.path.size());
  std::printf("%-*s  %7s", static_cast<int>(width), "model", "pairs");
  for (const std::string& m : methods) std::printf("  %8s", m.c_str());
  std::printf("\n");
  for (const ModelResult& r : results) {
    std::printf("%-*s  %7lld", static_cast<int>(width), r.path.c_str(), static_cast<long long>(pairs(r)));
    for (const std::string& m : methods) std::printf("  %8s", cell(r, m).c_str());
    std::printf("\n");
  }
}

void write_markdown(const std::string& path, const std::string& source, const std::vector<ModelResult>& results,
                    const std::vector<std::string>& methods) {
  std::ofstream os(path);
  HTP_CHECK(os.good(), "--md: cannot write '", path, "'");
  os << "EPG on " << source << " (mean of per-pair scores rounded to 2 decimals)\n\n| model | pairs |";
  for (const std::string& m : methods) os << " " << m << " |";
  os << "\n|---|---:|";
  for (size_t i = 0; i < methods.size(); ++i) os << "---:|";
  os << "\n";
  for (const ModelResult& r : results) {
    os << "| " << r.path << " (" << r.description << ") | " << pairs(r) << " |";
    for (const std::string& m : methods) os << " " << cell(r, m) << " |";
    os << "\n";
  }
  os.close();
  HTP_CHECK(!os.fail(), "--md: cannot write '", path, "'");
}

Json to_json(const std::string& data, const std::string& source, const std::vector<ModelResult>& results) {
  Json models = Json::array();
  for (const ModelResult& r : results) {
    Json epg = Json::object();
    for (const EpgScore& s : r.scores) {
      const bool gaussian = epg_smoothing(s.method) == metrics::Smoothing::gaussian_129;
      epg[s.method] = {{"mean", s.mean},
                       {"count", s.count},
                       {"smoothing", gaussian ? "gaussian_129" : "mean_5x5"},
                       {"seconds", s.seconds}};
    }
    models.push_back({{"model", r.path}, {"description", r.description}, {"image_size", r.image_size}, {"epg", epg}});
  }
  return {{"data", data}, {"source", source}, {"models", models}};
}

// Throws for a name that is not a registered method, listing them.
void check_method_names(const std::vector<std::string>& names) {
  const std::vector<std::string> known = xai::list_methods();
  for (const std::string& name : names) {
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    std::string list;
    for (const std::string& k : known) list += " " + k;
    throw Error("--methods: unknown method '" + name + "' (known:" + list + ", or all)");
  }
}

// The requested methods that apply to the model (all of them for "all"); the others are reported and left out.
std::vector<std::string> methods_for(const ExplainableModel& model, const std::vector<std::string>& requested,
                                     bool quiet) {
  const std::vector<std::string> applicable = applicable_methods(model);
  if (requested.empty()) return applicable;
  std::vector<std::string> out;
  for (const std::string& name : requested) {
    if (std::find(applicable.begin(), applicable.end(), name) != applicable.end())
      out.push_back(name);
    else if (!quiet)
      std::printf("  %s does not apply to %s: left out\n", name.c_str(), model.backbone.source.c_str());
  }
  return out;
}

}  // namespace

int run_epg(const std::vector<std::string>& argv) {
  Args args("epg",
            "Energy pointing game (paper §4.2): explains every class present in each image with each method and "
            "scores the share of positive attribution (after 5x5 mean smoothing; Gaussian k=129 for ixg and ig) "
            "inside that class's boxes, rounded to 2 decimals, averaged over the (image, class) pairs. Sources of "
            "boxes: VOC 2007 test (non-difficult objects, images resized to S x S), or synthetic n x n grids of "
            "MNIST / Fashion-MNIST test images of distinct classes, each cell the box of its class (then EPG is "
            "the share of positive energy inside the target's cell).");
  args.option("model", "", "pretrain/probe checkpoints or run directories (or plain weights), comma-separated");
  args.option("arch", "", "architecture of plain weights (see htp pretrain --help)");
  args.option("data", "",
              "voc2007:PATH, or fashion-mnist[:DIR] / mnist:DIR for synthetic grids (default: the first model's "
              "training data)");
  args.option("methods", "all",
              "comma-separated methods (see htp explain --help), or all: each model's applicable "
              "ones (methods that do not apply to a model are left out, shown as -)");
  args.option("grid-size", "3", "synthetic grids: n for n x n grids (n² distinct classes)");
  args.option("limit", "0", "VOC: the first N test images (0: all; the paper used ~1001); grids: N grids (0: 100)");
  args.option("seed", "0", "synthetic grids: the seed of the grid draws");
  args.option("image-size", "0", "input size S (0: each model's training size; VOC 224, MNISTs 28 per cell)");
  args.option("batch-size", "8", "(image, class) pairs per attribution call");
  args.option("out", "", "write the results as JSON");
  args.option("md", "", "write the table as Markdown");
  args.option("threads", "0", "compute threads (0: HTP_NUM_THREADS, else all cores)");
  args.flag("quiet", "print nothing but errors");
  if (!args.parse(argv)) return 0;
  const std::vector<std::string> paths = split_list(args.get("model"));
  HTP_CHECK(!paths.empty(), "--model is required (see htp epg --help)");
  const int64_t grid_size = args.get_int("grid-size"), limit = args.get_int("limit"), seed = args.get_int("seed"),
                image_size = args.get_int("image-size"), batch_size = args.get_int("batch-size"),
                threads = args.get_int("threads");
  HTP_CHECK(grid_size >= 1 && limit >= 0 && seed >= 0 && image_size >= 0 && batch_size >= 1,
            "--grid-size and --batch-size must be >= 1; --limit, --seed and --image-size >= 0");
  HTP_CHECK(threads >= 0 && threads <= 1024, "--threads must be in [0, 1024], got ", threads);
  if (threads > 0) kernels::cpu::set_num_threads(static_cast<int>(threads));
  const bool quiet = args.get_flag("quiet");

  const std::string data_arg = args.get("data");
  std::vector<ExplainableModel> models;
  for (const std::string& p : paths)
    models.push_back(
        load_explainable(p, args.get("arch"), parse_data_spec(data_arg.empty() ? "fashion-mnist" : data_arg)));
  HTP_CHECK(!data_arg.empty() || !models[0].backbone.data.empty(), "'", models[0].backbone.source,
            "' holds plain weights: say which data set with --data");
  const DataSpec data = parse_data_spec(data_arg.empty() ? models[0].backbone.data : data_arg);
  HTP_CHECK(data.kind == "voc2007" || data.kind == "mnist" || data.kind == "fashion-mnist", "--data ", data.str(),
            ": no boxes; use voc2007:PATH, or fashion-mnist / mnist:DIR for synthetic grids");

  const std::unique_ptr<EpgSource> source =
      data.kind == "voc2007" ? voc_source(open_split(data, false, limit), data.str())
                             : grid_source(open_split(data, false), data.str(), grid_size,
                                           limit > 0 ? limit : kDefaultGrids, static_cast<uint64_t>(seed));

  std::vector<std::string> requested = split_list(args.get("methods"));
  if (requested == std::vector<std::string>{"all"}) requested.clear();
  check_method_names(requested);
  std::vector<std::string> columns;
  std::vector<ModelResult> results;
  if (!quiet) std::printf("htp epg: %s\n", source->describe().c_str());
  for (const ExplainableModel& m : models) {
    const EpgOptions options{methods_for(m, requested, quiet), batch_size, !quiet, m.backbone.source};
    for (const std::string& name : options.methods)
      if (std::find(columns.begin(), columns.end(), name) == columns.end()) columns.push_back(name);
    int64_t size = image_size;
    if (size == 0) size = m.backbone.image_size > 0 ? m.backbone.image_size : resolve_image_size(data, 0);
    const data::TransformPtr pipeline = make_pipeline(data, m.backbone.encoding, size, false, "none");
    results.push_back({m.backbone.source, m.description(), size, evaluate_epg(m, *source, *pipeline, options)});
  }

  if (!quiet) print_table(results, columns);
  if (!args.get("out").empty()) {
    write_json_file(args.get("out"), to_json(data.str(), source->describe(), results));
    if (!quiet) std::printf("wrote %s\n", args.get("out").c_str());
  }
  if (!args.get("md").empty()) {
    write_markdown(args.get("md"), source->describe(), results, columns);
    if (!quiet) std::printf("wrote %s\n", args.get("md").c_str());
  }
  return 0;
}

}  // namespace htp::app
