// GridPG of trained models over a data set's test split (paper spec §4.1), shared by `htp gridpg` and `htp demo`.
//
//   1. predict         every model's class probabilities on the split (sigmoid for BCE-trained heads, softmax
//                      otherwise: ExplainableModel::sigmoid_confidence); models whose frozen backbones hold bitwise
//                      equal weights (probes of one backbone) share one feature pass
//   2. make_grid_set   the confident pool (metrics::confident_pool: correct and >= threshold for EVERY model, at most
//                      max_per_class per class — the paper compares models on images all of them classify
//                      confidently), metrics::build_grids, and the grid images: n × n cells of the split's images at
//                      the models' input size, raw values in [0, 1] (n · 28 px for the MNISTs; the backbones are
//                      fully convolutional with global pooling, so they take the larger image as it is)
//   3. evaluate_model  per method: for a chunk of grids, each grid encoded for the model (normalised, or [x, 1 − x]
//                      for B-cos) and replicated n² times with targets = the cells' classes, one batched attribute()
//                      call, channel sums, metrics::grid_pointing_game with gridpg_smoothing(method); the score is
//                      the nanmean over every cell of every grid
//
// Smoothing (gridpg_smoothing): the paper's 5×5 mean for every method except IxG, which gets a Gaussian. The
// paper's 129-tap Gaussian (σ 32.25) is meant for 448 px grids; Smoothing::gaussian_scaled scales it with the grid's
// side (k = 15, σ = 3.75 at 56 px; exactly 129 / 32.25 at 448 px; metrics/postprocess.h).
// Methods are made by make_model_method (apps/explain_method.h: LRP's ZBox bounds from the model's input
// normalisation, LIME's probabilities as the model was trained) with method_options: `lime_samples` LIME samples and
// `ig_steps` IG steps. GradCAM takes its default layer, which resolves inside "backbone." of a probed model.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "apps/explain_model.h"
#include "apps/train_data.h"
#include "metrics/grid_selection.h"
#include "metrics/postprocess.h"
#include "xai/attribution.h"

namespace htp::app {

struct GridPgOptions {
  int64_t grid_size = 2;
  int64_t grids = 50;
  uint64_t seed = 0;
  double threshold = 0.95;
  int64_t max_per_class = 100;
  int64_t lime_samples = 500;  // the paper's
  int64_t ig_steps = 50;       // the paper's
  int64_t examples = 0;        // the first `examples` grids keep their maps (figures)
  int64_t batch_grids = 8;     // grids per attribute() call
  int64_t batch_size = 256;    // images per forward pass in predict()
  int workers = 1;
  bool progress = true;
};

struct Predictions {
  std::vector<Tensor> probabilities;  // per model: float32 [N, K]
  std::vector<double> top1;           // per model: accuracy of the argmax
  Tensor labels;                      // int64 [N]
};

struct GridSet {
  int64_t grid_size = 0, cell_size = 0;
  std::vector<metrics::GridSpec> specs;
  std::vector<Tensor> images;            // per grid: float32 [C, n · cell, n · cell], values in [0, 1]
  std::vector<int64_t> pool_per_class;   // confident images per class
};

struct MethodGridPg {
  std::string method;
  std::vector<double> cells;     // GridPG of every cell of every grid (grid-major, row-major cells)
  double mean = 0;               // nanmean of cells: the paper's score
  double seconds = 0;            // attribution and scoring time
  std::vector<Tensor> examples;  // maps [n², H, W] (channel sums, signed) of the first options.examples grids
};

// The models' input size (their training size; the data set's default for plain weights); all must agree.
int64_t common_image_size(const std::vector<const ExplainableModel*>& models, const DataSpec& data);

Predictions predict(const std::vector<const ExplainableModel*>& models, const DataSplit& split, const DataSpec& data,
                    const GridPgOptions& options);

// Throws when fewer than grid_size² classes have confident images.
GridSet make_grid_set(const Predictions& predictions, const DataSplit& split, const DataSpec& data, int64_t cell_size,
                      const GridPgOptions& options);

// The model's input for a raw image [C, H, W] in [0, 1]: (x − mean) / std per channel, or [x, 1 − x] for B-cos.
Tensor encode_image(const ExplainableModel& model, const Tensor& raw);

metrics::Smoothing gridpg_smoothing(const std::string& method);
xai::MethodOptions method_options(const std::string& method, const GridPgOptions& options);

// Every method on every grid; `label` names the model on its progress bar.
std::vector<MethodGridPg> evaluate_model(const ExplainableModel& model, const std::vector<std::string>& methods,
                                         const GridSet& grids, const GridPgOptions& options, const std::string& label);

}  // namespace htp::app
