#include "apps/train_jobs.h"

#include "apps/train_progress.h"
#include "autograd/grad_mode.h"
#include "kernels/index.h"
#include "nn/safetensors.h"
#include "tensor/error.h"

namespace htp::app {
namespace {

void load_section(nn::Module& module, const Checkpoint& checkpoint, const std::string& prefix) {
  try {
    module.load_state_dict(checkpoint.section(prefix));
  } catch (const Error& e) {
    throw Error("checkpoint '" + checkpoint.path + "', " + prefix + ": " + e.what());
  }
}

}  // namespace

PretrainJob::PretrainJob(std::shared_ptr<nn::ImageClassifier> model, LossSpec loss, EvalSet test)
    : model_(std::move(model)), loss_(std::move(loss)), test_(std::move(test)) {}

Variable PretrainJob::loss(const data::Batch& batch) {
  return compute_loss(loss_, (*model_)(Variable(batch.images)), batch.labels);
}

EvalResult PretrainJob::evaluate(bool progress) {
  model_->eval();
  return app::evaluate(
      test_, [this](const Tensor& x) { return (*model_)(Variable(x)); }, loss_, progress);
}

std::vector<std::pair<std::string, nn::StateDict>> PretrainJob::weights() const {
  return {{"model", model_->state_dict()}};
}

void PretrainJob::load_weights(const Checkpoint& checkpoint) { load_section(*model_, checkpoint, "model"); }

void PretrainJob::on_checkpoint(const std::string& out_dir) {
  nn::save_safetensors(out_dir + "/model.safetensors", model_->state_dict());
}

ProbeJob::ProbeJob(std::shared_ptr<nn::ImageClassifier> backbone, std::shared_ptr<nn::Module> probe, LossSpec loss,
                   EvalSet test, bool cached)
    : backbone_(std::move(backbone)),
      probe_(std::move(probe)),
      loss_(std::move(loss)),
      test_(std::move(test)),
      cached_(cached) {
  backbone_->eval();
  backbone_->freeze();
}

void ProbeJob::train_mode() {
  backbone_->eval();
  probe_->train();
}

Variable ProbeJob::features(const Tensor& inputs) const {
  if (cached_) return Variable(inputs);
  NoGradGuard no_grad;
  return Variable(backbone_->forward_features(Variable(inputs)).data());
}

Variable ProbeJob::loss(const data::Batch& batch) {
  return compute_loss(loss_, (*probe_)(features(batch.images)), batch.labels);
}

EvalResult ProbeJob::evaluate(bool progress) {
  backbone_->eval();
  probe_->eval();
  return app::evaluate(
      test_, [this](const Tensor& x) { return (*probe_)(features(x)); }, loss_, progress);
}

std::vector<std::pair<std::string, nn::StateDict>> ProbeJob::weights() const {
  return {{"backbone", backbone_->state_dict()}, {"probe", probe_->state_dict()}};
}

void ProbeJob::load_weights(const Checkpoint& checkpoint) {
  load_section(*backbone_, checkpoint, "backbone");
  load_section(*probe_, checkpoint, "probe");
}

std::pair<Tensor, Tensor> extract_features(nn::ImageClassifier& backbone, data::Loader& loader, int64_t samples,
                                           const std::string& label, bool progress) {
  backbone.eval();
  NoGradGuard no_grad;
  std::vector<Tensor> features, labels;
  ProgressBar bar("  features " + label, samples, progress);
  int64_t seen = 0;
  loader.start_epoch(0);
  while (std::optional<data::Batch> batch = loader.next()) {
    features.push_back(backbone.forward_features(Variable(batch->images)).data().to(Device::cpu()).contiguous());
    labels.push_back(batch->labels);
    seen += batch->images.size(0);
    bar.update(seen, NAN);
  }
  bar.finish(NAN);
  HTP_CHECK(seen == samples, "extract_features: the loader gave ", seen, " samples, expected ", samples);
  return {kernels::cat(features, 0), kernels::cat(labels, 0)};
}

}  // namespace htp::app
