// Every differentiable op of the engine, in one include. Each family's header documents its functions and declares
// its backward nodes (public saved fields, for backward rules such as LRP).
#pragma once

#include "autograd/engine.h"
#include "autograd/functions/conv.h"            // conv2d
#include "autograd/functions/elementwise.h"     // add … where, operators + - * /
#include "autograd/functions/index.h"           // index_select, gather, scatter_add, masked_fill, cat, stack, split, one_hot
#include "autograd/functions/linear_algebra.h"  // matmul, bmm, linear
#include "autograd/functions/norm.h"            // batch_norm, layer_norm
#include "autograd/functions/pool.h"            // max_pool2d, avg_pool2d, adaptive_avg_pool2d
#include "autograd/functions/reduce.h"          // sum, mean, max/min, amax/amin, argmax, var, norm, logsumexp, sum_to
#include "autograd/functions/resample.h"        // interpolate_bilinear, pad
#include "autograd/functions/softmax.h"         // softmax, log_softmax
#include "autograd/functions/views.h"           // reshape, permute, slice, expand, … contiguous, clone, to_dtype
#include "autograd/grad_mode.h"
