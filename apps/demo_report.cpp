#include "apps/demo_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "metrics/aggregate.h"
#include "metrics/heatmap.h"
#include "metrics/png.h"
#include "tensor/creation.h"
#include "tensor/error.h"

namespace htp::app {
namespace {

// The methods in report order, and what the paper (Fig. 5, paper.md §5) says BCE does to each.
const std::vector<std::string> kMethods = {"gradient", "ixg", "ig", "gradcam", "gbp", "lrp", "bcos", "lime"};
const std::map<std::string, std::string> kPaperClaim = {
    {"lrp", "BCE > CE on every backbone"},
    {"ig", "BCE > CE on every backbone"},
    {"bcos", "BCE > CE on every backbone"},
    {"lime", "BCE > CE on every backbone"},
    {"ixg", "BCE > CE only on B-cos backbones"},
    {"gradcam", "BCE > CE only on B-cos backbones"},
    {"gradient", "not reported"},
    {"gbp", "not reported"},
};

std::string format(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}
std::string pct(double v) { return format("%.1f", 100.0 * v); }
std::string pp(double v) { return format("%+.1f", 100.0 * v); }

// ---- figures --------------------------------------------------------------------------------------------------------

// uint8 [3, H, W] -> [3, H · s, W · s], nearest neighbour, with the target cell's border drawn in green.
Tensor enlarge_and_outline(const Tensor& rgb, int64_t scale, int64_t grid_size, int64_t cell) {
  const Tensor src = rgb.contiguous();
  const int64_t H = src.size(1), W = src.size(2), h = H * scale, w = W * scale;
  Tensor out = empty({3, h, w}, DType::u8);
  const uint8_t* in = src.data<uint8_t>();
  uint8_t* o = out.data<uint8_t>();
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t i = 0; i < h; ++i)
      for (int64_t j = 0; j < w; ++j) o[(c * h + i) * w + j] = in[(c * H + i / scale) * W + j / scale];
  const int64_t ch = h / grid_size, cw = w / grid_size, top = cell / grid_size * ch, left = cell % grid_size * cw;
  const int64_t thick = std::max<int64_t>(1, scale / 2);
  const uint8_t green[3] = {0, 170, 0};
  for (int64_t i = top; i < top + ch; ++i)
    for (int64_t j = left; j < left + cw; ++j)
      if (i - top < thick || top + ch - 1 - i < thick || j - left < thick || left + cw - 1 - j < thick)
        for (int64_t c = 0; c < 3; ++c) o[(c * h + i) * w + j] = green[c];
  return out;
}

// ---- the CE-vs-BCE numbers ------------------------------------------------------------------------------------------

struct Difference {
  double delta = 0, se = 0;  // mean of bce − ce over the cells, and its standard error
  int64_t cells = 0;
};

Difference paired_difference(const Json& ce_cells, const Json& bce_cells) {
  std::vector<double> d;
  for (size_t i = 0; i < ce_cells.size() && i < bce_cells.size(); ++i) {
    const double a = ce_cells[i].is_number() ? ce_cells[i].get<double>() : NAN;
    const double b = bce_cells[i].is_number() ? bce_cells[i].get<double>() : NAN;
    if (!std::isnan(a) && !std::isnan(b)) d.push_back(b - a);
  }
  Difference r;
  r.cells = static_cast<int64_t>(d.size());
  if (d.empty()) return r;
  for (double x : d) r.delta += x;
  r.delta /= static_cast<double>(d.size());
  double ss = 0;
  for (double x : d) ss += (x - r.delta) * (x - r.delta);
  if (d.size() > 1) r.se = std::sqrt(ss / static_cast<double>(d.size() - 1) / static_cast<double>(d.size()));
  return r;
}

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

std::string statement(const Json& s) {
  const int64_t total = s["settings"], wins = s["bce_wins"], losses = s["ce_wins"];
  const double mean = s["mean_delta"];
  std::ostringstream os;
  os << "BCE beat CE in " << wins << " of " << total << " (backbone, probe, method) settings ("
     << s["bce_wins_significant"].get<int64_t>() << " of them by more than two paired standard errors); CE beat BCE in "
     << losses << " (" << s["ce_wins_significant"].get<int64_t>() << "). Mean GridPG difference BCE − CE: "
     << pp(mean) << " percentage points (median " << pp(s["median_delta"].get<double>()) << "). ";
  if (total == 0)
    os << "There was nothing to compare.";
  else if (wins * 4 >= total * 3 && mean > 0)
    os << "So in this small-scale run BCE-trained probes localised better than CE-trained ones in most settings, in "
          "line with the paper's ImageNet results (Fig. 5).";
  else if (wins * 2 > total && mean > 0)
    os << "So BCE beat CE more often than not, but not consistently: a weaker effect than the paper reports on "
          "ImageNet (Fig. 5).";
  else if (losses * 2 > total && mean < 0)
    os << "So BCE did NOT beat CE in this small-scale run: CE was better in most settings, unlike the paper's "
          "ImageNet results (Fig. 5).";
  else
    os << "So the result is mixed: neither loss localised better consistently, unlike the paper's ImageNet results "
          "(Fig. 5).";
  return os.str();
}

// ---- pages: one list of blocks rendered as Markdown and as HTML --------------------------------------------------------

std::string escape_html(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

class Page {
 public:
  void heading(int level, const std::string& text) { add(Kind::heading, text, {}, {}, level); }
  void paragraph(const std::string& text) { add(Kind::paragraph, text, {}, {}); }
  void list(const std::vector<std::string>& items) { add(Kind::list, "", items, {}); }
  void table(const Table& t) { add(Kind::table, "", {}, t); }
  void markdown_only(const std::string& md) { add(Kind::markdown, md, {}, {}); }
  void html_only(const std::string& html) { add(Kind::html, html, {}, {}); }

  std::string markdown() const {
    std::ostringstream os;
    for (const Block& b : blocks_) {
      switch (b.kind) {
        case Kind::heading: os << std::string(static_cast<size_t>(b.level), '#') << " " << b.text << "\n\n"; break;
        case Kind::paragraph: os << b.text << "\n\n"; break;
        case Kind::list:
          for (const std::string& i : b.items) os << "- " << i << "\n";
          os << "\n";
          break;
        case Kind::table: os << markdown_table(b.table) << "\n"; break;
        case Kind::markdown: os << b.text << "\n\n"; break;
        case Kind::html: break;
      }
    }
    return os.str();
  }

  std::string html(const std::string& title) const {
    std::ostringstream os;
    os << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" << escape_html(title)
       << "</title>\n<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;line-height:1.4}"
          "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
          "td:first-child,th:first-child{text-align:left}img{image-rendering:pixelated;display:block}"
          ".maps td{padding:2px}</style></head><body>\n";
    for (const Block& b : blocks_) {
      switch (b.kind) {
        case Kind::heading: os << "<h" << b.level << ">" << escape_html(b.text) << "</h" << b.level << ">\n"; break;
        case Kind::paragraph: os << "<p>" << escape_html(b.text) << "</p>\n"; break;
        case Kind::list:
          os << "<ul>\n";
          for (const std::string& i : b.items) os << "<li>" << escape_html(i) << "</li>\n";
          os << "</ul>\n";
          break;
        case Kind::table:
          os << "<table><tr>";
          for (const std::string& h : b.table.header) os << "<th>" << escape_html(h) << "</th>";
          os << "</tr>\n";
          for (const auto& row : b.table.rows) {
            os << "<tr>";
            for (const std::string& c : row) os << "<td>" << escape_html(c) << "</td>";
            os << "</tr>\n";
          }
          os << "</table>\n";
          break;
        case Kind::html: os << b.text << "\n"; break;
        case Kind::markdown: break;
      }
    }
    os << "</body></html>\n";
    return os.str();
  }

  static std::string markdown_table(const Table& t) {
    std::ostringstream os;
    os << "|";
    for (const std::string& h : t.header) os << " " << h << " |";
    os << "\n|";
    for (size_t i = 0; i < t.header.size(); ++i) os << (i == 0 ? "---|" : "---:|");
    os << "\n";
    for (const auto& row : t.rows) {
      os << "|";
      for (const std::string& c : row) os << " " << c << " |";
      os << "\n";
    }
    return os.str();
  }

 private:
  enum class Kind { heading, paragraph, list, table, markdown, html };
  struct Block {
    Kind kind;
    std::string text;
    std::vector<std::string> items;
    Table table;
    int level = 0;
  };
  void add(Kind kind, const std::string& text, const std::vector<std::string>& items, const Table& table,
           int level = 0) {
    blocks_.push_back({kind, text, items, table, level});
  }
  std::vector<Block> blocks_;
};

void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  HTP_CHECK(f.good(), "demo: cannot write '", path, "'");
}

// The methods that ran on any model, in report order.
std::vector<std::string> methods_present(const Json& report) {
  std::vector<std::string> out;
  for (const std::string& m : kMethods)
    for (const Json& model : report["models"])
      if (model["gridpg"].contains(m)) {
        out.push_back(m);
        break;
      }
  return out;
}

Table results_table(const Json& report) {
  Table t;
  t.header = {"backbone", "probe", "loss", "top-1 (%)"};
  const std::vector<std::string> methods = methods_present(report);
  for (const std::string& m : methods) t.header.push_back(m);
  for (const Json& model : report["models"]) {
    std::vector<std::string> row = {model["backbone"], model["probe"], model["loss"], pct(model["top1"])};
    for (const std::string& m : methods)
      row.push_back(model["gridpg"].contains(m) ? pct(model["gridpg"][m].get<double>()) : "—");
    t.rows.push_back(row);
  }
  return t;
}

std::string heatmap_html(const Json& report) {
  const Json& examples = report["examples"];
  const std::vector<std::string> methods = methods_present(report);
  const std::vector<std::string> names = report["gridpg_setup"]["class_names"].get<std::vector<std::string>>();
  std::ostringstream os;
  for (const Json& ex : examples) {
    const int64_t target = ex["target_cell"];
    const int64_t cls = ex["classes"][static_cast<size_t>(target)];
    os << "<h3>Grid " << ex["grid"].get<int64_t>() << ": classes";
    for (const Json& c : ex["classes"]) os << " " << escape_html(names.at(c.get<size_t>()));
    os << "; explained: cell " << target << " (" << escape_html(names.at(static_cast<size_t>(cls)))
       << ", outlined)</h3>\n<img src=\"gridpg/" << ex["image"].get<std::string>() << "\" alt=\"grid\">\n";
    os << "<table class=\"maps\"><tr><th>model</th>";
    for (const std::string& m : methods) os << "<th>" << m << "</th>";
    os << "</tr>\n";
    for (const auto& [key, maps] : ex["maps"].items()) {
      os << "<tr><td>" << escape_html(key) << "</td>";
      for (const std::string& m : methods)
        os << "<td>"
           << (maps.contains(m) ? "<img src=\"gridpg/" + maps[m].get<std::string>() + "\" alt=\"" + m + "\">" : "—")
           << "</td>";
      os << "</tr>\n";
    }
    os << "</table>\n";
  }
  return os.str();
}

}  // namespace

void write_grid_png(const std::string& path, const Tensor& raw, int64_t grid_size, int64_t target_cell, int64_t scale) {
  HTP_CHECK(raw.dim() == 3 && (raw.size(0) == 1 || raw.size(0) == 3), "write_grid_png: expected [1 or 3, H, W], got ",
            raw.describe());
  const std::vector<double> v = raw.to_vector();
  const int64_t C = raw.size(0), H = raw.size(1), W = raw.size(2);
  Tensor rgb = empty({3, H, W}, DType::u8);
  uint8_t* o = rgb.data<uint8_t>();
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t p = 0; p < H * W; ++p)
      o[c * H * W + p] = static_cast<uint8_t>(
          std::lround(255.0 * std::clamp(v[static_cast<size_t>(std::min(c, C - 1) * H * W + p)], 0.0, 1.0)));
  metrics::write_png(path, enlarge_and_outline(rgb, scale, grid_size, target_cell));
}

void write_map_png(const std::string& path, const Tensor& map, int64_t grid_size, int64_t target_cell, int64_t scale) {
  metrics::write_png(path, enlarge_and_outline(metrics::colorize(map, metrics::Colormap::diverging), scale, grid_size,
                                               target_cell));
}

Json demo_report_json(const DemoResults& r) {
  const Json& g = r.gridpg;
  std::map<std::string, const Json*> scored;
  for (const Json& m : g["models"]) scored[m["key"].get<std::string>()] = &m;

  Json models = Json::array();
  for (const ProbeRun& p : r.probes) {
    HTP_CHECK(scored.count(p.key()), "demo: the GridPG results have no model ", p.key());
    Json gridpg = Json::object(), seconds = Json::object();
    int64_t cells = 0;
    for (const auto& [method, v] : scored.at(p.key())->at("methods").items()) {
      gridpg[method] = v["gridpg"];
      seconds[method] = v["seconds"];
      cells = static_cast<int64_t>(v["cells"].size());
    }
    models.push_back({{"key", p.key()},
                      {"backbone", p.backbone},
                      {"probe", p.probe},
                      {"loss", p.loss},
                      {"dir", p.dir},
                      {"top1", p.top1},
                      {"reused", p.reused},
                      {"gridpg", gridpg},
                      {"cells", cells},
                      {"seconds", seconds}});
  }

  Json comparisons = Json::array(), accuracy = Json::array();
  std::vector<double> deltas;
  int64_t wins = 0, wins_sig = 0, losses = 0, losses_sig = 0;
  std::map<std::string, std::vector<double>> by_method;
  std::map<std::string, int64_t> method_wins;
  double accuracy_sum = 0;
  for (const ProbeRun& ce : r.probes) {
    if (ce.loss != "ce") continue;
    const std::string bce_key = ce.backbone + "-" + ce.probe + "-bce";
    auto bce = std::find_if(r.probes.begin(), r.probes.end(), [&](const ProbeRun& p) { return p.key() == bce_key; });
    if (bce == r.probes.end()) continue;
    accuracy.push_back({{"backbone", ce.backbone}, {"probe", ce.probe}, {"ce", ce.top1}, {"bce", bce->top1},
                        {"delta", bce->top1 - ce.top1}});
    accuracy_sum += bce->top1 - ce.top1;
    const Json& a = scored.at(ce.key())->at("methods");
    const Json& b = scored.at(bce_key)->at("methods");
    for (const std::string& m : kMethods) {
      if (!a.contains(m) || !b.contains(m)) continue;
      const Difference d = paired_difference(a[m]["cells"], b[m]["cells"]);
      const double delta = b[m]["gridpg"].get<double>() - a[m]["gridpg"].get<double>();
      const bool significant = std::abs(delta) > 2 * d.se;
      comparisons.push_back({{"backbone", ce.backbone},
                             {"probe", ce.probe},
                             {"method", m},
                             {"ce", a[m]["gridpg"]},
                             {"bce", b[m]["gridpg"]},
                             {"delta", delta},
                             {"se", d.se},
                             {"significant", significant},
                             {"cells", d.cells}});
      deltas.push_back(delta);
      by_method[m].push_back(delta);
      if (delta > 0) {
        ++wins;
        ++method_wins[m];
        wins_sig += significant;
      } else if (delta < 0) {
        ++losses;
        losses_sig += significant;
      }
    }
  }
  Json per_method = Json::object();
  for (const std::string& m : kMethods) {
    if (!by_method.count(m)) continue;
    const std::vector<double>& d = by_method[m];
    per_method[m] = {{"bce_wins", method_wins[m]},
                     {"settings", d.size()},
                     {"mean_delta", metrics::nanmean(d)},
                     {"paper", kPaperClaim.at(m)}};
  }
  Json summary = {{"settings", deltas.size()},
                  {"bce_wins", wins},
                  {"bce_wins_significant", wins_sig},
                  {"ce_wins", losses},
                  {"ce_wins_significant", losses_sig},
                  {"mean_delta", deltas.empty() ? 0.0 : metrics::nanmean(deltas)},
                  {"median_delta", deltas.empty() ? 0.0 : median(deltas)},
                  {"accuracy_mean_delta", accuracy.empty() ? 0.0 : accuracy_sum / static_cast<double>(accuracy.size())},
                  {"by_method", per_method}};
  summary["statement"] = statement(summary);

  Json stages = Json::array();
  for (const StageTime& t : r.stages)
    stages.push_back(
        {{"stage", t.stage}, {"seconds", t.seconds}, {"made_seconds", t.made_seconds}, {"reused", t.reused}});
  Json backbones = Json::array();
  for (const BackboneRun& b : r.backbones)
    backbones.push_back({{"arch", b.arch}, {"loss", b.loss}, {"dir", b.dir}, {"top1", b.top1}, {"reused", b.reused}});
  Json setup = Json::object();
  for (const char* k : {"data", "split", "test_images", "class_names", "grid_size", "cell_size", "threshold",
                        "pool_per_class", "lime_samples", "ig_steps", "ixg_gaussian_kernel", "seconds"})
    setup[k] = g.at(k);
  setup["grids"] = g.at("grids").size();
  return {{"settings", r.settings.to_json()},
          {"stages", stages},
          {"backbones", backbones},
          {"gridpg_setup", setup},
          {"models", models},
          {"comparisons", comparisons},
          {"accuracy_comparisons", accuracy},
          {"summary", summary},
          {"examples", g.at("examples")}};
}

DemoSummary write_demo_report(const DemoResults& r) {
  const Json report = demo_report_json(r);
  const Json& s = report["summary"];
  const Json& setup = report["gridpg_setup"];
  const DemoSettings& set = r.settings;
  const int64_t n = setup["grid_size"], grids = setup["grids"], cell = setup["cell_size"];
  const int64_t kernel = setup["ixg_gaussian_kernel"];
  const std::vector<std::string> names = setup["class_names"];
  Page page;

  page.heading(1, "htp demo: how the probe changes post-hoc explanations (" + set.data + ")");
  page.paragraph(
      "Our small-scale counterpart of the paper's Fig. 5 (GridPG of CE- vs BCE-trained probes, every attribution "
      "method) and §5.2 (linear vs MLP vs B-cos MLP probes): two backbones pre-trained here, three probe kinds trained "
      "with CE and with BCE on each frozen backbone, and the grid pointing game of every applicable method on " +
      std::to_string(grids) + " " + std::to_string(n) + "x" + std::to_string(n) +
      " grids of test images. GridPG is the share of the positive (smoothed) attribution that falls into the cell of "
      "the explained class; chance is " + pct(1.0 / static_cast<double>(n * n)) + " %.");
  if (set.quick) page.paragraph("QUICK MODE: tiny sizes for tests; the numbers mean nothing.");

  page.heading(2, "Does BCE beat CE?");
  page.paragraph(s["statement"].get<std::string>());
  page.paragraph("Accuracy: BCE − CE " + pp(s["accuracy_mean_delta"].get<double>()) +
                 " percentage points on average over the " + std::to_string(report["accuracy_comparisons"].size()) +
                 " probe pairs.");
  Table by_method{{"method", "paper (Fig. 5)", "BCE better here", "mean Δ GridPG (p.p.)"}, {}};
  for (const auto& [m, v] : s["by_method"].items())
    by_method.rows.push_back({m, v["paper"], std::to_string(v["bce_wins"].get<int64_t>()) + " of " +
                                                 std::to_string(v["settings"].get<int64_t>()),
                              pp(v["mean_delta"].get<double>())});
  page.table(by_method);

  page.heading(2, "Accuracy and GridPG (%) per backbone × probe × loss × method");
  page.table(results_table(report));

  page.heading(2, "CE vs BCE per (backbone, probe, method)");
  page.paragraph("Δ = GridPG(BCE) − GridPG(CE) in percentage points; ± is the standard error of the mean paired "
                 "difference over the cells (both models explain the same cells); * marks |Δ| > 2 SE.");
  Table cmp{{"backbone", "probe", "method", "CE", "BCE", "Δ", "± SE"}, {}};
  for (const Json& c : report["comparisons"])
    cmp.rows.push_back({c["backbone"], c["probe"], c["method"], pct(c["ce"]), pct(c["bce"]),
                        pp(c["delta"]) + (c["significant"].get<bool>() ? " *" : ""), pct(c["se"])});
  page.table(cmp);
  Table acc{{"backbone", "probe", "CE top-1 (%)", "BCE top-1 (%)", "Δ"}, {}};
  for (const Json& a : report["accuracy_comparisons"])
    acc.rows.push_back({a["backbone"], a["probe"], pct(a["ce"]), pct(a["bce"]), pp(a["delta"])});
  page.table(acc);

  page.heading(2, "Backbones");
  Table bb{{"backbone", "pre-training loss", "test top-1 (%)", "run"}, {}};
  for (const Json& b : report["backbones"]) bb.rows.push_back({b["arch"], b["loss"], pct(b["top1"]), b["dir"]});
  page.table(bb);

  page.heading(2, "Grids");
  std::string pool;
  for (size_t c = 0; c < names.size(); ++c)
    pool += (c ? ", " : "") + names[c] + " " + std::to_string(setup["pool_per_class"][c].get<int64_t>());
  page.paragraph(std::to_string(grids) + " grids of " + std::to_string(n) + "x" + std::to_string(n) + " cells (" +
                 std::to_string(n * cell) + " px) from the " + setup["split"].get<std::string>() + " split (" +
                 std::to_string(setup["test_images"].get<int64_t>()) +
                 " images), distinct classes per grid; every cell of every grid is explained, so each score averages " +
                 std::to_string(grids * n * n) + " cells. One confident pool for all " +
                 std::to_string(report["models"].size()) +
                 " probed models (correct and probability >= " + format("%.2f", setup["threshold"].get<double>()) +
                 " for every one of them: sigmoid for BCE probes, softmax for CE; at most " +
                 std::to_string(set.gridpg.max_per_class) + " per class): " + pool + ".");

  page.heading(2, "Heatmaps");
  page.markdown_only("The maps of every model and method for the example grids are in [report.html](report.html). "
                     "Example grids (the explained cell outlined):");
  std::string md_images;
  for (const Json& ex : report["examples"])
    md_images += "![grid " + std::to_string(ex["grid"].get<int64_t>()) + "](gridpg/" + ex["image"].get<std::string>() +
                 ") ";
  page.markdown_only(md_images);
  page.html_only("<p>Each map explains the outlined cell's class, coloured with the symmetric 'bwr' palette (red "
                 "positive, blue negative, white 0, scaled per map by its largest magnitude).</p>\n" +
                 heatmap_html(report));

  page.heading(2, "Settings");
  page.list({
      "data: " + set.data + "; backbones and probes trained on the first " + std::to_string(set.train_limit) +
          " training images and tested on " + std::to_string(setup["test_images"].get<int64_t>()) +
          " test images; seed " + std::to_string(set.seed),
      "backbones (htp pretrain): resnet18-small with CE, SGD lr 0.1, momentum 0.9, weight decay 5e-4, cosine; "
      "bcos-resnet18-small with BCE (off-labels 1/C), Adam lr 3e-3; width " + std::to_string(set.width) + ", " +
          std::to_string(set.pretrain_epochs) + " epoch(s), batch " + std::to_string(set.batch_size),
      "probes (htp probe, features cached): linear (bias-free linear-nobias on the B-cos backbone, as the paper's "
      "B-cos std-linear configs), mlp2 (ReLU MLP, hidden " + std::to_string(set.hidden) +
          "; mlp2-bnu on the B-cos backbone: bias-free, uncentered BatchNorm, as the paper's configs), "
          "bcos-mlp2 (B-cos MLP, hidden " + std::to_string(set.hidden) +
          "); CE, and BCE with off-label targets 1/C; the paper's coslr recipe (Adam lr 1e-3, linear warm-up, cosine) "
          "over " + std::to_string(set.probe_epochs) + " epochs, batch " + std::to_string(set.batch_size),
      "methods: every method that applies to a model (conventional backbone: gradient, ixg, ig, gradcam, gbp, lrp, "
      "lime; B-cos backbone: gradient, ixg, ig, gradcam, bcos, lime); IG " +
          std::to_string(setup["ig_steps"].get<int64_t>()) + " Gauss–Legendre steps (the paper's 50), LIME " +
          std::to_string(setup["lime_samples"].get<int64_t>()) +
          " samples (the paper's 500) on SLIC superpixels, probabilities as trained (sigmoid for BCE, softmax for CE)",
      "scoring: 5×5 mean filter for every method except IxG; IxG a Gaussian of " + std::to_string(kernel) +
          " taps, σ " + format("%.2f", static_cast<double>(kernel) / 4.0) + " (the paper's 129 taps / σ 32.25 scaled "
          "from 448 px grids to " + std::to_string(n * cell) + " px: largest odd k <= 129 · side / 448); then the "
          "positive part; GridPG = share inside the cell",
  });

  page.heading(2, "Time per stage");
  page.paragraph("Seconds of wall time; a stage reused from an earlier run takes almost none, and the last column "
                 "gives what making it took.");
  Table times{{"stage", "this run (s)", "status", "making it (s)"}, {}};
  double total = 0, made = 0;
  for (const Json& t : report["stages"]) {
    times.rows.push_back({t["stage"], format("%.0f", t["seconds"].get<double>()),
                          t["reused"].get<bool>() ? "reused" : "computed", format("%.0f", t["made_seconds"].get<double>())});
    total += t["seconds"].get<double>();
    made += t["made_seconds"].get<double>();
  }
  times.rows.push_back({"total", format("%.0f", total), "", format("%.0f", made)});
  page.table(times);

  page.heading(2, "Caveats");
  page.list({
      "A small-scale counterpart, not a reproduction: Fashion-MNIST (28 px grey images, 10 classes) instead of "
      "ImageNet, width-" + std::to_string(set.width) + " ResNet-18-small backbones trained for " +
          std::to_string(set.pretrain_epochs) + " epoch(s) instead of ResNet-50s pre-trained for 100–200 epochs, "
          "probes with hidden width " + std::to_string(set.hidden) + " (paper 2048) trained " +
          std::to_string(set.probe_epochs) + " epochs (paper 100).",
      "Grids of " + std::to_string(n * cell) + " px (paper 448 / 672 px): the 5×5 mean filter is relatively 8× "
      "larger here, and the IxG Gaussian is scaled down (see Settings).",
      "LIME: SLIC superpixels instead of quickshift, " + std::to_string(setup["lime_samples"].get<int64_t>()) +
          " samples" + (setup["lime_samples"].get<int64_t>() < 500 ? " instead of 500 to fit the time budget" : "") +
          "; one seeded sample set per explanation.",
      "The ReLU MLP probes add no logit bias (the paper's no-bias BCE MLP configs add −log(C−1), which changes "
      "sigmoid confidences but no gradient). LRP through the B-cos MLP probe: its "
      "convolutions get the Gamma rule and its B-cos scaling the plain gradient (zennit has no B-cos rule).",
      "Statistics: " + std::to_string(grids * n * n) + " cells per score and one seed; differences within about two "
          "standard errors (no *) are noise. The confident pool keeps only classes that all models classify "
          "confidently, so the grids draw from those classes alone.",
  });

  const std::string md = page.markdown();
  write_text((std::filesystem::path(set.out) / "report.md").string(), md);
  write_text((std::filesystem::path(set.out) / "report.html").string(), page.html("htp demo report"));
  write_json_file((std::filesystem::path(set.out) / "report.json").string(), report);
  return {Page::markdown_table(results_table(report)), s["statement"].get<std::string>()};
}

}  // namespace htp::app
