// BatchNorm merging for LRP (xai-methods.md B.4); see canonize.h.
#include "xai/canonize.h"

#include "kernels/binary.h"
#include "kernels/unary.h"
#include "nn/conv.h"
#include "nn/linear.h"
#include "tensor/creation.h"
#include "tensor/error.h"

namespace htp::xai {

namespace k = kernels;

BatchNormMerge::BatchNormMerge(nn::Module& model) {
  std::vector<nn::Module*> leaves;
  for (const auto& [name, module] : model.named_modules())
    if (module->named_children().empty()) leaves.push_back(module);
  try {
    for (size_t i = 1; i < leaves.size(); ++i) {
      auto* bn = dynamic_cast<nn::BatchNorm*>(leaves[i]);
      if (!bn) continue;
      if (auto* conv = dynamic_cast<nn::Conv2d*>(leaves[i - 1])) merge(conv->weight, conv->bias, *bn);
      if (auto* linear = dynamic_cast<nn::Linear*>(leaves[i - 1])) merge(linear->weight, linear->bias, *bn);
    }
  } catch (...) {
    restore();
    throw;
  }
}

BatchNormMerge::~BatchNormMerge() { restore(); }

void BatchNormMerge::merge(Variable& weight, Variable& bias, nn::BatchNorm& bn) {
  HTP_CHECK(!bn.is_training(), "BatchNormMerge: ", bn.type_name(), " '", bn.path(),
            "' is in training mode; merging needs the running statistics (call eval() on the model)");
  HTP_CHECK(bn.track_running_stats, "BatchNormMerge: ", bn.type_name(), " '", bn.path(),
            "' has no running statistics (track_running_stats = false) and cannot be merged");
  HTP_CHECK(weight.size(0) == bn.num_features, "BatchNormMerge: ", bn.type_name(), " '", bn.path(), "' has ",
            bn.num_features, " channels but the layer before it has ", weight.size(0), " outputs (weight ",
            weight.describe(), ")");
  HTP_CHECK(bn.eps < 1.0, "BatchNormMerge: ", bn.type_name(), " '", bn.path(), "' has eps ", bn.eps,
            " >= 1, so it cannot be made the identity");
  const Tensor& w = weight.data();
  const DType dtype = w.dtype();
  const Tensor mean = bn.running_mean.data().to(dtype), var = bn.running_var.data().to(dtype);
  Tensor scale = k::rsqrt(k::add(var, bn.eps));
  if (bn.affine) scale = k::mul(scale, bn.weight.data().to(dtype));
  Tensor b = k::mul(k::neg(mean), scale);
  if (bias.defined()) b = k::add(b, k::mul(bias.data(), scale));
  if (bn.affine) b = k::add(b, bn.bias.data().to(dtype));

  Shape scale_shape(static_cast<size_t>(w.dim()), 1);
  scale_shape[0] = bn.num_features;
  replace(weight, k::mul(w, scale.reshape(scale_shape)));
  if (bias.defined()) {
    replace(bias, b.to(bias.dtype()));
  } else {
    bias = Variable(b);
    created_.push_back(&bias);
  }
  replace(bn.running_mean, zeros_like(bn.running_mean.data()));
  replace(bn.running_var, full_like(bn.running_var.data(), 1.0 - bn.eps));
  if (bn.affine) {
    replace(bn.weight, ones_like(bn.weight.data()));
    replace(bn.bias, zeros_like(bn.bias.data()));
  }
  ++num_merged_;
}

void BatchNormMerge::replace(Variable& handle, Tensor value) {
  replaced_.push_back({handle, handle.data()});
  handle.mutable_data() = std::move(value);
}

void BatchNormMerge::restore() {
  for (auto it = replaced_.rbegin(); it != replaced_.rend(); ++it) it->handle.mutable_data() = it->original;
  for (Variable* bias : created_) *bias = Variable();
  replaced_.clear();
  created_.clear();
}

}  // namespace htp::xai
