// The standard layers in one include: init, Linear, Conv2d, BatchNorm1d/2d, LayerNorm, ReLU, GELU, pools, Flatten,
// Identity, Dropout, Sequential, MultiheadSelfAttention.
#pragma once

#include "nn/activation.h"
#include "nn/attention.h"
#include "nn/container.h"
#include "nn/conv.h"
#include "nn/dropout.h"
#include "nn/init.h"
#include "nn/linear.h"
#include "nn/normalization.h"
#include "nn/pooling.h"
