#include "apps/gridpg_eval.h"

#include <chrono>
#include <cmath>
#include <cstring>

#include "apps/explain_method.h"
#include "apps/train_options.h"
#include "apps/train_progress.h"
#include "autograd/grad_mode.h"
#include "kernels/binary.h"
#include "kernels/index.h"
#include "kernels/reduce.h"
#include "kernels/softmax.h"
#include "kernels/unary.h"
#include "metrics/aggregate.h"
#include "metrics/gridpg.h"
#include "tensor/creation.h"
#include "tensor/error.h"

namespace htp::app {
namespace {

bool same_weights(nn::Module& a, nn::Module& b) {
  const nn::StateDict sa = a.state_dict(), sb = b.state_dict();
  if (sa.size() != sb.size()) return false;
  for (const auto& [name, t] : sa) {
    auto it = sb.find(name);
    if (it == sb.end() || it->second.dtype() != t.dtype() || it->second.shape() != t.shape()) return false;
    const Tensor x = t.to(Device::cpu()).contiguous(), y = it->second.to(Device::cpu()).contiguous();
    if (std::memcmp(x.raw_data(), y.raw_data(), static_cast<size_t>(x.numel() * x.element_size())) != 0) return false;
  }
  return true;
}

// Models that can share one feature pass: probes whose backbones hold the same weights and take the same input
// encoding. Indices into `models`.
std::vector<std::vector<size_t>> backbone_groups(const std::vector<const ExplainableModel*>& models) {
  std::vector<std::vector<size_t>> groups;
  for (size_t i = 0; i < models.size(); ++i) {
    bool placed = false;
    for (std::vector<size_t>& g : groups) {
      const ExplainableModel& first = *models[g.front()];
      if (first.probe && models[i]->probe &&
          first.backbone.encoding.to_json() == models[i]->backbone.encoding.to_json() &&
          same_weights(*first.backbone.model, *models[i]->backbone.model)) {
        g.push_back(i);
        placed = true;
        break;
      }
    }
    if (!placed) groups.push_back({i});
  }
  return groups;
}

}  // namespace

int64_t common_image_size(const std::vector<const ExplainableModel*>& models, const DataSpec& data) {
  HTP_CHECK(!models.empty(), "gridpg: no models given");
  int64_t size = 0;
  for (const ExplainableModel* m : models) {
    const int64_t s = resolve_image_size(data, m->backbone.image_size);
    HTP_CHECK(size == 0 || s == size, "gridpg: the models were trained at different image sizes (", size, " and ", s,
              " px); compare models of one size");
    size = s;
  }
  return size;
}

Predictions predict(const std::vector<const ExplainableModel*>& models, const DataSplit& split, const DataSpec& data,
                    const GridPgOptions& options) {
  HTP_CHECK(!split.multi_label, "gridpg: the grid pointing game needs single-label data, and ", data.str(),
            " is multi-label");
  for (const ExplainableModel* m : models)
    HTP_CHECK(m->num_classes == split.num_classes(), "gridpg: ", m->description(), " has ", m->num_classes,
              " classes but ", data.str(), " has ", split.num_classes());
  const int64_t size = common_image_size(models, data), N = split.dataset->size();
  std::vector<Tensor> logits(models.size());
  Tensor labels;
  NoGradGuard no_grad;
  for (const std::vector<size_t>& group : backbone_groups(models)) {
    const ExplainableModel& first = *models[group.front()];
    auto loader = make_loader(split.dataset, make_pipeline(data, first.backbone.encoding, size, false, "none"),
                              options.batch_size, false, 0, options.workers);
    ProgressBar bar(detail::concat("  predict ", split.split, " (", first.backbone.spec.arch, ", ", group.size(),
                                   group.size() == 1 ? " model)" : " models)"),
                    N, options.progress);
    std::vector<std::vector<Tensor>> parts(group.size());
    std::vector<Tensor> label_parts;
    int64_t seen = 0;
    loader->start_epoch(0);
    while (std::optional<data::Batch> batch = loader->next()) {
      const Variable x(batch->images);
      if (first.probe) {
        const Variable features = first.backbone.model->forward_features(x);
        for (size_t j = 0; j < group.size(); ++j) parts[j].push_back((*models[group[j]]->probe)(features).data());
      } else {
        parts[0].push_back((*first.model)(x).data());
      }
      label_parts.push_back(batch->labels);
      seen += batch->images.size(0);
      bar.update(seen, NAN);
    }
    bar.finish(NAN);
    for (size_t j = 0; j < group.size(); ++j) logits[group[j]] = kernels::cat(parts[j], 0).to(Device::cpu());
    if (!labels.defined()) labels = kernels::cat(label_parts, 0);
  }
  Predictions p;
  p.labels = labels;
  for (size_t i = 0; i < models.size(); ++i) {
    p.probabilities.push_back(models[i]->sigmoid_confidence() ? kernels::sigmoid(logits[i])
                                                              : kernels::softmax(logits[i], 1));
    const Tensor correct = kernels::eq(kernels::argmax(logits[i], 1), labels).to(DType::f64);
    p.top1.push_back(kernels::mean(correct).item<double>());
  }
  return p;
}

GridSet make_grid_set(const Predictions& predictions, const DataSplit& split, const DataSpec& data, int64_t cell_size,
                      const GridPgOptions& options) {
  const int64_t n = options.grid_size;
  HTP_CHECK(n >= 1 && options.grids >= 1, "gridpg: the grid size and the number of grids must be positive, got ", n,
            " and ", options.grids);
  const std::vector<std::vector<int64_t>> pools = metrics::confident_pool(
      predictions.probabilities, predictions.labels, {options.threshold, options.max_per_class});
  GridSet set;
  set.grid_size = n;
  set.cell_size = cell_size;
  int64_t classes = 0;
  for (const std::vector<int64_t>& pool : pools) {
    set.pool_per_class.push_back(static_cast<int64_t>(pool.size()));
    classes += pool.empty() ? 0 : 1;
  }
  HTP_CHECK(classes >= n * n, "gridpg: only ", classes, " classes have ", split.split,
            " images that every model classifies correctly with probability >= ", options.threshold, "; a ", n, "x", n,
            " grid needs ", n * n, " (lower the threshold, or train the models longer)");
  set.specs = metrics::build_grids(pools, n, options.grids, options.seed);
  const data::TransformPtr pipeline = make_pipeline(data, InputEncoding{true, {}, {}}, cell_size, false, "none");
  for (const metrics::GridSpec& spec : set.specs) {
    Tensor grid;
    for (int64_t k = 0; k < n * n; ++k) {
      const int64_t index = spec.images[static_cast<size_t>(k)];
      data::SampleRng rng(0, 0, static_cast<uint64_t>(index));
      const Tensor cell = (*pipeline)(split.dataset->get(index), rng).image;  // float32 [C, cell, cell] in [0, 1]
      if (!grid.defined()) grid = zeros({cell.size(0), n * cell_size, n * cell_size});
      grid.narrow(1, k / n * cell_size, cell_size).narrow(2, k % n * cell_size, cell_size).copy_(cell);
    }
    set.images.push_back(grid);
  }
  return set;
}

Tensor encode_image(const ExplainableModel& model, const Tensor& raw) {
  const InputEncoding& e = model.backbone.encoding;
  if (e.bcos) return kernels::cat({raw, kernels::add(kernels::neg(raw), 1.0)}, 0);
  HTP_CHECK(static_cast<int64_t>(e.mean.size()) == raw.size(0), "gridpg: ", model.description(), " normalises ",
            e.mean.size(), " channels but the images have ", raw.size(0));
  std::vector<Tensor> planes;
  for (int64_t c = 0; c < raw.size(0); ++c)
    planes.push_back(kernels::div(kernels::sub(raw.narrow(0, c, 1), e.mean[static_cast<size_t>(c)]),
                                  e.std[static_cast<size_t>(c)]));
  return kernels::cat(planes, 0);
}

metrics::Smoothing gridpg_smoothing(const std::string& method) {
  return method == "ixg" ? metrics::Smoothing::gaussian_scaled : metrics::Smoothing::mean_5x5;
}

xai::MethodOptions method_options(const std::string& method, const GridPgOptions& options) {
  xai::MethodOptions o;
  if (method == "lime") o.set("samples", std::to_string(options.lime_samples));
  if (method == "ig") {
    o.set("steps", std::to_string(options.ig_steps));
    // The internal batch does not change the result (xai/integrated_gradients.h); 128 inputs per pass keep both
    // cores busy on small images (twice as fast as 16 at 56 px; about 1 GB with a B-cos backbone).
    o.set("batch", "128");
  }
  return o;
}

std::vector<MethodGridPg> evaluate_model(const ExplainableModel& model, const std::vector<std::string>& methods,
                                         const GridSet& grids, const GridPgOptions& options, const std::string& label) {
  const int64_t n = grids.grid_size, cells = n * n, count = static_cast<int64_t>(grids.specs.size());
  HTP_CHECK(options.batch_grids >= 1, "gridpg: batch_grids must be positive");
  ProgressBar bar("  gridpg " + label, count * static_cast<int64_t>(methods.size()), options.progress);
  std::vector<MethodGridPg> results;
  int64_t done = 0;
  for (const std::string& name : methods) {
    const auto start = std::chrono::steady_clock::now();
    std::unique_ptr<xai::AttributionMethod> method = make_model_method(model, name, method_options(name, options));
    MethodGridPg r;
    r.method = name;
    for (int64_t first = 0; first < count; first += options.batch_grids) {
      const int64_t chunk = std::min(options.batch_grids, count - first);
      std::vector<Tensor> inputs;
      std::vector<int64_t> targets;
      for (int64_t g = first; g < first + chunk; ++g) {
        const Tensor x = encode_image(model, grids.images[static_cast<size_t>(g)]);
        for (int64_t k = 0; k < cells; ++k) {
          inputs.push_back(x);
          targets.push_back(grids.specs[static_cast<size_t>(g)].classes[static_cast<size_t>(k)]);
        }
      }
      const Tensor maps =
          xai::channel_sum(method->attribute(*model.model, kernels::stack(inputs, 0), targets)).to(Device::cpu());
      for (int64_t g = first; g < first + chunk; ++g) {
        const Tensor grid_maps = maps.narrow(0, (g - first) * cells, cells);
        const metrics::GridPgScores s = metrics::grid_pointing_game(grid_maps, n, gridpg_smoothing(name));
        r.cells.insert(r.cells.end(), s.cells.begin(), s.cells.end());
        if (g < options.examples) r.examples.push_back(grid_maps.contiguous().clone());
      }
      done += chunk;
      bar.update(done, NAN);
    }
    r.mean = metrics::nanmean(r.cells);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    results.push_back(std::move(r));
  }
  bar.finish(NAN);
  return results;
}

}  // namespace htp::app
