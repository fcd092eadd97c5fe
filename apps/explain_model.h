// Loading a trained model for explanation: a pretrain checkpoint (backbone + its own head), a probe checkpoint
// (frozen backbone + probe, composed as nn::ProbedClassifier), or plain weights with --arch. The result is one
// module mapping encoded images to logits, in eval mode with every parameter frozen (attribution methods take
// gradients with respect to the input only), plus what the commands need to feed and describe it.
//
//   ExplainableModel m = load_explainable("runs/demo/resnet18-small-linear-bce", "", parse_data_spec("fashion-mnist"));
//   Tensor logits = (*m.model)(Variable(x)).data();
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "apps/train_backbone.h"
#include "apps/train_eval.h"

namespace htp::app {

struct ExplainableModel {
  std::shared_ptr<nn::Module> model;  // images (encoded as backbone.encoding says) -> logits [N, K]
  LoadedBackbone backbone;            // spec, input encoding, training data and image size
  std::shared_ptr<nn::Module> probe;  // null for a pretrain checkpoint or plain weights
  std::string probe_kind;             // "" without a probe
  std::string kind = "weights";       // what was read: "pretrain" or "probe" checkpoint, or plain "weights"
  LossSpec loss;                      // the loss it was trained with (ce for plain weights)
  int64_t num_classes = 0;

  bool bcos() const { return backbone.spec.bcos(); }
  // How class probabilities are read for the confidence threshold of the grids (paper spec §8 item 12): sigmoid for
  // BCE-trained heads (B-cos backbones are pre-trained with BCE too), softmax for CE-trained ones.
  bool sigmoid_confidence() const { return loss.kind == "bce"; }
  std::string description() const;  // e.g. "resnet18-small + linear probe (bce)"
};

// `data` gives the input encoding of plain weights (checkpoints store theirs).
ExplainableModel load_explainable(const std::string& file_or_dir, const std::string& arch, const DataSpec& data);

// The attribution methods that apply to a model, in report order: every model gets gradient, ixg, ig, gradcam and
// lime; conventional (ReLU) backbones add gbp and lrp (their rules assume ReLU / BN-conv stacks); B-cos backbones add
// bcos (the contribution maps need a B-cos model in explanation mode).
std::vector<std::string> applicable_methods(const ExplainableModel& model);

}  // namespace htp::app
