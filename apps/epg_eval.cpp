#include "apps/epg_eval.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <set>

#include "apps/explain_method.h"
#include "apps/train_progress.h"
#include "data/sample_rng.h"
#include "metrics/aggregate.h"
#include "metrics/grid_selection.h"
#include "tensor/creation.h"
#include "tensor/error.h"

namespace htp::app {
namespace {

// A test-pipeline sample: the pipelines draw no random numbers, so the stream is only a formality.
data::Sample transformed(data::Sample sample, const data::Transform& pipeline, int64_t index) {
  data::SampleRng rng(0, 0, static_cast<uint64_t>(index));
  data::Sample out = pipeline(std::move(sample), rng);
  HTP_CHECK(out.image.dim() == 3 && out.image.dtype() == DType::f32, "epg: the pipeline gave ", out.image.describe(),
            "; expected a float32 image [C, H, W]");
  return out;
}

class VocSource : public EpgSource {
 public:
  VocSource(const DataSplit& split, std::string name) : split_(split), name_(std::move(name)) {}
  int64_t size() const override { return split_.dataset->size(); }
  int64_t num_classes() const override { return split_.num_classes(); }
  int64_t channels() const override { return split_.channels; }
  std::string describe() const override {
    return name_ + " " + split_.split + ", " + std::to_string(size()) + " images";
  }

  std::vector<EpgCase> cases(int64_t index, const data::Transform& pipeline) const override {
    data::Sample raw = split_.dataset->get(index);
    const int64_t H = raw.image.size(1), W = raw.image.size(2);
    const std::vector<data::Box> boxes = raw.boxes;
    const Tensor image = transformed(std::move(raw), pipeline, index).image;
    const int64_t h = image.size(1), w = image.size(2);
    std::set<int64_t> classes;
    for (const data::Box& b : boxes) classes.insert(b.label);
    std::vector<EpgCase> out;
    for (int64_t c : classes) {
      EpgCase item{image, c, {}};
      for (const data::Box& b : boxes) {
        if (b.label != c) continue;
        metrics::PixelBox p = metrics::rescale_box(b.x0 + 1, b.y0 + 1, b.x1, b.y1, W, H, w, h);
        p.x0 = std::clamp<int64_t>(p.x0, 0, w);
        p.y0 = std::clamp<int64_t>(p.y0, 0, h);
        p.x1 = std::clamp<int64_t>(p.x1, p.x0, w);
        p.y1 = std::clamp<int64_t>(p.y1, p.y0, h);
        item.boxes.push_back(p);
      }
      out.push_back(std::move(item));
    }
    return out;
  }

 private:
  DataSplit split_;
  std::string name_;
};

class GridSource : public EpgSource {
 public:
  GridSource(const DataSplit& split, std::string name, int64_t grid_size, int64_t count, uint64_t seed)
      : split_(split), name_(std::move(name)), n_(grid_size), seed_(seed) {
    HTP_CHECK(!split.multi_label, "epg: synthetic grids need a single-label data set, not ", name_);
    std::vector<std::vector<int64_t>> pools(static_cast<size_t>(split.num_classes()));
    for (int64_t i = 0; i < split.dataset->size(); ++i)
      pools[static_cast<size_t>(split.dataset->get(i).label)].push_back(i);
    grids_ = metrics::build_grids(pools, grid_size, count, seed);
  }
  int64_t size() const override { return static_cast<int64_t>(grids_.size()); }
  int64_t num_classes() const override { return split_.num_classes(); }
  int64_t channels() const override { return split_.channels; }
  std::string describe() const override {
    return name_ + " " + split_.split + ", " + std::to_string(size()) + " grids of " + std::to_string(n_) + "x" +
           std::to_string(n_) + " (seed " + std::to_string(seed_) + ")";
  }

  std::vector<EpgCase> cases(int64_t index, const data::Transform& pipeline) const override {
    const metrics::GridSpec& grid = grids_[static_cast<size_t>(index)];
    Tensor tiled;
    int64_t h = 0, w = 0;
    for (int64_t k = 0; k < n_ * n_; ++k) {
      const int64_t image_index = grid.images[static_cast<size_t>(k)];
      const Tensor cell = transformed(split_.dataset->get(image_index), pipeline, image_index).image;
      if (k == 0) {
        h = cell.size(1);
        w = cell.size(2);
        tiled = empty({cell.size(0), n_ * h, n_ * w});
      }
      tiled.narrow(1, (k / n_) * h, h).narrow(2, (k % n_) * w, w).copy_(cell);
    }
    std::vector<EpgCase> out;
    for (int64_t k = 0; k < n_ * n_; ++k) {
      const int64_t r = k / n_, c = k % n_;
      out.push_back({tiled, grid.classes[static_cast<size_t>(k)], {{c * w, r * h, (c + 1) * w, (r + 1) * h}}});
    }
    return out;
  }

 private:
  DataSplit split_;
  std::string name_;
  int64_t n_;
  uint64_t seed_;
  std::vector<metrics::GridSpec> grids_;
};

// The images of the first `count` cases as a batch [count, C, H, W].
Tensor stack_images(const std::vector<EpgCase>& cases, size_t count) {
  const Tensor& first = cases[0].image;
  Tensor x = empty({static_cast<int64_t>(count), first.size(0), first.size(1), first.size(2)});
  for (size_t i = 0; i < count; ++i) x.select(0, static_cast<int64_t>(i)).copy_(cases[i].image);
  return x;
}

}  // namespace

std::unique_ptr<EpgSource> voc_source(const DataSplit& split, const std::string& name) {
  return std::make_unique<VocSource>(split, name);
}

std::unique_ptr<EpgSource> grid_source(const DataSplit& split, const std::string& name, int64_t grid_size,
                                       int64_t count, uint64_t seed) {
  return std::make_unique<GridSource>(split, name, grid_size, count, seed);
}

metrics::Smoothing epg_smoothing(const std::string& method) {
  return method == "ixg" || method == "ig" ? metrics::Smoothing::gaussian_129 : metrics::Smoothing::mean_5x5;
}

std::vector<EpgScore> evaluate_epg(const ExplainableModel& model, const EpgSource& source,
                                   const data::Transform& pipeline, const EpgOptions& options) {
  const std::string& file = model.backbone.source;
  HTP_CHECK(model.num_classes == source.num_classes(), "epg: '", file, "' predicts ", model.num_classes,
            " classes but ", source.describe(), " has ", source.num_classes());
  HTP_CHECK(model.backbone.spec.in_channels == source.channels(), "epg: '", file, "' takes ",
            model.backbone.spec.in_channels, "-channel images but ", source.describe(), " has ", source.channels());
  HTP_CHECK(options.batch_size >= 1, "epg: the batch size must be >= 1, got ", options.batch_size);
  std::vector<std::unique_ptr<xai::AttributionMethod>> methods;
  std::vector<EpgScore> scores;
  for (const std::string& name : options.methods) {
    methods.push_back(make_model_method(model, name));
    scores.push_back({name, 0, 0, 0});
  }
  std::vector<std::vector<double>> values(methods.size());
  bool size_checked = false;

  // Explains and scores the first `count` pending cases with every method.
  auto run_batch = [&](const std::vector<EpgCase>& cases, size_t count) {
    const Tensor x = stack_images(cases, count);
    if (!size_checked) {
      for (const std::string& name : options.methods)
        HTP_CHECK(epg_smoothing(name) != metrics::Smoothing::gaussian_129 || std::min(x.size(2), x.size(3)) > 64,
                  "epg: ", name,
                  " is scored after a Gaussian blur of 129 px (paper §4.2), which needs maps larger "
                  "than 64 px, but ",
                  source.describe(), " gives ", x.size(2), "x", x.size(3),
                  " (use a larger --grid-size or --image-size)");
      size_checked = true;
    }
    std::vector<int64_t> targets;
    for (size_t i = 0; i < count; ++i) targets.push_back(cases[i].target);
    for (size_t m = 0; m < methods.size(); ++m) {
      const auto start = std::chrono::steady_clock::now();
      const Tensor maps = xai::channel_sum(methods[m]->attribute(*model.model, x, targets));
      for (size_t i = 0; i < count; ++i) {
        const double epg = metrics::energy_pointing_game(maps.select(0, static_cast<int64_t>(i)), cases[i].boxes,
                                                         epg_smoothing(options.methods[m]));
        values[m].push_back(metrics::round_decimals(epg, 2));
      }
      scores[m].seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  };

  // Cases of consecutive images are pooled until a batch is full (the last batch takes what is left).
  ProgressBar bar(options.label, source.size(), options.progress);
  std::vector<EpgCase> pending;
  const size_t batch = static_cast<size_t>(options.batch_size);
  for (int64_t i = 0; i < source.size(); ++i) {
    for (EpgCase& c : source.cases(i, pipeline)) pending.push_back(std::move(c));
    const bool last = i + 1 == source.size();
    while (pending.size() >= batch || (last && !pending.empty())) {
      const size_t n = std::min(batch, pending.size());
      run_batch(pending, n);
      pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(n));
    }
    bar.update(i + 1, std::numeric_limits<double>::quiet_NaN());
  }
  bar.finish(std::numeric_limits<double>::quiet_NaN());

  for (size_t m = 0; m < methods.size(); ++m) {
    scores[m].count = static_cast<int64_t>(values[m].size());
    scores[m].mean = metrics::nanmean(values[m]);
  }
  return scores;
}

}  // namespace htp::app
