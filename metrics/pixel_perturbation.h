// Pixel deletion and insertion curves (paper spec §4.4; the paper's exact protocol is not in the released code, so
// every choice below is a parameter).
//
// For an image x [C, H, W], a map A [H, W] ranking its P = H·W pixels and a model score s(·) of the target class:
//   order     the pixels sorted by A descending (most_relevant_first) or ascending (least_relevant_first), ties by
//             ascending flat index y·W + x (a stable sort), so the order is deterministic
//   steps     every step perturbs q = max(1, round(step · P)) more pixels: after step k the first
//             n_k = min(k q, P) pixels of the order are perturbed, k = 0 … K with n_K = P
//   deletion  image k = x with the first n_k pixels set to `baseline` in every channel
//   insertion image k = the all-`baseline` image with the first n_k pixels restored from x
//   curve     fractions f_k = n_k / P and scores s_k = s(image k); `score` maps a batch [B, C, H, W] (x's dtype and
//             device) to B target scores ([B] or [B, 1]) and is called on batches of at most batch_size images
//   area      the trapezoid rule over (f_k, s_k) on [0, 1]: Σ_k (f_{k+1} - f_k)(s_k + s_{k+1}) / 2
//
// With the most relevant pixels first, a good ranking gives a low deletion area and a high insertion area. The
// spec's provisional stability protocol (§4.4) is deletion with least_relevant_first, baseline 0 and the target
// probability as the score (higher area = more stable).
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "tensor/tensor.h"

namespace htp::metrics {

enum class PixelOrder { most_relevant_first, least_relevant_first };

struct PerturbationOptions {
  PixelOrder order = PixelOrder::most_relevant_first;
  double step = 0.1;        // fraction of the pixels perturbed per step, in (0, 1]
  double baseline = 0.0;    // the value of a perturbed (deleted, or not yet inserted) pixel
  int64_t batch_size = 16;  // images per call of the score function, >= 1
};

struct PerturbationCurve {
  std::vector<double> fractions;  // f_0 = 0 … f_K = 1
  std::vector<double> scores;
  double area = 0;
};

using ScoreFunction = std::function<Tensor(const Tensor& images)>;

PerturbationCurve deletion_curve(const Tensor& image, const Tensor& map, const ScoreFunction& score,
                                 const PerturbationOptions& options = {});
PerturbationCurve insertion_curve(const Tensor& image, const Tensor& map, const ScoreFunction& score,
                                  const PerturbationOptions& options = {});

// The trapezoid area under (fractions, scores); fractions ascending, equal sizes >= 2.
double curve_area(const std::vector<double>& fractions, const std::vector<double>& scores);

}  // namespace htp::metrics
