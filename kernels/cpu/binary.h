// CPU binary elementwise kernels (compute only; kernels/binary.cpp validates, promotes and broadcasts).
//
// All operands have out's shape (broadcast inputs are expanded views with stride 0); out may alias a. Inputs share
// one dtype: the compute type.
#pragma once
#include "tensor/tensor.h"

namespace htp::kernels::cpu {

enum class BinaryOp { add, sub, mul, div, pow, maximum, minimum };
enum class CompareOp { eq, ne, lt, le, gt, ge };

// out = a op b, all of one numeric dtype (not bool). maximum/minimum propagate NaN; integer pow with a negative
// exponent truncates like integer division (1, ±1 for base -1, else 0).
void binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out);
// out = a + alpha * b, all of one floating dtype.
void add_scaled(const Tensor& a, const Tensor& b, double alpha, const Tensor& out);
// out (bool) = a op b; a and b share a numeric dtype.
void compare(CompareOp op, const Tensor& a, const Tensor& b, const Tensor& out);

}  // namespace htp::kernels::cpu
