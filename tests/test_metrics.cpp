// compute_metrics: accuracy, macro-F1 (classes absent from labels and
// predictions skipped) and the confusion matrix (row = true class).
#include <gtest/gtest.h>

#include <stdexcept>

#include "train/metrics.h"

using slimlab::train::compute_metrics;

TEST(Metrics, PerfectPredictions) {
  const auto m = compute_metrics({0, 1, 2, 1}, {0, 1, 2, 1}, 3, 0.25);
  EXPECT_DOUBLE_EQ(m.accuracy, 1.0);
  EXPECT_DOUBLE_EQ(m.macro_f1, 1.0);
  EXPECT_DOUBLE_EQ(m.loss, 0.25);
  EXPECT_EQ(m.samples, 4);
  EXPECT_EQ(m.num_classes, 3);
  EXPECT_EQ(m.confusion, (std::vector<int64_t>{1, 0, 0, 0, 2, 0, 0, 0, 1}));
}

TEST(Metrics, ConfusionRowIsTrueClass) {
  // Two samples of class 0 predicted as 1, one sample of class 1 predicted as 1.
  const auto m = compute_metrics({0, 0, 1}, {1, 1, 1}, 2);
  EXPECT_EQ(m.confusion, (std::vector<int64_t>{0, 2, 0, 1}));
  EXPECT_NEAR(m.accuracy, 1.0 / 3.0, 1e-12);
}

TEST(Metrics, MacroF1ByHand) {
  // true:  0 0 0 1 1 2
  // pred:  0 0 1 1 2 2
  // class 0: TP 2, FP 0, FN 1 → F1 = 4/5
  // class 1: TP 1, FP 1, FN 1 → F1 = 2/4
  // class 2: TP 1, FP 1, FN 0 → F1 = 2/3
  const auto m = compute_metrics({0, 0, 0, 1, 1, 2}, {0, 0, 1, 1, 2, 2}, 3);
  EXPECT_NEAR(m.macro_f1, (0.8 + 0.5 + 2.0 / 3.0) / 3.0, 1e-12);
  EXPECT_NEAR(m.accuracy, 4.0 / 6.0, 1e-12);
}

TEST(Metrics, AbsentClassIsSkippedButMissedClassCountsZero) {
  // Class 2 never occurs and is never predicted: skipped. Class 1 occurs but is
  // never predicted correctly: F1 = 0 and it pulls the mean down.
  const auto m = compute_metrics({0, 0, 1}, {0, 0, 0}, 3);
  // class 0: TP 2, FP 1, FN 0 → 4/5; class 1: 0
  EXPECT_NEAR(m.macro_f1, 0.4, 1e-12);
}

TEST(Metrics, EmptyInput) {
  const auto m = compute_metrics({}, {}, 4);
  EXPECT_EQ(m.samples, 0);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.0);
  EXPECT_DOUBLE_EQ(m.macro_f1, 0.0);
  EXPECT_EQ(m.confusion.size(), 16u);
}

TEST(Metrics, RejectsBadInput) {
  EXPECT_THROW(compute_metrics({0, 1}, {0}, 2), std::invalid_argument);
  EXPECT_THROW(compute_metrics({0, 2}, {0, 1}, 2), std::invalid_argument);
  EXPECT_THROW(compute_metrics({0}, {-1}, 2), std::invalid_argument);
  EXPECT_THROW(compute_metrics({0}, {0}, 0), std::invalid_argument);
}
