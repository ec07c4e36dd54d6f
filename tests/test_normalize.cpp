#include <gtest/gtest.h>

#include <cmath>

#include "datasets/normalize.h"

using namespace slimlab::data;

TEST(Normalization, FitsOnTrainAndAppliesPerChannel) {
  ArraySet train;
  train.sample_shape = {2, 3};  // 2 channels × 3 steps
  train.class_names = {"a"};
  // channel 0 = 1..6 across two samples, channel 1 constant 10
  train.values = {1, 2, 3, 10, 10, 10, 4, 5, 6, 10, 10, 10};
  train.labels = {0, 0};
  const auto n = Normalization::fit(train, 0);
  ASSERT_EQ(n.mean.size(), 2u);
  EXPECT_NEAR(n.mean[0], 3.5, 1e-6);
  EXPECT_NEAR(n.stddev[0], std::sqrt(17.5 / 6.0), 1e-5);
  EXPECT_NEAR(n.mean[1], 10, 1e-6);
  EXPECT_GE(n.stddev[1], 1e-6f);  // constant channel does not divide by zero
  ArraySet test = train;
  n.apply(test);
  EXPECT_NEAR(test.values[0], (1 - 3.5) / std::sqrt(17.5 / 6.0), 1e-5);
  EXPECT_NEAR(test.values[3], 0.0, 1e-3);
}

TEST(Normalization, InnerAxis) {
  ArraySet s;
  s.sample_shape = {1, 2, 2};  // per index of axis 1
  s.values = {0, 2, 10, 30};
  s.labels = {0};
  const auto n = Normalization::fit(s, 1);
  ASSERT_EQ(n.mean.size(), 2u);
  EXPECT_NEAR(n.mean[0], 1, 1e-6);
  EXPECT_NEAR(n.mean[1], 20, 1e-6);
  EXPECT_THROW(Normalization::fit(s, 3), std::invalid_argument);
}
