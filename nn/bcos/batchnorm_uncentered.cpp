#include "nn/bcos/batchnorm_uncentered.h"

#include "autograd/ops.h"
#include "kernels/binary.h"
#include "tensor/creation.h"

namespace htp::nn {

namespace {

// [C] -> [1, C, 1, …] matching x's rank.
Shape channel_shape(const Variable& x) {
  Shape s(static_cast<size_t>(x.dim()), 1);
  s[1] = x.size(1);
  return s;
}

}  // namespace

Variable batch_norm_uncentered(const Variable& x, const Variable& weight, const Variable& bias, Tensor running_var,
                               bool training, double momentum, double eps, bool detach) {
  HTP_CHECK(x.dim() >= 2, "batch_norm_uncentered: input must be [N, C, *], got ", x.describe());
  const Shape cs = channel_shape(x);
  Variable v;
  if (training) {
    std::vector<int64_t> dims{0};
    for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
    v = var(detach ? x.detach() : x, dims, /*unbiased=*/false, /*keepdim=*/true);
    if (running_var.defined()) {
      const Tensor batch_var = v.data().reshape({x.size(1)});
      running_var.copy_(kernels::add(kernels::mul(running_var, 1.0 - momentum), kernels::mul(batch_var, momentum)));
    }
  } else {
    HTP_CHECK(running_var.defined(), "batch_norm_uncentered: running_var must be defined in eval mode");
    v = Variable(running_var.reshape(cs));
  }
  Variable y = div(x, sqrt(add(v, eps)));
  if (weight.defined()) y = mul(reshape(weight, cs), y);
  if (bias.defined()) y = add(y, reshape(bias, cs));
  return y;
}

BatchNormUncentered::BatchNormUncentered(int64_t num_features, double eps, double momentum, bool with_bias)
    : num_features(num_features), eps(eps), momentum(momentum) {
  HTP_CHECK(num_features >= 1, "BatchNormUncentered: num_features must be >= 1, got ", num_features);
  weight = register_parameter("weight", ones({num_features}));
  if (with_bias) bias = register_parameter("bias", zeros({num_features}));
  running_mean = register_buffer("running_mean", zeros({num_features}));
  running_var = register_buffer("running_var", ones({num_features}));
  num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, DType::i64));
}

Variable BatchNormUncentered::forward(const Variable& x) {
  check_input(x);
  if (is_training()) {
    Tensor& count = num_batches_tracked.mutable_data();
    count.copy_(kernels::add(count, scalar_tensor(1.0, DType::i64, count.device())));
  }
  return batch_norm_uncentered(x, weight, bias, running_var.data(), is_training(), momentum, eps, detach_);
}

void BatchNormUncentered2d::check_input(const Variable& x) const {
  HTP_CHECK(x.dim() == 4 && x.size(1) == num_features, "BatchNormUncentered2d '", path(), "': expected input [N, ",
            num_features, ", H, W], got ", x.describe());
}

void BatchNormUncentered1d::check_input(const Variable& x) const {
  HTP_CHECK((x.dim() == 2 || x.dim() == 3) && x.size(1) == num_features, "BatchNormUncentered1d '", path(),
            "': expected input [N, ", num_features, "] or [N, ", num_features, ", L], got ", x.describe());
}

}  // namespace htp::nn
