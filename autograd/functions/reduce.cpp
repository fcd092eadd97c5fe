// The differentiable reductions: forward kernel calls and the backward rules listed in reduce.h.
#include "autograd/functions/reduce.h"

#include <cmath>

#include "kernels/binary.h"
#include "kernels/reduce.h"
#include "kernels/unary.h"
#include "tensor/creation.h"

namespace htp {
namespace {

ReductionInfo info_for(const Variable& x, const std::vector<int64_t>& dims, bool keepdim, const char* op) {
  return {x.shape(), kernels::normalize_dims(dims, x.dim(), op), keepdim};
}

int64_t reduced_count(const ReductionInfo& info) {
  int64_t n = 1;
  for (int64_t d : info.dims) n *= info.input_shape[static_cast<size_t>(d)];
  return n;
}

// A reduction's output (or its gradient) at the input's rank: size 1 at the reduced dims.
Tensor keepdim_form(const Tensor& t, const ReductionInfo& info) {
  return info.keepdim ? t : t.reshape(kernels::reduced_shape(info.input_shape, info.dims, true));
}

Tensor broadcast_back(const Tensor& t, const ReductionInfo& info) {
  return keepdim_form(t, info).expand(info.input_shape);
}

// g / (number of positions equal to the extreme) at those positions, 0 elsewhere; `x` already mapped (|x| for
// the inf-norm) and `y` the extreme in keepdim form.
Tensor split_among_ties(const Tensor& x, const Tensor& y, const Tensor& g, const ReductionInfo& info) {
  const Tensor mask = kernels::eq(x, y).to(x.dtype());
  const Tensor count = kernels::sum(mask, info.dims, true);
  return kernels::mul(mask, kernels::div(g, count));
}

// g / d with 0 where d = 0.
Tensor safe_div(const Tensor& g, const Tensor& d) {
  const Tensor q = kernels::div(g, d);
  return kernels::where(kernels::eq(d, 0.0), scalar_tensor(0.0, q.dtype(), q.device()), q);
}

template <class N>
Variable record_reduction(const Variable& x, const Tensor& out, const ReductionInfo& info) {
  return record<N>({x}, out, [&](N& n) { n.info = info; });
}

}  // namespace

// ---- backward rules ------------------------------------------------------------------------------------------------

tensor_list SumBackward::apply(tensor_list&& g) { return {broadcast_back(g[0], info)}; }

tensor_list MeanBackward::apply(tensor_list&& g) {
  return {broadcast_back(kernels::div(g[0], static_cast<double>(reduced_count(info))), info)};
}

tensor_list MaxBackward::apply(tensor_list&& g) {
  return {kernels::max_backward(g[0], indices.get(*this), info.input_shape, info.dims.empty() ? 0 : info.dims[0],
                                info.keepdim)};
}

tensor_list AmaxBackward::apply(tensor_list&& g) {
  return {split_among_ties(x.get(*this), keepdim_form(result.get(*this), info), keepdim_form(g[0], info), info)};
}

tensor_list VarBackward::apply(tensor_list&& g) {
  const Tensor& xv = x.get(*this);
  const double scale = 2.0 / static_cast<double>(reduced_count(info) - (unbiased ? 1 : 0));
  const Tensor centered = kernels::sub(xv, kernels::mean(xv, info.dims, true));
  return {kernels::mul(centered, kernels::mul(keepdim_form(g[0], info), scale))};
}

tensor_list NormBackward::apply(tensor_list&& g) {
  const Tensor& xv = x.get(*this);
  const Tensor y = keepdim_form(result.get(*this), info), gk = keepdim_form(g[0], info);
  if (p == 0.0) return {zeros(xv.shape(), xv.dtype(), xv.device())};
  if (p == 1.0) return {kernels::mul(kernels::sign(xv), gk)};
  if (p == 2.0) return {kernels::mul(xv, safe_div(gk, y))};
  if (std::isinf(p)) return {kernels::mul(kernels::sign(xv), split_among_ties(kernels::abs(xv), y, gk, info))};
  const Tensor dx = kernels::mul(kernels::sign(xv), kernels::pow(kernels::abs(xv), p - 1.0));
  return {kernels::mul(dx, safe_div(gk, kernels::pow(y, p - 1.0)))};
}

tensor_list LogsumexpBackward::apply(tensor_list&& g) {
  const Tensor y = keepdim_form(result.get(*this), info);
  return {kernels::mul(keepdim_form(g[0], info), kernels::exp(kernels::sub(x.get(*this), y)))};
}

tensor_list SumToBackward::apply(tensor_list&& g) { return {g[0].expand(input_shape)}; }

// ---- reductions ----------------------------------------------------------------------------------------------------

Variable sum(const Variable& x, const std::vector<int64_t>& dims, bool keepdim) {
  const Tensor out = kernels::sum(x.data(), dims, keepdim);
  return record_reduction<SumBackward>(x, out, info_for(x, dims, keepdim, "sum"));
}

Variable mean(const Variable& x, const std::vector<int64_t>& dims, bool keepdim) {
  const Tensor out = kernels::mean(x.data(), dims, keepdim);
  return record_reduction<MeanBackward>(x, out, info_for(x, dims, keepdim, "mean"));
}

namespace {
IndexedValues extreme_along(const Variable& x, int64_t dim, bool keepdim, bool is_max) {
  const kernels::ValuesIndices r = is_max ? kernels::max(x.data(), dim, keepdim) : kernels::min(x.data(), dim, keepdim);
  Variable values = record<MaxBackward>({x}, r.values, [&](MaxBackward& n) {
    n.indices.save(r.indices);
    n.info = info_for(x, {dim}, keepdim, is_max ? "max" : "min");
    n.is_max = is_max;
  });
  return {values, r.indices};
}

Variable extreme_values(const Variable& x, const std::vector<int64_t>& dims, bool keepdim, bool is_max) {
  const Tensor out = is_max ? kernels::amax(x.data(), dims, keepdim) : kernels::amin(x.data(), dims, keepdim);
  return record<AmaxBackward>({x}, out, [&](AmaxBackward& n) {
    n.x.save(x);
    n.result.save(out);
    n.info = info_for(x, dims, keepdim, is_max ? "amax" : "amin");
    n.is_max = is_max;
  });
}
}  // namespace

IndexedValues max(const Variable& x, int64_t dim, bool keepdim) { return extreme_along(x, dim, keepdim, true); }
IndexedValues min(const Variable& x, int64_t dim, bool keepdim) { return extreme_along(x, dim, keepdim, false); }
Variable amax(const Variable& x, const std::vector<int64_t>& dims, bool keepdim) {
  return extreme_values(x, dims, keepdim, true);
}
Variable amin(const Variable& x, const std::vector<int64_t>& dims, bool keepdim) {
  return extreme_values(x, dims, keepdim, false);
}
Tensor argmax(const Variable& x, int64_t dim, bool keepdim) { return kernels::argmax(x.data(), dim, keepdim); }
Tensor argmin(const Variable& x, int64_t dim, bool keepdim) { return kernels::argmin(x.data(), dim, keepdim); }

Variable var(const Variable& x, const std::vector<int64_t>& dims, bool unbiased, bool keepdim) {
  const Tensor out = kernels::var(x.data(), dims, unbiased, keepdim);
  return record<VarBackward>({x}, out, [&](VarBackward& n) {
    n.x.save(x);
    n.info = info_for(x, dims, keepdim, "var");
    n.unbiased = unbiased;
  });
}

Variable norm(const Variable& x, double p, const std::vector<int64_t>& dims, bool keepdim) {
  const Tensor out = kernels::norm(x.data(), p, dims, keepdim);
  return record<NormBackward>({x}, out, [&](NormBackward& n) {
    n.x.save(x);
    n.result.save(out);
    n.info = info_for(x, dims, keepdim, "norm");
    n.p = p;
  });
}

Variable logsumexp(const Variable& x, const std::vector<int64_t>& dims, bool keepdim) {
  const Tensor out = kernels::logsumexp(x.data(), dims, keepdim);
  return record<LogsumexpBackward>({x}, out, [&](LogsumexpBackward& n) {
    n.x.save(x);
    n.result.save(out);
    n.info = info_for(x, dims, keepdim, "logsumexp");
  });
}

Variable sum_to(const Variable& x, const Shape& shape) {
  const Tensor out = kernels::sum_to(x.data(), shape);
  if (out.shape() == x.shape()) return x;
  return record<SumToBackward>({x}, out, [&](SumToBackward& n) { n.input_shape = x.shape(); });
}

}  // namespace htp
