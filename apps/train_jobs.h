// The two training jobs of apps/train_loop.h:
//
//   PretrainJob   a whole model (backbone + its head), trained end to end: logits = model(images)
//   ProbeJob      a probe (nn/probes.h) on a frozen backbone: features = backbone.forward_features(images) in eval
//                 mode under NoGradGuard (no graph, no gradients, BN running statistics untouched), then
//                 logits = probe(features). With cached features the loaders yield the precomputed feature maps
//                 (extract_features) instead of images, and the backbone is not run during training at all.
//
// extract_features runs a backbone over an unshuffled loader once and returns a FeatureDataset-ready pair
// (features float32 [N, C, h, w], labels) in the data set's order. A FeatureCache keeps such pairs for several probe
// runs in one process (htp demo trains six probes on each backbone): `htp probe` looks its features up by a key of
// everything that decides them and computes them only when missing.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "apps/train_eval.h"
#include "apps/train_loop.h"
#include "nn/models.h"

namespace htp::app {

class PretrainJob : public TrainJob {
 public:
  PretrainJob(std::shared_ptr<nn::ImageClassifier> model, LossSpec loss, EvalSet test);
  std::string kind() const override { return "pretrain"; }
  void train_mode() override { model_->train(); }
  Variable loss(const data::Batch& batch) override;
  EvalResult evaluate(bool progress) override;
  std::vector<std::pair<std::string, nn::StateDict>> weights() const override;
  void load_weights(const Checkpoint& checkpoint) override;
  void on_checkpoint(const std::string& out_dir) override;  // writes model.safetensors (plain names)

 private:
  std::shared_ptr<nn::ImageClassifier> model_;
  LossSpec loss_;
  EvalSet test_;
};

class ProbeJob : public TrainJob {
 public:
  // cached: the loaders (training and `test`) yield feature maps rather than images.
  ProbeJob(std::shared_ptr<nn::ImageClassifier> backbone, std::shared_ptr<nn::Module> probe, LossSpec loss,
           EvalSet test, bool cached);
  std::string kind() const override { return "probe"; }
  void train_mode() override;
  Variable loss(const data::Batch& batch) override;
  EvalResult evaluate(bool progress) override;
  std::vector<std::pair<std::string, nn::StateDict>> weights() const override;
  void load_weights(const Checkpoint& checkpoint) override;

 private:
  Variable features(const Tensor& inputs) const;

  std::shared_ptr<nn::ImageClassifier> backbone_;
  std::shared_ptr<nn::Module> probe_;
  LossSpec loss_;
  EvalSet test_;
  bool cached_;
};

// The backbone (eval mode) over every sample of an unshuffled loader: features [N, C, h, w] and labels (int64 [N] or
// float32 [N, K]).
std::pair<Tensor, Tensor> extract_features(nn::ImageClassifier& backbone, data::Loader& loader, int64_t samples,
                                           const std::string& label, bool progress);

struct FeatureCache {
  std::map<std::string, std::pair<Tensor, Tensor>> entries;  // key (see run_probe_cached) -> (features, labels)
};

}  // namespace htp::app
