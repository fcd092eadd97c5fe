#include "autograd/functions/index.h"

#include "kernels/index.h"
#include "tensor/creation.h"

namespace htp {

tensor_list IndexSelectBackward::apply(tensor_list&& g) {
  return {kernels::index_select_backward(g[0], input_shape, dim, index.get(*this))};
}

tensor_list GatherBackward::apply(tensor_list&& g) {
  Tensor dx = zeros(input_shape, g[0].dtype(), g[0].device());
  kernels::scatter_add_(dx, dim, index.get(*this), g[0]);
  return {dx};
}

tensor_list ScatterAddBackward::apply(tensor_list&& g) {
  Tensor dsrc;
  if (needs_input_grad(1)) {
    const Tensor& idx = index.get(*this);
    Tensor picked = kernels::gather(g[0], dim, idx);
    if (idx.shape() == src_shape) {
      dsrc = picked;
    } else {  // src elements outside the index's shape were never read
      dsrc = zeros(src_shape, g[0].dtype(), g[0].device());
      Tensor corner = dsrc;
      for (int64_t d = 0; d < idx.dim(); ++d) corner = corner.narrow(d, 0, idx.size(d));
      corner.copy_(picked);
    }
  }
  return {needs_input_grad(0) ? g[0] : Tensor(), dsrc};
}

tensor_list MaskedFillBackward::apply(tensor_list&& g) { return {kernels::masked_fill(g[0], mask.get(*this), 0.0)}; }

tensor_list CatBackward::apply(tensor_list&& g) {
  tensor_list grads;
  int64_t start = 0;
  for (size_t k = 0; k < sizes.size(); ++k) {
    grads.push_back(needs_input_grad(k) ? g[0].narrow(dim, start, sizes[k]) : Tensor());
    start += sizes[k];
  }
  return grads;
}

tensor_list StackBackward::apply(tensor_list&& g) {
  tensor_list grads;
  for (size_t k = 0; k < num_inputs(); ++k)
    grads.push_back(needs_input_grad(k) ? g[0].select(dim, static_cast<int64_t>(k)) : Tensor());
  return grads;
}

tensor_list SplitBackward::apply(tensor_list&& g) { return {kernels::cat(g, dim)}; }

namespace {
tensor_list data_of(const variable_list& xs) {
  tensor_list ts;
  ts.reserve(xs.size());
  for (const Variable& x : xs) ts.push_back(x.data());
  return ts;
}

variable_list record_split(const Variable& x, const tensor_list& parts, int64_t dim) {
  return record_multi<SplitBackward>({x}, parts,
                                     [&](SplitBackward& n) { n.dim = normalize_dim(dim, x.dim(), "split"); });
}
}  // namespace

Variable index_select(const Variable& x, int64_t dim, const Tensor& index) {
  Tensor out = kernels::index_select(x.data(), dim, index);
  return record<IndexSelectBackward>({x}, out, [&](IndexSelectBackward& n) {
    n.index.save(index);
    n.input_shape = x.shape();
    n.dim = normalize_dim(dim, x.dim(), "index_select");
  });
}

Variable gather(const Variable& x, int64_t dim, const Tensor& index) {
  Tensor out = kernels::gather(x.data(), dim, index);
  return record<GatherBackward>({x}, out, [&](GatherBackward& n) {
    n.index.save(index);
    n.input_shape = x.shape();
    n.dim = normalize_dim(dim, x.dim(), "gather");
  });
}

Variable scatter_add(const Variable& self, int64_t dim, const Tensor& index, const Variable& src) {
  Tensor out = kernels::scatter_add(self.data(), dim, index, src.data());
  return record<ScatterAddBackward>({self, src}, out, [&](ScatterAddBackward& n) {
    n.index.save(index);
    n.src_shape = src.shape();
    n.dim = normalize_dim(dim, self.dim(), "scatter_add");
  });
}

Variable masked_fill(const Variable& x, const Tensor& mask, double value) {
  Tensor out = kernels::masked_fill(x.data(), mask, value);
  return record<MaskedFillBackward>({x}, out, [&](MaskedFillBackward& n) { n.mask.save(mask); });
}

Variable cat(const variable_list& xs, int64_t dim) {
  Tensor out = kernels::cat(data_of(xs), dim);
  return record<CatBackward>(xs, out, [&](CatBackward& n) {
    n.dim = normalize_dim(dim, xs[0].dim(), "cat");
    for (const Variable& x : xs) n.sizes.push_back(x.size(n.dim));
  });
}

Variable stack(const variable_list& xs, int64_t dim) {
  Tensor out = kernels::stack(data_of(xs), dim);
  return record<StackBackward>(xs, out,
                               [&](StackBackward& n) { n.dim = normalize_dim(dim, xs[0].dim() + 1, "stack"); });
}

variable_list split(const Variable& x, int64_t split_size, int64_t dim) {
  return record_split(x, kernels::split(x.data(), split_size, dim), dim);
}

variable_list split_with_sizes(const Variable& x, const std::vector<int64_t>& sizes, int64_t dim) {
  return record_split(x, kernels::split_with_sizes(x.data(), sizes, dim), dim);
}

Variable one_hot(const Variable& labels, int64_t num_classes) {
  return Variable(kernels::one_hot(labels.data(), num_classes));
}

}  // namespace htp
