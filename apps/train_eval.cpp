#include "apps/train_eval.h"

#include <cmath>
#include <cstdio>

#include "apps/train_progress.h"
#include "autograd/grad_mode.h"
#include "kernels/index.h"
#include "nn/losses.h"
#include "tensor/error.h"

namespace htp::app {
namespace {

Json nan_to_null(double v) { return std::isnan(v) ? Json(nullptr) : Json(v); }

Json per_class(const std::vector<std::string>& names, const std::vector<double>& values, const char* key) {
  Json out = Json::array();
  for (size_t c = 0; c < values.size(); ++c)
    out.push_back({{"class", c < names.size() ? names[c] : std::to_string(c)}, {key, nan_to_null(values[c])}});
  return out;
}

std::string percent(double v) {
  char buf[32];
  if (std::isnan(v)) return "—";
  std::snprintf(buf, sizeof buf, "%.2f %%", 100.0 * v);
  return buf;
}

std::string padded(const std::string& s, size_t width) {
  return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' ');
}

}  // namespace

Json LossSpec::to_json() const {
  Json j = {{"kind", kind}};
  if (kind == "bce") j["off"] = off;
  return j;
}

LossSpec LossSpec::from_json(const Json& j) {
  LossSpec l;
  l.kind = j.at("kind").get<std::string>();
  if (l.kind == "bce") l.off = j.at("off").get<double>();
  return l;
}

LossSpec make_loss(const std::string& kind, LossContext context, bool multi_label, bool bcos_head,
                   int64_t num_classes) {
  HTP_CHECK(kind == "ce" || kind == "bce", "--loss must be ce or bce, got '", kind, "'");
  HTP_CHECK(!(kind == "ce" && multi_label), "--loss ce needs single-label data; multi-label data trains with bce");
  LossSpec l{kind, 0.0};
  if (kind == "bce") {
    const bool uniform = multi_label ? bcos_head : (context == LossContext::probe || bcos_head);
    l.off = uniform ? 1.0 / static_cast<double>(num_classes) : 0.0;
  }
  return l;
}

Variable compute_loss(const LossSpec& loss, const Variable& logits, const Tensor& labels) {
  if (loss.kind == "ce") return nn::cross_entropy(logits, labels);
  const Tensor targets = labels.dim() == 1 ? kernels::one_hot(labels, logits.size(1)) : labels;
  return nn::multi_label_bce(logits, targets, loss.off);
}

Json EvalResult::to_json() const {
  Json j = {{"split", split}, {"samples", samples}, {"loss", nan_to_null(loss)}};
  if (multi_label) {
    j["mAP"] = nan_to_null(map.map);
    j["classes_with_ap"] = map.classes_with_ap;
    j["class_ap"] = per_class(class_names, map.class_ap, "ap");
  } else {
    j["top1"] = nan_to_null(accuracy.top1);
    j["top5"] = nan_to_null(accuracy.top5);
    j["class_top1"] = per_class(class_names, accuracy.class_accuracy, "top1");
  }
  return j;
}

void EvalResult::print_table(std::ostream& os) const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f", loss);
  os << "  " << padded("split", 14) << split << "\n  " << padded("samples", 14) << samples << "\n";
  if (multi_label) {
    os << "  " << padded("mAP", 14) << percent(map.map) << "  (" << map.classes_with_ap << " classes with positives)\n";
  } else {
    os << "  " << padded("top-1", 14) << percent(accuracy.top1) << "\n  " << padded("top-5", 14)
       << percent(accuracy.top5) << "\n";
  }
  os << "  " << padded("loss", 14) << buf << "\n\n  " << padded("class", 18) << (multi_label ? "AP" : "top-1") << "\n";
  const std::vector<double>& v = multi_label ? map.class_ap : accuracy.class_accuracy;
  for (size_t c = 0; c < v.size(); ++c)
    os << "  " << padded(c < class_names.size() ? class_names[c] : std::to_string(c), 18) << percent(v[c]) << "\n";
}

EvalResult evaluate(const EvalSet& set, const std::function<Variable(const Tensor&)>& logits_of, const LossSpec& loss,
                    bool progress) {
  NoGradGuard no_grad;
  std::vector<Tensor> scores, labels;
  double loss_sum = 0;
  int64_t n = 0;
  set.loader->start_epoch(0);
  ProgressBar bar("  eval " + set.split, set.samples, progress);
  while (std::optional<data::Batch> batch = set.loader->next()) {
    const Variable logits = logits_of(batch->images);
    const auto B = static_cast<double>(batch->images.size(0));
    loss_sum += compute_loss(loss, logits, batch->labels).item<double>() * B;
    n += batch->images.size(0);
    scores.push_back(logits.data().to(Device::cpu()).to(DType::f32).contiguous());
    labels.push_back(batch->labels);
    bar.update(n, loss_sum / static_cast<double>(n));
  }
  bar.finish(n > 0 ? loss_sum / static_cast<double>(n) : NAN);
  HTP_CHECK(n > 0, "evaluate: the ", set.split, " split is empty");
  EvalResult r;
  r.split = set.split;
  r.samples = n;
  r.loss = loss_sum / static_cast<double>(n);
  r.class_names = set.class_names;
  const Tensor all_scores = kernels::cat(scores, 0), all_labels = kernels::cat(labels, 0);
  r.multi_label = all_labels.dim() == 2;
  if (r.multi_label) {
    HTP_CHECK(!set.ignore.defined() || set.ignore.size(0) == n, "evaluate: ", n, " samples but ignore flags ",
              set.ignore.describe());
    r.map = mean_average_precision(all_scores, all_labels, set.ignore);
  } else {
    r.accuracy = topk_accuracy(all_scores, all_labels);
  }
  return r;
}

}  // namespace htp::app
