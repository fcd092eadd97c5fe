// A frozen backbone with a probe on its features, as one module (paper §2.3: the probe sees the backbone's last
// feature map): logits = probe(backbone.forward_features(x)).
//
// Unlike training (apps/train_jobs.h runs the backbone under NoGradGuard), this forward keeps the whole graph, so
// attribution methods differentiate the probe's logit down to the image. Children are registered as "backbone" and
// "probe", so module paths read backbone.layer4.1.conv2 or probe.fc0.
#pragma once
#include <memory>

#include "nn/models.h"

namespace htp::nn {

class ProbedClassifier : public Module {
 public:
  ProbedClassifier(std::shared_ptr<ImageClassifier> backbone, std::shared_ptr<Module> probe);
  std::string type_name() const override { return "ProbedClassifier"; }
  Variable forward(const Variable& x) override;

  std::shared_ptr<ImageClassifier> backbone;
  std::shared_ptr<Module> probe;
};

}  // namespace htp::nn
