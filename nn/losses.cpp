// Losses of nn/losses.h, composed from differentiable ops.
//
// The BCE term is written as ℓ(z, t) = (z + |z|)/2 − z·t + softplus(−|z|): equal to max(z, 0) − z·t + log(1 + e^{−|z|})
// and free of overflow (softplus only sees −|z| <= 0), and its recorded gradient is exactly σ(z) − t everywhere,
// z = 0 included (|z|' = 0 there gives 1/2 = σ(0)); a relu-based max(z, 0) would give −t at z = 0, the value every
// logit of a zero-initialised probe starts at.
#include "nn/losses.h"

#include <cmath>

#include "autograd/ops.h"
#include "kernels/binary.h"
#include "kernels/index.h"

namespace htp::nn {
namespace {

void check_logits(const char* op, const Variable& logits) {
  HTP_CHECK(logits.dim() == 2 && is_floating(logits.dtype()), op, ": logits must be floating [N, C], got ",
            logits.describe());
  HTP_CHECK(logits.size(1) >= 1, op, ": logits need at least one class, got ", logits.describe());
}

// int64 [N] labels in [0, C); the first bad label is named with C.
void check_labels(const char* op, const Variable& logits, const Tensor& labels) {
  HTP_CHECK(labels.dtype() == DType::i64 && labels.dim() == 1 && labels.size(0) == logits.size(0), op,
            ": labels must be int64 [N] with N = ", logits.size(0), " (logits ", logits.describe(), "), got ",
            labels.describe());
  const int64_t classes = logits.size(1);
  const std::vector<double> values = labels.to(Device::cpu()).to_vector();
  for (size_t n = 0; n < values.size(); ++n)
    HTP_CHECK(values[n] >= 0 && values[n] < static_cast<double>(classes), op, ": label ",
              static_cast<int64_t>(values[n]), " (sample ", n, ") is outside [0, ", classes, ") for C = ", classes,
              " classes");
}

Tensor as_targets(const Tensor& t, const Variable& logits) { return t.to(logits.dtype()).to(logits.device()); }

}  // namespace

Variable cross_entropy(const Variable& logits, const Tensor& labels) {
  check_logits("cross_entropy", logits);
  check_labels("cross_entropy", logits, labels);
  const Tensor index = labels.to(logits.device()).unsqueeze(1);  // [N, 1]
  return neg(mean(gather(log_softmax(logits, 1), 1, index)));
}

Variable bce_with_logits(const Variable& logits, const Tensor& targets) {
  check_logits("bce_with_logits", logits);
  HTP_CHECK(targets.shape() == logits.shape(), "bce_with_logits: targets ", targets.describe(),
            " must have the logits' shape ", logits.describe());
  const Variable t(as_targets(targets, logits));
  const Variable a = abs(logits);
  return mean(mul(add(logits, a), 0.5) - mul(logits, t) + softplus(neg(a)));
}

Variable uniform_off_labels_bce(const Variable& logits, const Tensor& labels) {
  check_logits("uniform_off_labels_bce", logits);
  check_labels("uniform_off_labels_bce", logits, labels);
  const int64_t classes = logits.size(1);
  const Tensor one_hot = as_targets(kernels::one_hot(labels.to(Device::cpu()), classes), logits);
  return bce_with_logits(logits, kernels::maximum(one_hot, 1.0 / static_cast<double>(classes)));
}

Variable multi_label_bce(const Variable& logits, const Tensor& multi_hot, double off) {
  check_logits("multi_label_bce", logits);
  HTP_CHECK(multi_hot.shape() == logits.shape(), "multi_label_bce: multi-hot targets ", multi_hot.describe(),
            " must have the logits' shape ", logits.describe());
  HTP_CHECK(off >= 0.0 && off < 1.0, "multi_label_bce: the off-label target must be in [0, 1), got ", off);
  const std::vector<double> values = multi_hot.to(Device::cpu()).to_vector();
  for (size_t i = 0; i < values.size(); ++i)
    HTP_CHECK(values[i] == 0.0 || values[i] == 1.0, "multi_label_bce: multi-hot targets must be 0 or 1, got ",
              values[i], " at sample ", i / static_cast<size_t>(logits.size(1)), ", class ",
              i % static_cast<size_t>(logits.size(1)));
  return bce_with_logits(logits, kernels::maximum(as_targets(multi_hot, logits), off));
}

}  // namespace htp::nn
