// CUDA twins of kernels/cpu/index.h: same names, signatures and semantics (kernels/index.h), the same layouts of
// arguments, all on one CUDA device. Like the CPU kernels they check the index values (an out-of-range index throws
// htp::Error before anything is written); on the device that means copying the index (or labels) to the host first.
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace htp::kernels::cuda {

void index_select(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& out);
void index_add_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);
void gather(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& out);
void scatter_add_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);
void masked_fill_(const Tensor& self, const Tensor& mask, double value);
void cat(const std::vector<Tensor>& inputs, int64_t dim, const Tensor& out);
void one_hot(const Tensor& labels, const Tensor& out);

}  // namespace htp::kernels::cuda
