// Classification metrics on collected scores (logits or probabilities: every metric here depends only on the order
// of the scores within a row or a column, so the choice does not matter).
//
// Single-label (mmpretrain Accuracy): a sample is correct at k when its label is among the k best classes. Ties are
// broken towards the lower class index (argmax's first maximum, a stable descending sort), so the rank of label y in
// scores s is #{j : s_j > s_y} + #{j < y : s_j == s_y}, and correct@k means rank < k.
//
// Multi-label (VOC-style mAP, paper §4.2): per class, the average precision of the samples ranked by score,
//   AP = Σ_n (R_n − R_{n−1}) P_n
// over the distinct score thresholds n (descending), R and P recall and precision at the threshold. Without ties
// this is the mean, over the positives, of the precision at each positive's rank (mmpretrain's average_precision);
// tied scores form one threshold (scikit-learn's average_precision_score), so the result does not depend on how a
// sort orders them. Samples marked in `ignore` (VOC's difficult-only classes) are left out of their class. A class
// with no positive has no AP (NaN) and is left out of the mean.
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace htp::app {

struct TopKResult {
  int64_t samples = 0;
  double top1 = 0, top5 = 0;           // fractions in [0, 1]; top-5 is top-C when C < 5
  std::vector<double> class_accuracy;  // top-1 per true class (NaN for a class without samples)
  std::vector<int64_t> class_samples;
};

// scores: floating [N, C]; labels: int64 [N] in [0, C). Errors name both shapes.
TopKResult topk_accuracy(const Tensor& scores, const Tensor& labels);

// One class: scores and 0/1 targets of equal length; `ignore` empty or of that length (nonzero: left out).
double average_precision(const std::vector<double>& scores, const std::vector<double>& targets,
                         const std::vector<double>& ignore = {});

struct MapResult {
  double map = 0;                // mean over the classes with an AP
  std::vector<double> class_ap;  // NaN for a class without positives
  int64_t classes_with_ap = 0;
};

// scores, targets (0/1) and ignore (optional, nonzero: ignored): [N, C].
MapResult mean_average_precision(const Tensor& scores, const Tensor& targets, const Tensor& ignore = Tensor());

}  // namespace htp::app
