// Energy pointing game evaluation of a model over a data set with boxes (paper.md §4.2; metrics/epg.h), the engine
// of `htp epg`. A source yields, per image, one case for every class present: the model input, the class and that
// class's boxes on the input's pixel grid. Every case is explained with every method, scored with
// metrics::energy_pointing_game, rounded to 2 decimals (the reference's round(x, 2)) and averaged.
//
// Sources:
//   voc_source    VOC 2007 (paper §4.2): the classes with a non-difficult object, each with the union of its
//                 non-difficult boxes; the pipeline resizes the image to S x S (aspect not kept). Boxes reach the map
//                 with the reference's integer rule, its [REF-QUIRK] included (metrics/epg.h: the file's 1-based xmin,
//                 ymin are used as is, so the first row and column of a box fall outside it):
//                 rescale_box(x0 + 1, y0 + 1, x1, y1, W, H, S, S), then clipped to the map as numpy slicing does.
//   grid_source   synthetic boxes from a single-label data set (MNIST, Fashion-MNIST), since no real VOC may be at
//                 hand: n x n grids of test images of n² distinct classes (metrics::build_grids with every test image
//                 of a class as its pool, no confidence filter; grid g draws from Philox(seed, g)), each cell's box
//                 the cell. The EPG of a cell is then the share of positive energy inside it (GridPG without the
//                 confident-image selection). n² must not exceed the classes (n <= 3 for 10 classes).
//
// Smoothing (metrics/postprocess.h, paper §4.2): Gaussian k = 129, sigma = 32.25 for ixg and ig, 5 x 5 mean otherwise.
// The Gaussian's reflect padding needs maps larger than 64 px: 28-px grids need n >= 3.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "apps/explain_model.h"
#include "apps/train_data.h"
#include "metrics/epg.h"

namespace htp::app {

struct EpgCase {
  Tensor image;                          // float32 [C, H, W]: the model input
  int64_t target;                        // the class explained
  std::vector<metrics::PixelBox> boxes;  // the class's boxes on the H x W grid
};

class EpgSource {
 public:
  virtual ~EpgSource() = default;
  virtual int64_t size() const = 0;  // images (VOC) or grids
  virtual int64_t num_classes() const = 0;
  virtual int64_t channels() const = 0;
  virtual std::string describe() const = 0;  // "voc2007:PATH test, 100 images"
  // The cases of image (or grid) `index`, its images passed through `pipeline` (a test pipeline: no randomness).
  virtual std::vector<EpgCase> cases(int64_t index, const data::Transform& pipeline) const = 0;
};

// `split`: open_split of a voc2007 spec (its limit already applied).
std::unique_ptr<EpgSource> voc_source(const DataSplit& split, const std::string& name);
// `split`: a single-label test split; `count` grids of grid_size x grid_size.
std::unique_ptr<EpgSource> grid_source(const DataSplit& split, const std::string& name, int64_t grid_size,
                                       int64_t count, uint64_t seed);

metrics::Smoothing epg_smoothing(const std::string& method);

struct EpgScore {
  std::string method;
  double mean = 0;    // over the cases, of the scores rounded to 2 decimals
  int64_t count = 0;  // cases
  double seconds = 0;
};

struct EpgOptions {
  std::vector<std::string> methods;
  int64_t batch_size = 8;  // cases per attribution call
  bool progress = false;
  std::string label;  // of the progress line
};

// One score per method, in the given order. The model must predict the source's classes from its channels (errors
// name the model's file).
std::vector<EpgScore> evaluate_epg(const ExplainableModel& model, const EpgSource& source,
                                   const data::Transform& pipeline, const EpgOptions& options);

}  // namespace htp::app
