// Uncentred batch norm (xai-methods.md A.4; paper.md §2.2; B-cos-v2
// bcos/modules/norms/uncentered_norms/batchnorm_uncentered.py, how-to-probe's BatchNormUncentered1d).
//
//   train: var_c = biased (/n), CENTRED variance of x over every dim but 1 (N, H, W);
//          running_var ← (1 − m)·running_var + m·var   (m = momentum = 0.1, the biased var), num_batches_tracked += 1
//   eval:  var_c = running_var_c
//   y = γ_c · x / sqrt(var_c + ε)  (+ β_c)           x is NOT mean-subtracted; ε = 1e-5
// bias = false is B-cos-v2's NoBias(BatchNormUncentered2d), which every B-cos model uses.
// Explanation mode (Detachable): in training the variance is computed from x.detach() (in eval it is constant anyway).
// State (PyTorch/B-cos-v2 names): weight [C], bias [C] (only with bias), buffers running_mean [C] (zeros, unused by
// the layer, kept so that checkpoints load strictly), running_var [C], num_batches_tracked (int64 scalar).
//   BatchNormUncentered2d: x [N, C, H, W]
//   BatchNormUncentered1d: x [N, C] or [N, C, L] (statistics over N, resp. N and L)
#pragma once
#include "nn/bcos/explanation_mode.h"

namespace htp::nn {

// y as above for x [N, C, *]; updates running_var in place when training (running_var must be defined in eval).
// weight and bias may be undefined.
Variable batch_norm_uncentered(const Variable& x, const Variable& weight, const Variable& bias, Tensor running_var,
                               bool training, double momentum, double eps, bool detach);

class BatchNormUncentered : public Module, public Detachable {
 public:
  Variable forward(const Variable& x) override;

  const int64_t num_features;
  const double eps, momentum;
  Variable weight, bias;  // bias undefined without it
  Variable running_mean, running_var, num_batches_tracked;

 protected:
  BatchNormUncentered(int64_t num_features, double eps, double momentum, bool bias);
  virtual void check_input(const Variable& x) const = 0;
};

class BatchNormUncentered2d : public BatchNormUncentered {
 public:
  explicit BatchNormUncentered2d(int64_t num_features, double eps = 1e-5, double momentum = 0.1, bool bias = false)
      : BatchNormUncentered(num_features, eps, momentum, bias) {}
  std::string type_name() const override { return "BatchNormUncentered2d"; }

 protected:
  void check_input(const Variable& x) const override;
};

class BatchNormUncentered1d : public BatchNormUncentered {
 public:
  explicit BatchNormUncentered1d(int64_t num_features, double eps = 1e-5, double momentum = 0.1, bool bias = false)
      : BatchNormUncentered(num_features, eps, momentum, bias) {}
  std::string type_name() const override { return "BatchNormUncentered1d"; }

 protected:
  void check_input(const Variable& x) const override;
};

}  // namespace htp::nn
