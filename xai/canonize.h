// Canonisation for LRP (xai-methods.md B.4, zennit's SequentialMergeBatchNorm in ResNetCanonizer): every BatchNorm
// is merged into the Conv2d or Linear immediately before it among the leaf modules in module order (as the
// ResNets and MLP probes register them: conv1, bn1, …, downsample.0, downsample.1). With s = γ / sqrt(σ²_run + ε):
//
//   W′[o] = s[o]·W[o],   b′ = (b − μ_run)·s + β   (b = 0 for a convolution without bias: the merge creates one)
//
// and the BatchNorm becomes the identity: μ_run = 0, σ²_run = 1 − ε (so that 1/sqrt(σ²_run + ε) = 1, as zennit 1.0
// does by setting ε = 0; our ε is const), γ = 1, β = 0. The model's outputs are unchanged, and the BatchNorm nodes
// it records are identities that the composite passes relevance through.
//
// A scope: the merge happens in the constructor and is undone in the destructor, which puts the original tensors
// back (bitwise). The changed tensors are new ones set behind the parameter handles; the originals are not written.
// The scope must end before the model is destroyed.
//
//   { xai::BatchNormMerge merge(model);  /* forward + LRP backward */ }   // model as before
#pragma once
#include <vector>

#include "nn/module.h"
#include "nn/normalization.h"

namespace htp::xai {

class BatchNormMerge {
 public:
  // The model must be in eval mode with running statistics in every merged BatchNorm (errors name the module).
  explicit BatchNormMerge(nn::Module& model);
  ~BatchNormMerge();
  BatchNormMerge(const BatchNormMerge&) = delete;
  BatchNormMerge& operator=(const BatchNormMerge&) = delete;

  size_t num_merged() const { return num_merged_; }

 private:
  struct Replaced {  // a handle and the tensor it held before the merge
    Variable handle;
    Tensor original;
  };
  void merge(Variable& weight, Variable& bias, nn::BatchNorm& bn);
  void replace(Variable& handle, Tensor value);
  void restore();

  std::vector<Replaced> replaced_;
  std::vector<Variable*> created_;  // bias members of layers that had none, set by the merge
  size_t num_merged_ = 0;
};

}  // namespace htp::xai
