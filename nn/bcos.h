// The B-cos (v2) building blocks in one include (xai-methods.md part A; paper.md §2.2, §2.4).
#pragma once

#include "nn/bcos/batchnorm_uncentered.h"  // BatchNormUncentered2d/1d (NoBias by default), batch_norm_uncentered
#include "nn/bcos/bcos_conv.h"             // BcosConv2d, bcos_patch_norm
#include "nn/bcos/bcos_linear.h"           // BcosLinear
#include "nn/bcos/bcos_transform.h"        // max_out, bcos_scale
#include "nn/bcos/detachable_norms.h"      // DetachableLayerNorm, DetachableGroupNorm2d
#include "nn/bcos/encoding.h"              // add_inverse, AddInverse ([x, 1 − x])
#include "nn/bcos/explanation_mode.h"      // Detachable, set_explanation_mode, ExplanationModeGuard
#include "nn/bcos/logit_layer.h"           // LogitLayer, bcos_logit_bias (−log(K − 1))
#include "nn/bcos/normed.h"                // NormedConv2d, NormedLinear (unit-norm weights)
