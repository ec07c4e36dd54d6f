#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <iostream>
#include <random>
#include <set>

#include "datasets/synthetic_vision.h"

using slimlab::data::ArraySet;
using slimlab::data::make_synthetic_vision;
using slimlab::data::SyntheticVisionOptions;

namespace {

// Softmax regression on raw pixels, trained by plain SGD on 80 % of the
// samples (a fixed shuffle) and scored on the other 20 %: the "linear probe"
// that says how far the task is from trivially separable.
double linear_probe_accuracy(const ArraySet& s, int epochs, float lr0) {
  const size_t n = s.size(), dim = size_t(s.sample_numel()), classes = s.class_names.size();
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 rng(12345);
  auto shuffle = [&](size_t count) {
    for (size_t i = count - 1; i > 0; --i) std::swap(order[i], order[size_t(rng() % (i + 1))]);
  };
  shuffle(n);
  const size_t train = n * 8 / 10;
  std::vector<float> w(classes * (dim + 1), 0.0f), z(classes);
  auto logits = [&](const float* x) {
    for (size_t k = 0; k < classes; ++k) {
      const float* wk = &w[k * (dim + 1)];
      float a = wk[dim];
      for (size_t j = 0; j < dim; ++j) a += wk[j] * x[j];
      z[k] = a;
    }
  };
  for (int e = 0; e < epochs; ++e) {
    const float lr = lr0 / float(1 + e);
    shuffle(train);
    for (size_t t = 0; t < train; ++t) {
      const float* x = s.sample(order[t]);
      logits(x);
      const float top = *std::max_element(z.begin(), z.end());
      float sum = 0;
      for (float& v : z) sum += v = std::exp(v - top);
      for (size_t k = 0; k < classes; ++k) {
        const float g = lr * (z[k] / sum - (int(k) == s.labels[order[t]] ? 1.0f : 0.0f));
        float* wk = &w[k * (dim + 1)];
        for (size_t j = 0; j < dim; ++j) wk[j] -= g * x[j];
        wk[dim] -= g;
      }
    }
  }
  size_t correct = 0;
  for (size_t t = train; t < n; ++t) {
    logits(s.sample(order[t]));
    correct += size_t(std::max_element(z.begin(), z.end()) - z.begin()) == size_t(s.labels[order[t]]);
  }
  return double(correct) / double(n - train);
}

}  // namespace

TEST(SyntheticVision, DefaultShapeRangeAndNames) {
  const ArraySet s = make_synthetic_vision({});
  EXPECT_EQ(s.modality, slimlab::data::Modality::kVision);
  EXPECT_EQ(s.sample_shape, (std::vector<int64_t>{1, 28, 28}));
  ASSERT_EQ(s.size(), 6000u);
  ASSERT_EQ(s.values.size(), 6000u * 784);
  const auto [lo, hi] = std::minmax_element(s.values.begin(), s.values.end());
  EXPECT_GE(*lo, 0.0f);
  EXPECT_LE(*hi, 1.0f);
  EXPECT_GT(*hi, 0.9f);  // ink reaches near full intensity somewhere
  ASSERT_EQ(s.class_names.size(), 10u);
  EXPECT_EQ(std::set<std::string>(s.class_names.begin(), s.class_names.end()).size(), 10u);
  EXPECT_EQ(s.class_names[0], slimlab::data::synthetic_vision_class_names()[0]);
  ASSERT_EQ(s.group_names.size(), 20u);
  EXPECT_EQ(s.group_names[0], "w00");
  EXPECT_EQ(s.group_names[19], "w19");
  for (size_t i = 0; i < s.size(); ++i) {
    ASSERT_EQ(s.labels[i], int32_t(i % 10));
    ASSERT_GE(s.groups[i], 0);
    ASSERT_LT(s.groups[i], 20);
  }
  // Every image has ink: its brightest pixel is well above its median.
  for (size_t i = 0; i < s.size(); i += 37) {
    std::vector<float> px(s.sample(i), s.sample(i) + 784);
    std::nth_element(px.begin(), px.begin() + 392, px.end());
    const float median = px[392];
    EXPECT_GT(*std::max_element(px.begin(), px.end()) - median, 0.3f) << "sample " << i;
  }
}

TEST(SyntheticVision, ClassAndWriterBalance) {
  const ArraySet s = make_synthetic_vision({});
  for (int64_t c : s.class_counts()) EXPECT_EQ(c, 600);
  // Each writer drew each class equally often, so a split by writer is balanced.
  std::vector<int> per(20 * 10, 0);
  for (size_t i = 0; i < s.size(); ++i) ++per[size_t(s.groups[i] * 10 + s.labels[i])];
  for (int v : per) EXPECT_EQ(v, 30);
}

TEST(SyntheticVision, DeterministicBySeed) {
  SyntheticVisionOptions o;
  o.samples_per_class = 50;
  const ArraySet a = make_synthetic_vision(o), b = make_synthetic_vision(o);
  ASSERT_EQ(a.values.size(), b.values.size());
  EXPECT_EQ(std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(float)), 0);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.groups, b.groups);

  o.seed = 2;
  const ArraySet c = make_synthetic_vision(o);
  size_t differ = 0;
  for (size_t i = 0; i < a.values.size(); ++i) differ += a.values[i] != c.values[i];
  EXPECT_GT(differ, a.values.size() / 2);

  // A sample depends on (seed, class, index, writer), not on how many are drawn.
  o.seed = 1;
  o.samples_per_class = 20;
  const ArraySet prefix = make_synthetic_vision(o);
  ASSERT_EQ(prefix.values.size(), 200u * 784);
  EXPECT_EQ(std::memcmp(prefix.values.data(), a.values.data(), prefix.values.size() * sizeof(float)), 0);
}

TEST(SyntheticVision, RgbColourIsNotTheClass) {
  SyntheticVisionOptions o;
  o.channels = 3;
  o.image_size = 32;
  o.samples_per_class = 300;
  const ArraySet s = make_synthetic_vision(o);
  EXPECT_EQ(s.sample_shape, (std::vector<int64_t>{3, 32, 32}));
  ASSERT_EQ(s.size(), 3000u);
  const auto [lo, hi] = std::minmax_element(s.values.begin(), s.values.end());
  EXPECT_GE(*lo, 0.0f);
  EXPECT_LE(*hi, 1.0f);
  // Colour carries (almost) no class: knowing only an image's mean R, G, B, a
  // nearest-class-centroid rule is barely better than chance. (Not exactly
  // chance: the filled shapes have more ink, so their mean leans towards the
  // foreground colour, which is more often the lighter one.)
  std::vector<std::array<double, 3>> mean(s.size());
  std::vector<std::array<double, 3>> centroid(10, {0, 0, 0});
  for (size_t i = 0; i < s.size(); ++i) {
    for (int c = 0; c < 3; ++c) {
      mean[i][size_t(c)] = 0;
      for (int k = 0; k < 1024; ++k) mean[i][size_t(c)] += s.sample(i)[c * 1024 + k] / 1024.0;
      centroid[size_t(s.labels[i])][size_t(c)] += mean[i][size_t(c)] / 300.0;
    }
  }
  size_t correct = 0;
  double spread = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    size_t best = 0;
    double best_d = 1e30;
    for (size_t k = 0; k < 10; ++k) {
      double d = 0;
      for (int c = 0; c < 3; ++c) d += std::pow(mean[i][size_t(c)] - centroid[k][size_t(c)], 2);
      if (d < best_d) best_d = d, best = k;
    }
    correct += best == size_t(s.labels[i]);
    spread += std::pow(mean[i][0] - mean[i][1], 2) / double(s.size());
  }
  const double colour_acc = double(correct) / double(s.size());
  std::cout << "nearest centroid on mean colour (RGB): " << colour_acc << std::endl;
  EXPECT_LT(colour_acc, 0.1 + 0.1);
  // …while the colours themselves vary a lot from image to image.
  EXPECT_GT(std::sqrt(spread), 0.2);
}

TEST(SyntheticVision, LinearProbeLearnsButIsNotTrivial) {
  const ArraySet grey = make_synthetic_vision({});
  const double acc = linear_probe_accuracy(grey, /*epochs=*/5, /*lr0=*/0.005f);
  std::cout << "linear probe (softmax regression, raw pixels) on 28x28 grey, 10 classes: " << acc << std::endl;
  EXPECT_GT(acc, 0.1 + 0.15);
  EXPECT_LT(acc, 0.97);

  SyntheticVisionOptions o;
  o.channels = 3;
  o.image_size = 32;
  o.samples_per_class = 300;
  const ArraySet rgb = make_synthetic_vision(o);
  const double acc_rgb = linear_probe_accuracy(rgb, /*epochs=*/5, /*lr0=*/0.002f);
  std::cout << "linear probe (softmax regression, raw pixels) on 32x32 RGB, 10 classes: " << acc_rgb << std::endl;
  EXPECT_GT(acc_rgb, 0.1 + 0.15);
  EXPECT_LT(acc_rgb, 0.97);
}

TEST(SyntheticVision, OtherSizesAndOptions) {
  SyntheticVisionOptions o;
  o.image_size = 64;
  o.num_classes = int(slimlab::data::synthetic_vision_class_names().size());
  o.samples_per_class = 3;
  o.num_writers = 150;
  const ArraySet s = make_synthetic_vision(o);
  EXPECT_EQ(s.sample_shape, (std::vector<int64_t>{1, 64, 64}));
  EXPECT_EQ(s.size(), size_t(3 * o.num_classes));
  EXPECT_EQ(s.class_names, slimlab::data::synthetic_vision_class_names());
  ASSERT_EQ(s.group_names.size(), 150u);
  EXPECT_EQ(s.group_names[7], "w007");
  EXPECT_EQ(s.group_names[149], "w149");
  for (float v : s.values) ASSERT_TRUE(v >= 0.0f && v <= 1.0f);
}

TEST(SyntheticVision, RejectsBadOptions) {
  auto bad = [](auto edit) {
    SyntheticVisionOptions o;
    edit(o);
    EXPECT_THROW(make_synthetic_vision(o), std::invalid_argument);
  };
  bad([](SyntheticVisionOptions& o) { o.channels = 2; });
  bad([](SyntheticVisionOptions& o) { o.image_size = 4; });
  bad([](SyntheticVisionOptions& o) { o.num_classes = 1; });
  bad([](SyntheticVisionOptions& o) { o.num_classes = 99; });
  bad([](SyntheticVisionOptions& o) { o.samples_per_class = 0; });
  bad([](SyntheticVisionOptions& o) { o.num_writers = 0; });
  bad([](SyntheticVisionOptions& o) { o.samples_per_class = 2000000000; });  // refused, not allocated
}
