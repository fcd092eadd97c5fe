// Every model of nn/models in one include: the ImageClassifier interface, conventional and B-cos ResNets and ViTs,
// and the registry (make_model, list_models).
#pragma once

#include "nn/models/bcos_resnet.h"       // BcosResNet, bcos_resnet18/50
#include "nn/models/bcos_vit.h"          // BcosSimpleViT (B-cos-v2 SimpleViT), bcos_simple_vit_{ti,s,b}_patch16_224
#include "nn/models/image_classifier.h"  // ImageClassifier: forward, forward_features, feature_stages
#include "nn/models/registry.h"          // make_model, list_models
#include "nn/models/resnet.h"            // ResNet, resnet18/34/50
#include "nn/models/resnet_config.h"     // ResNetConfig, resnet_config (small-input options)
#include "nn/models/vit.h"               // VisionTransformer (timm), vit_{tiny,small,base}_patch16_224
