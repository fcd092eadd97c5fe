// Normalisation layers (torch.nn.BatchNorm1d/2d, torch.nn.LayerNorm); math and backward in kernels/norm.h.
//
// BatchNorm, per channel c of x [N, C, *] over its M = N · prod(*) elements:
//   y = (x - mean_c) / sqrt(var_c + eps) · weight_c + bias_c
//   train (or track_running_stats = false): mean_c, var_c = the batch's mean and biased variance; when tracking,
//     running_mean = (1 - momentum) running_mean + momentum mean_c,
//     running_var  = (1 - momentum) running_var  + momentum var_c · M / (M - 1)   (unbiased), and
//     num_batches_tracked += 1
//   eval (tracking): mean_c, var_c = running_mean_c, running_var_c
// Parameters weight [C] = 1, bias [C] = 0 (when affine); buffers running_mean [C] = 0, running_var [C] = 1,
// num_batches_tracked (int64, rank 0) = 0 (when track_running_stats) — PyTorch's names, so checkpoints load.
// BatchNorm2d takes [N, C, H, W]; BatchNorm1d takes [N, C] or [N, C, L].
//
// LayerNorm over the last dims (= normalized_shape) of x: y = (x - mean) / sqrt(var + eps) · weight + bias, with the
// row's mean and biased variance; weight = 1 and bias = 0 of shape normalized_shape (timm's ViT uses eps = 1e-6).
#pragma once
#include "nn/module.h"

namespace htp::nn {

class BatchNorm : public Module {
 public:
  Variable forward(const Variable& x) override;

  const int64_t num_features;
  const double eps, momentum;
  const bool affine, track_running_stats;
  Variable weight, bias;                                    // undefined unless affine
  Variable running_mean, running_var, num_batches_tracked;  // undefined unless track_running_stats

 protected:
  BatchNorm(int64_t num_features, double eps, double momentum, bool affine, bool track_running_stats);
  virtual bool accepts_rank(int64_t rank) const = 0;
  virtual const char* expected_shape() const = 0;  // for the error message, e.g. "[N, C, H, W]"
};

class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(int64_t num_features, double eps = 1e-5, double momentum = 0.1, bool affine = true,
                       bool track_running_stats = true)
      : BatchNorm(num_features, eps, momentum, affine, track_running_stats) {}
  std::string type_name() const override { return "BatchNorm2d"; }

 protected:
  bool accepts_rank(int64_t rank) const override { return rank == 4; }
  const char* expected_shape() const override { return "[N, C, H, W]"; }
};

class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(int64_t num_features, double eps = 1e-5, double momentum = 0.1, bool affine = true,
                       bool track_running_stats = true)
      : BatchNorm(num_features, eps, momentum, affine, track_running_stats) {}
  std::string type_name() const override { return "BatchNorm1d"; }

 protected:
  bool accepts_rank(int64_t rank) const override { return rank == 2 || rank == 3; }
  const char* expected_shape() const override { return "[N, C] or [N, C, L]"; }
};

class LayerNorm : public Module {
 public:
  explicit LayerNorm(Shape normalized_shape, double eps = 1e-5, bool elementwise_affine = true, bool bias = true);
  explicit LayerNorm(int64_t normalized_size, double eps = 1e-5, bool elementwise_affine = true, bool bias = true)
      : LayerNorm(Shape{normalized_size}, eps, elementwise_affine, bias) {}
  std::string type_name() const override { return "LayerNorm"; }
  Variable forward(const Variable& x) override;

  const Shape normalized_shape;
  const double eps;
  Variable weight, bias;  // undefined unless elementwise_affine (bias also unless bias)
};

}  // namespace htp::nn
