// Models by name (the names of torchvision, timm and B-cos-v2, so that checkpoints and configs read naturally):
//
//   torchvision (resnet.h):       resnet18, resnet34, resnet50
//   B-cos-v2 (bcos_resnet.h):     bcos_resnet18, bcos_resnet50
//   timm (vit.h):                 vit_tiny_patch16_224, vit_small_patch16_224, vit_base_patch16_224
//   B-cos-v2 (bcos_vit.h):        bcos_simple_vit_ti_patch16_224, bcos_simple_vit_s_patch16_224,
//                                 bcos_simple_vit_b_patch16_224
//
//   auto model = make_model("resnet50");            // freshly initialised, in training mode, float32 on the CPU
//   model->load_state_dict(weights); model->eval();
//   Variable logits = (*model)(x);                  // [N, num_classes]
//   Variable feats  = model->forward_features(x);   // the probe input (image_classifier.h)
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "nn/models/image_classifier.h"

namespace htp::nn {

// Throws for an unknown name, listing the valid ones.
std::shared_ptr<ImageClassifier> make_model(const std::string& arch, int64_t num_classes = 1000);
std::vector<std::string> list_models();  // every name make_model accepts, in the order above

}  // namespace htp::nn
