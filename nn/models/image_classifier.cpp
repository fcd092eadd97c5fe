#include "nn/models/image_classifier.h"

#include <sstream>

namespace htp::nn {

ImageClassifier::ImageClassifier(int64_t classes, int64_t features) : num_classes(classes), num_features(features) {
  HTP_CHECK(classes >= 1, "ImageClassifier: num_classes must be positive, got ", classes);
}

Variable ImageClassifier::forward_features(const Variable& x, const std::string& stage) {
  const std::vector<std::string> stages = feature_stages();
  if (stage.empty()) return features(x, stages.size() - 1);
  for (size_t i = 0; i < stages.size(); ++i)
    if (stages[i] == stage) return features(x, i);
  std::ostringstream valid;
  for (size_t i = 0; i < stages.size(); ++i) valid << (i ? ", " : "") << stages[i];
  throw Error(type_name() + ".forward_features: unknown stage '" + stage + "'; valid stages: " + valid.str());
}

}  // namespace htp::nn
