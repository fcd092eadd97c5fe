#include "nn/probed_classifier.h"

#include "tensor/error.h"

namespace htp::nn {

ProbedClassifier::ProbedClassifier(std::shared_ptr<ImageClassifier> backbone_, std::shared_ptr<Module> probe_)
    : backbone(std::move(backbone_)), probe(std::move(probe_)) {
  HTP_CHECK(backbone && probe, "ProbedClassifier: backbone and probe must both be given");
  register_module("backbone", backbone);
  register_module("probe", probe);
}

Variable ProbedClassifier::forward(const Variable& x) { return (*probe)(backbone->forward_features(x)); }

}  // namespace htp::nn
