#include "apps/train_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "tensor/error.h"

namespace htp::app {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The values of a [N, C] tensor as rows of doubles (CPU, any dtype).
std::vector<double> values(const Tensor& t) { return t.to(Device::cpu()).contiguous().to_vector(); }

}  // namespace

TopKResult topk_accuracy(const Tensor& scores, const Tensor& labels) {
  HTP_CHECK(scores.dim() == 2 && is_floating(scores.dtype()), "accuracy: scores must be floating [N, C], got ",
            scores.describe());
  HTP_CHECK(labels.dim() == 1 && labels.size(0) == scores.size(0) && labels.dtype() == DType::i64,
            "accuracy: labels must be int64 [N] for scores ", scores.describe(), ", got ", labels.describe());
  const int64_t N = scores.size(0), C = scores.size(1);
  const std::vector<double> s = values(scores), y = values(labels);
  TopKResult r;
  r.samples = N;
  r.class_accuracy.assign(C, 0.0);
  r.class_samples.assign(C, 0);
  int64_t correct1 = 0, correct5 = 0;
  for (int64_t n = 0; n < N; ++n) {
    const auto label = static_cast<int64_t>(y[n]);
    HTP_CHECK(label >= 0 && label < C, "accuracy: label ", label, " of sample ", n, " is outside [0, ", C, ")");
    const double* row = s.data() + n * C;
    int64_t rank = 0;
    for (int64_t j = 0; j < C; ++j) rank += row[j] > row[label] || (j < label && row[j] == row[label]);
    correct1 += rank < 1;
    correct5 += rank < 5;
    r.class_samples[label] += 1;
    r.class_accuracy[label] += rank < 1;
  }
  for (int64_t c = 0; c < C; ++c)
    r.class_accuracy[c] = r.class_samples[c] > 0 ? r.class_accuracy[c] / static_cast<double>(r.class_samples[c]) : kNaN;
  r.top1 = N > 0 ? static_cast<double>(correct1) / static_cast<double>(N) : kNaN;
  r.top5 = N > 0 ? static_cast<double>(correct5) / static_cast<double>(N) : kNaN;
  return r;
}

double average_precision(const std::vector<double>& scores, const std::vector<double>& targets,
                         const std::vector<double>& ignore) {
  HTP_CHECK(scores.size() == targets.size() && (ignore.empty() || ignore.size() == scores.size()),
            "average_precision: ", scores.size(), " scores, ", targets.size(), " targets and ", ignore.size(),
            " ignore flags");
  std::vector<size_t> order;
  for (size_t i = 0; i < scores.size(); ++i)
    if (ignore.empty() || ignore[i] == 0) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  double positives = 0;
  for (size_t i : order) positives += targets[i] != 0;
  if (positives == 0) return kNaN;
  double ap = 0, tp = 0, seen = 0, recall_before = 0;
  for (size_t k = 0; k < order.size();) {
    const double threshold = scores[order[k]];
    for (; k < order.size() && scores[order[k]] == threshold; ++k) {
      tp += targets[order[k]] != 0;
      seen += 1;
    }
    const double recall = tp / positives;
    ap += (recall - recall_before) * (tp / seen);
    recall_before = recall;
  }
  return ap;
}

MapResult mean_average_precision(const Tensor& scores, const Tensor& targets, const Tensor& ignore) {
  HTP_CHECK(scores.dim() == 2 && targets.shape() == scores.shape(), "mAP: scores ", scores.describe(), " and targets ",
            targets.describe(), " must both be [N, C]");
  HTP_CHECK(!ignore.defined() || ignore.shape() == scores.shape(), "mAP: ignore ", ignore.describe(),
            " must have the scores' shape ", scores.describe());
  const int64_t N = scores.size(0), C = scores.size(1);
  const std::vector<double> s = values(scores), t = values(targets);
  const std::vector<double> ig = ignore.defined() ? values(ignore) : std::vector<double>();
  MapResult r;
  double sum = 0;
  for (int64_t c = 0; c < C; ++c) {
    std::vector<double> sc(N), tc(N), ic(ig.empty() ? 0 : N);
    for (int64_t n = 0; n < N; ++n) {
      sc[n] = s[n * C + c];
      tc[n] = t[n * C + c];
      if (!ig.empty()) ic[n] = ig[n * C + c];
    }
    const double ap = average_precision(sc, tc, ic);
    r.class_ap.push_back(ap);
    if (!std::isnan(ap)) {
      sum += ap;
      r.classes_with_ap += 1;
    }
  }
  r.map = r.classes_with_ap > 0 ? sum / static_cast<double>(r.classes_with_ap) : kNaN;
  return r;
}

}  // namespace htp::app
