// Evaluation metrics of the training commands (apps/train_metrics.h) on hand-made scores: top-1/top-5 with ties and
// absent classes, average precision against hand-computed values (ties as one threshold, ignored samples, classes
// without positives left out of the mAP).
#include <doctest/doctest.h>

#include <cmath>

#include "apps/train_metrics.h"
#include "tensor/creation.h"

using namespace htp;
using app::average_precision;

TEST_SUITE("train") {
  TEST_CASE("train metrics: top-1 and top-5 accuracy, per-class accuracy, ties to the lower class index") {
    // 3 samples, 6 classes.
    const Tensor scores = tensor(std::vector<float>{0.1f, 0.9f, 0.2f, 0.3f, 0.4f, 0.5f,   // label 1: rank 0
                                                    0.6f, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f,   // label 5: rank 5
                                                    0.7f, 0.7f, 0.7f, 0.0f, 0.0f, 0.0f},  // label 1: tie, rank 1
                                 {3, 6});
    const Tensor labels = tensor(std::vector<int64_t>{1, 5, 1}, {3});
    const app::TopKResult r = app::topk_accuracy(scores, labels);
    CHECK(r.samples == 3);
    CHECK(r.top1 == doctest::Approx(1.0 / 3));
    CHECK(r.top5 == doctest::Approx(2.0 / 3));
    CHECK(r.class_samples[1] == 2);
    CHECK(r.class_accuracy[1] == doctest::Approx(0.5));
    CHECK(r.class_accuracy[5] == 0.0);
    CHECK(std::isnan(r.class_accuracy[0]));  // no sample of class 0

    // The tie goes to the lower index: label 0 of an all-equal row is top-1 correct, label 2 is not.
    const Tensor flat = zeros({2, 3});
    CHECK(app::topk_accuracy(flat, tensor(std::vector<int64_t>{0, 2}, {2})).top1 == doctest::Approx(0.5));
    CHECK_THROWS_WITH(app::topk_accuracy(flat, tensor(std::vector<int64_t>{0, 3}, {2})),
                      doctest::Contains("label 3 of sample 1 is outside [0, 3)"));
    CHECK_THROWS_WITH(app::topk_accuracy(flat, tensor(std::vector<int64_t>{0}, {1})),
                      doctest::Contains("labels must be int64 [N] for scores float32[2, 3] on cpu"));
  }

  TEST_CASE("train metrics: average precision by hand, ties as one threshold, ignored samples") {
    // Ranked: +, −, +, −: precisions at the positives 1 and 2/3.
    CHECK(average_precision({0.9, 0.8, 0.7, 0.6}, {1, 0, 1, 0}) == doctest::Approx((1.0 + 2.0 / 3) / 2));
    // scikit-learn's example: average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.8333.
    CHECK(average_precision({0.1, 0.4, 0.35, 0.8}, {0, 0, 1, 1}) == doctest::Approx(5.0 / 6));
    // A tie between a positive and a negative is one threshold of precision 1/2, in either order.
    CHECK(average_precision({0.5, 0.5}, {1, 0}) == doctest::Approx(0.5));
    CHECK(average_precision({0.5, 0.5}, {0, 1}) == doctest::Approx(0.5));
    // A tied block after a clean positive: thresholds 0.9 (R 1/2, P 1) and 0.4 (R 1, P 2/4).
    CHECK(average_precision({0.9, 0.4, 0.4, 0.4}, {1, 0, 1, 0}) == doctest::Approx(0.5 * 1 + 0.5 * 0.5));
    // The ignored negative at the top no longer costs precision.
    CHECK(average_precision({0.9, 0.8, 0.7}, {0, 1, 0}, {1, 0, 0}) == doctest::Approx(1.0));
    CHECK(std::isnan(average_precision({0.3, 0.2}, {0, 0})));
    CHECK(average_precision({0.3, 0.2}, {1, 1}) == doctest::Approx(1.0));
  }

  TEST_CASE("train metrics: mAP over classes leaves out classes without positives") {
    const Tensor scores = tensor(std::vector<float>{0.9f, 0.1f, 0.5f,  //
                                                    0.8f, 0.7f, 0.4f,  //
                                                    0.1f, 0.2f, 0.3f},
                                 {3, 3});
    const Tensor targets = tensor(std::vector<float>{1, 0, 0,  //
                                                     0, 1, 0,  //
                                                     1, 0, 0},
                                  {3, 3});
    const app::MapResult r = app::mean_average_precision(scores, targets);
    // Class 0: ranked +, −, + → (1 + 2/3)/2. Class 1: the positive is first → 1. Class 2: no positive.
    CHECK(r.class_ap[0] == doctest::Approx((1.0 + 2.0 / 3) / 2));
    CHECK(r.class_ap[1] == doctest::Approx(1.0));
    CHECK(std::isnan(r.class_ap[2]));
    CHECK(r.classes_with_ap == 2);
    CHECK(r.map == doctest::Approx(((1.0 + 2.0 / 3) / 2 + 1.0) / 2));

    // Ignoring sample 1 in class 0 (a VOC difficult-only class) makes class 0 perfect.
    Tensor ignore = zeros({3, 3});
    ignore.data<float>()[3] = 1;
    CHECK(app::mean_average_precision(scores, targets, ignore).class_ap[0] == doctest::Approx(1.0));
    CHECK_THROWS_WITH(app::mean_average_precision(scores, zeros({3, 2})),
                      doctest::Contains("mAP: scores float32[3, 3] on cpu and targets float32[3, 2] on cpu"));
  }

}  // TEST_SUITE
