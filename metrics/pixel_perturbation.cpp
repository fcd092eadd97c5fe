#include "metrics/pixel_perturbation.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "metrics/map_checks.h"
#include "tensor/creation.h"

namespace htp::metrics {

namespace {

// Flat pixel indices sorted by the map (ties by index).
std::vector<int64_t> pixel_order(const Tensor& map, PixelOrder order, const char* op) {
  const std::vector<double> v = map.to_vector();
  for (size_t i = 0; i < v.size(); ++i)
    HTP_CHECK(!std::isnan(v[i]), op, ": the attribution map has a NaN at pixel ", i, " (row ", i / map.size(1),
              ", column ", i % map.size(1), ")");
  std::vector<int64_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  if (order == PixelOrder::most_relevant_first)
    std::stable_sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) { return v[a] > v[b]; });
  else
    std::stable_sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) { return v[a] < v[b]; });
  return idx;
}

// Scores of the images, `batch` at a time; checks the score function's answer.
class BatchScorer {
 public:
  BatchScorer(const ScoreFunction& score, const Tensor& image, int64_t batch_size, const char* op)
      : score_(score), image_(image), batch_size_(batch_size), op_(op) {}

  // One image: `size` bytes of x's dtype in [C, H, W] order.
  void add(const void* pixels, size_t size, std::vector<double>& scores) {
    const auto* p = static_cast<const unsigned char*>(pixels);
    pending_.insert(pending_.end(), p, p + size);
    if (++count_ == batch_size_) flush(scores);
  }

  void flush(std::vector<double>& scores) {
    if (count_ == 0) return;
    Shape shape = image_.shape();
    shape.insert(shape.begin(), count_);
    const Tensor batch = from_buffer(pending_.data(), shape, image_.dtype()).to(image_.device());
    const Tensor s = score_(batch);
    HTP_CHECK(s.defined() && s.numel() == count_ && (s.dim() == 1 || (s.dim() == 2 && s.size(1) == 1)), op_,
              ": the score function must return [", count_, "] or [", count_, ", 1] scores for images ",
              batch.describe(), ", got ", s.defined() ? s.describe() : std::string("an undefined tensor"));
    const std::vector<double> v = s.to_vector();
    scores.insert(scores.end(), v.begin(), v.end());
    pending_.clear();
    count_ = 0;
  }

 private:
  const ScoreFunction& score_;
  const Tensor& image_;
  int64_t batch_size_;
  const char* op_;
  std::vector<unsigned char> pending_;  // the pending images' bytes
  int64_t count_ = 0;
};

PerturbationCurve perturbation_curve(const Tensor& image, const Tensor& map, const ScoreFunction& score,
                                     const PerturbationOptions& options, bool insertion, const char* op) {
  HTP_CHECK(image.defined() && image.dim() == 3 && detail::is_f32_or_f64(image) && image.numel() > 0, op,
            ": expected a non-empty float32/float64 image [C, H, W], got ",
            image.defined() ? image.describe() : std::string("an undefined tensor"));
  detail::check_map(map, op);
  HTP_CHECK(map.size(0) == image.size(1) && map.size(1) == image.size(2), op, ": the map ", map.describe(),
            " does not match the image ", image.describe(), " (need [H, W] of the image [C, H, W])");
  HTP_CHECK(options.step > 0 && options.step <= 1, op, ": the step must be a fraction in (0, 1], got ", options.step);
  HTP_CHECK(options.batch_size >= 1, op, ": the batch size must be >= 1, got ", options.batch_size);
  HTP_CHECK(static_cast<bool>(score), op, ": no score function given");

  const int64_t C = image.size(0), P = image.size(1) * image.size(2);
  const int64_t per_step = std::max<int64_t>(1, std::llround(options.step * static_cast<double>(P)));
  const std::vector<int64_t> order = pixel_order(map, options.order, op);
  PerturbationCurve curve;
  BatchScorer scorer(score, image, options.batch_size, op);
  dispatch_floating(image.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    const Tensor x = image.to(Device::cpu()).contiguous();
    const T* source = x.data<T>();
    const T base = static_cast<T>(options.baseline);
    std::vector<T> current(static_cast<size_t>(C * P));
    if (insertion)
      std::fill(current.begin(), current.end(), base);
    else
      std::copy(source, source + C * P, current.begin());
    for (int64_t done = 0;;) {
      curve.fractions.push_back(static_cast<double>(done) / static_cast<double>(P));
      scorer.add(current.data(), current.size() * sizeof(T), curve.scores);
      if (done == P) break;
      const int64_t next = std::min(done + per_step, P);
      for (; done < next; ++done)
        for (int64_t c = 0; c < C; ++c) {
          const int64_t at = c * P + order[static_cast<size_t>(done)];
          current[static_cast<size_t>(at)] = insertion ? source[at] : base;
        }
    }
    scorer.flush(curve.scores);
  });
  curve.area = curve_area(curve.fractions, curve.scores);
  return curve;
}

}  // namespace

PerturbationCurve deletion_curve(const Tensor& image, const Tensor& map, const ScoreFunction& score,
                                 const PerturbationOptions& options) {
  return perturbation_curve(image, map, score, options, false, "deletion_curve");
}

PerturbationCurve insertion_curve(const Tensor& image, const Tensor& map, const ScoreFunction& score,
                                  const PerturbationOptions& options) {
  return perturbation_curve(image, map, score, options, true, "insertion_curve");
}

double curve_area(const std::vector<double>& fractions, const std::vector<double>& scores) {
  HTP_CHECK(fractions.size() == scores.size() && fractions.size() >= 2, "curve_area: need as many fractions (",
            fractions.size(), ") as scores (", scores.size(), "), at least 2");
  double area = 0;
  for (size_t k = 0; k + 1 < fractions.size(); ++k) {
    HTP_CHECK(fractions[k + 1] >= fractions[k], "curve_area: the fractions must ascend, but fraction ", k + 1, " (",
              fractions[k + 1], ") < fraction ", k, " (", fractions[k], ")");
    area += (fractions[k + 1] - fractions[k]) * (scores[k] + scores[k + 1]) / 2;
  }
  return area;
}

}  // namespace htp::metrics
