// A trained backbone from disk, for `htp probe` and `htp eval`. The source is one of
//   a pretrain checkpoint (or its run directory)   architecture, input encoding and data from its settings
//   a probe checkpoint                             its frozen backbone, likewise
//   plain model weights (.safetensors)             --arch names the architecture; the width, input channels and
//                                                  classes are read from the weights' shapes; the input encoding is
//                                                  the data set's default (apps/train_data.h)
// The model is returned in eval mode with its weights loaded strictly (errors name the file and the tensors).
#pragma once
#include <memory>
#include <string>

#include "apps/train_checkpoint.h"
#include "apps/train_data.h"
#include "apps/train_model.h"

namespace htp::app {

struct LoadedBackbone {
  BackboneSpec spec;
  InputEncoding encoding;
  std::shared_ptr<nn::ImageClassifier> model;
  std::string source;      // the file read
  std::string data;        // the data set it was trained on ("" for plain weights)
  int64_t image_size = 0;  // its input size in training (0 for plain weights)
};

// `data` gives the default encoding of plain weights.
LoadedBackbone load_backbone(const std::string& file_or_dir, const std::string& arch, const DataSpec& data);
// The backbone of a loaded checkpoint (pretrain: "model."; probe: "backbone.").
LoadedBackbone backbone_of(const Checkpoint& checkpoint);

}  // namespace htp::app
