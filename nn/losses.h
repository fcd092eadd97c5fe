// Classification losses of the probes (paper §2.5, xai-methods A.9), differentiable with respect to the logits.
//
// logits z: [N, C] floating. Labels: int64 [N] in [0, C). Targets t: [N, C], converted to z's dtype (constants).
//
//   cross_entropy           L = −(1/N) Σ_n log softmax(z_n)[y_n]                    (mmpretrain CrossEntropyLoss)
//   bce_with_logits         L = (1/(N·C)) Σ_{n,k} ℓ(z_nk, t_nk),  ℓ(z, t) = max(z, 0) − z·t + log(1 + e^{−|z|})
//                           (= −t log σ(z) − (1 − t) log(1 − σ(z)), without overflow for any z)
//   uniform_off_labels_bce  bce_with_logits with t = max(one_hot(y), 1/C): 1 for the true class, 1/C for the others
//                           (UniformOffLabelsBCEWithLogitsLoss: every ImageNet BCE probe, B-cos training)
//   multi_label_bce         bce_with_logits with t = max(multi_hot, off): off = 0 for the conventional VOC/COCO
//                           heads (BcosBinaryCrossEntropyLoss), off = 1/C for the B-cos heads (uniform off-labels)
//
// Both BCE reductions are the mean over all N·C entries, so a logit's gradient is (σ(z) − t)/(N·C), about 1/C of
// cross-entropy's (softmax(z) − one_hot)/N: copy the reductions exactly, learning rates depend on them.
#pragma once
#include "autograd/variable.h"

namespace htp::nn {

Variable cross_entropy(const Variable& logits, const Tensor& labels);
Variable bce_with_logits(const Variable& logits, const Tensor& targets);
Variable uniform_off_labels_bce(const Variable& logits, const Tensor& labels);
Variable multi_label_bce(const Variable& logits, const Tensor& multi_hot, double off = 0.0);

}  // namespace htp::nn
