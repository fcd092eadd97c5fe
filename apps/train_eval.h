// Losses and evaluation of the training commands.
//
// Loss (paper §2.5): "ce" is softmax cross-entropy (single-label data only); "bce" is the mean over all N·C entries of
// binary cross-entropy with logits against targets max(one_hot or multi_hot, off). Which `off` (make_loss):
//   pretraining, single-label    1/C for a B-cos model (B-cos training), 0 for a conventional one (the "stdhead" BCE)
//   probing, single-label        1/C (UniformOffLabelsBCEWithLogitsLoss: every ImageNet BCE probe of the paper)
//   multi-label (VOC, COCO)      1/C for a B-cos head, 0 for a conventional head
//
// evaluate() runs a model over a loader without recording a graph and collects its logits: single-label data gives
// top-1 / top-5 accuracy and per-class accuracy, multi-label data the mAP and per-class AP (apps/train_metrics.h);
// both give the mean loss.
#pragma once
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "apps/train_log.h"
#include "apps/train_metrics.h"
#include "autograd/variable.h"
#include "data/loader.h"

namespace htp::app {

struct LossSpec {
  std::string kind = "ce";  // ce or bce
  double off = 0.0;         // bce only
  Json to_json() const;
  static LossSpec from_json(const Json& j);
};

enum class LossContext { pretrain, probe };
// Checks the kind against the data (ce needs single-label data) and picks `off` as above.
LossSpec make_loss(const std::string& kind, LossContext context, bool multi_label, bool bcos_head, int64_t num_classes);
// labels: int64 [N] (single-label) or float32 [N, C] multi-hot.
Variable compute_loss(const LossSpec& loss, const Variable& logits, const Tensor& labels);

struct EvalResult {
  std::string split;
  bool multi_label = false;
  int64_t samples = 0;
  double loss = 0;
  TopKResult accuracy;  // single-label
  MapResult map;        // multi-label
  std::vector<std::string> class_names;

  std::string metric_name() const { return multi_label ? "mAP" : "top1"; }
  double metric() const { return multi_label ? map.map : accuracy.top1; }
  Json to_json() const;  // metrics only (per-class lists included)
  void print_table(std::ostream& os) const;
};

// What to evaluate on: an unshuffled loader over `samples` samples of a split, with the split's class names and, for
// multi-label data, its ignore flags [N, C] (or undefined).
struct EvalSet {
  std::shared_ptr<data::Loader> loader;
  int64_t samples = 0;
  std::string split;
  std::vector<std::string> class_names;
  Tensor ignore;
};

// logits_of(images) -> logits [B, C]; called under NoGradGuard.
EvalResult evaluate(const EvalSet& set, const std::function<Variable(const Tensor&)>& logits_of, const LossSpec& loss,
                    bool progress);

}  // namespace htp::app
