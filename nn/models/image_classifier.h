// ImageClassifier: the interface every model of nn/models shares, so that probes, attribution methods and the
// command-line tool can treat ResNets and ViTs (conventional and B-cos) alike.
//
//   forward(x)                    the logits [N, num_classes]
//   forward_features(x, stage)    the output of a named stage, computing nothing after it; the default (an empty
//                                 name) is the last of feature_stages(): the probe input of paper.md §2.2–2.3
//                                 (ResNets: "layer4" [N, C, h, w]; ViT: "norm", the normed tokens [N, 1 + T, D];
//                                 B-cos ViT: the last encoder's tokens [N, T, D])
//   num_features                  channels / width of the default stage's output (2048 for ResNet-50, D for a ViT)
#pragma once
#include <string>
#include <vector>

#include "nn/module.h"

namespace htp::nn {

class ImageClassifier : public Module {
 public:
  Variable forward_features(const Variable& x, const std::string& stage = "");
  virtual std::vector<std::string> feature_stages() const = 0;  // in forward order; the last is the default

  const int64_t num_classes, num_features;

 protected:
  ImageClassifier(int64_t num_classes, int64_t num_features);
  // x through stage `index` of feature_stages() (validated by forward_features).
  virtual Variable features(const Variable& x, size_t index) = 0;
};

}  // namespace htp::nn
