#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "datasets/audio_features.h"
#include "datasets/synthetic_audio.h"

using namespace slimlab::data;

namespace {

// Time-averaged log-mel of each clip, z-scored with the training set's statistics.
std::vector<std::vector<double>> mean_logmel(const RecordingSet& set) {
  AudioFeatureExtractor fx(AudioFeatureOptions{});
  const auto shape = fx.feature_shape();
  const int64_t mels = shape[1], frames = shape[2];
  std::vector<float> f(size_t(fx.feature_numel()));
  std::vector<std::vector<double>> out;
  for (const auto& r : set.recordings) {
    fx.extract(r.samples.data(), r.frames(), f.data());
    std::vector<double> v(size_t(mels), 0.0);
    for (int64_t m = 0; m < mels; ++m) {
      for (int64_t t = 0; t < frames; ++t) v[size_t(m)] += f[size_t(m * frames + t)];
      v[size_t(m)] /= double(frames);
    }
    out.push_back(v);
  }
  return out;
}

// Multinomial logistic regression by full-batch gradient descent; returns the
// accuracy on the test indices.
double softmax_regression_accuracy(const std::vector<std::vector<double>>& x, const std::vector<int>& y, int classes,
                                   const std::vector<size_t>& train, const std::vector<size_t>& test) {
  const size_t d = x[0].size();
  std::vector<double> mean(d, 0.0), sd(d, 0.0);
  for (size_t i : train)
    for (size_t j = 0; j < d; ++j) mean[j] += x[i][j] / double(train.size());
  for (size_t i : train)
    for (size_t j = 0; j < d; ++j) sd[j] += (x[i][j] - mean[j]) * (x[i][j] - mean[j]) / double(train.size());
  for (auto& s : sd) s = std::sqrt(s) + 1e-9;
  std::vector<std::vector<double>> zs(x.size(), std::vector<double>(d));
  for (size_t i = 0; i < x.size(); ++i)
    for (size_t j = 0; j < d; ++j) zs[i][j] = (x[i][j] - mean[j]) / sd[j];
  auto z = [&](size_t i, size_t j) { return zs[i][j]; };
  std::vector<double> w(size_t(classes) * (d + 1), 0.0);
  std::vector<double> grad(w.size()), p(static_cast<size_t>(classes));
  auto scores = [&](size_t i) {
    double mx = -1e300;
    for (int c = 0; c < classes; ++c) {
      double s = w[size_t(c) * (d + 1) + d];
      for (size_t j = 0; j < d; ++j) s += w[size_t(c) * (d + 1) + j] * z(i, j);
      p[size_t(c)] = s;
      mx = std::max(mx, s);
    }
    return mx;
  };
  for (int epoch = 0; epoch < 300; ++epoch) {
    std::fill(grad.begin(), grad.end(), 0.0);
    for (size_t i : train) {
      const double mx = scores(i);
      double sum = 0;
      for (auto& v : p) sum += (v = std::exp(v - mx));
      for (int c = 0; c < classes; ++c) {
        const double g = p[size_t(c)] / sum - (c == y[i] ? 1.0 : 0.0);
        for (size_t j = 0; j < d; ++j) grad[size_t(c) * (d + 1) + j] += g * z(i, j);
        grad[size_t(c) * (d + 1) + d] += g;
      }
    }
    for (size_t k = 0; k < w.size(); ++k) w[k] -= 0.5 * (grad[k] / double(train.size()) + 1e-3 * w[k]);
  }
  int correct = 0;
  for (size_t i : test) {
    scores(i);
    int best = 0;
    for (int c = 1; c < classes; ++c)
      if (p[size_t(c)] > p[size_t(best)]) best = c;
    correct += best == y[i];
  }
  return double(correct) / double(test.size());
}

}  // namespace

TEST(SyntheticAudio, ShapeLabelsAndGroups) {
  SyntheticAudioOptions o;
  o.clips_per_class_per_speaker = 2;
  const RecordingSet set = make_synthetic_audio(o);
  EXPECT_EQ(set.modality, slimlab::data::Modality::kAudio);
  EXPECT_EQ(set.channel_names, std::vector<std::string>{"mic"});
  ASSERT_EQ(set.class_names.size(), 10u);
  EXPECT_EQ(set.class_names[0], "a-i");
  EXPECT_EQ(set.class_names[1], "i-a");
  ASSERT_EQ(set.recordings.size(), 10u * 8 * 2);
  std::set<std::string> groups;
  for (size_t i = 0; i < set.recordings.size(); ++i) {
    const auto& r = set.recordings[i];
    EXPECT_EQ(r.label, int(i / 16));
    EXPECT_EQ(r.group, "spk" + std::to_string((i % 16) / 2));
    EXPECT_EQ(r.source, "synthetic:audio#" + std::to_string(i));
    EXPECT_EQ(r.channels, 1);
    EXPECT_EQ(r.rate_hz, 8000);
    ASSERT_EQ(r.frames(), 8000);
    float peak = 0;
    for (float v : r.samples) {
      ASSERT_TRUE(std::isfinite(v));
      peak = std::max(peak, std::fabs(v));
    }
    EXPECT_GE(peak, 0.2f - 1e-5f);
    EXPECT_LE(peak, 0.9f + 1e-5f);
    groups.insert(r.group);
  }
  EXPECT_EQ(groups.size(), 8u);
}

TEST(SyntheticAudio, DeterministicBySeed) {
  SyntheticAudioOptions o;
  o.num_speakers = 2, o.clips_per_class_per_speaker = 1;
  const RecordingSet a = make_synthetic_audio(o), b = make_synthetic_audio(o);
  o.seed = 2;
  const RecordingSet c = make_synthetic_audio(o);
  ASSERT_EQ(a.recordings.size(), b.recordings.size());
  for (size_t i = 0; i < a.recordings.size(); ++i) EXPECT_EQ(a.recordings[i].samples, b.recordings[i].samples) << i;
  EXPECT_NE(a.recordings[0].samples, c.recordings[0].samples);
}

TEST(SyntheticAudio, ManyClassesHaveDistinctNames) {
  SyntheticAudioOptions o;
  o.num_classes = 120, o.num_speakers = 1, o.clips_per_class_per_speaker = 1, o.seconds = 0.5;
  const RecordingSet set = make_synthetic_audio(o);
  ASSERT_EQ(set.class_names.size(), 120u);
  EXPECT_EQ(std::set<std::string>(set.class_names.begin(), set.class_names.end()).size(), 120u);
  EXPECT_EQ(set.recordings[0].frames(), 4000);
}

TEST(SyntheticAudio, InvalidOptionsNameTheOption) {
  auto message = [](SyntheticAudioOptions o) -> std::string {
    try {
      make_synthetic_audio(o);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "(no invalid_argument)";
  };
  SyntheticAudioOptions o;
  o.num_classes = 1;
  EXPECT_NE(message(o).find("num_classes"), std::string::npos);
  o = {}, o.num_speakers = 0;
  EXPECT_NE(message(o).find("num_speakers"), std::string::npos);
  o = {}, o.rate_hz = 4000;
  EXPECT_NE(message(o).find("rate_hz"), std::string::npos);
  o = {}, o.seconds = 0.1;
  EXPECT_NE(message(o).find("seconds"), std::string::npos);
  o = {}, o.clips_per_class_per_speaker = 0;
  EXPECT_NE(message(o).find("clips_per_class_per_speaker"), std::string::npos);
}

TEST(SyntheticAudio, LearnableAcrossSpeakersButNotTrivially) {
  SyntheticAudioOptions o;  // 10 classes × 8 speakers × 30 clips
  const RecordingSet set = make_synthetic_audio(o);
  const auto x = mean_logmel(set);
  std::vector<int> y;
  std::vector<size_t> train, test;
  for (size_t i = 0; i < set.recordings.size(); ++i) {
    y.push_back(set.recordings[i].label);
    const int speaker = std::stoi(set.recordings[i].group.substr(3));
    (speaker < 6 ? train : test).push_back(i);
  }
  const double acc = softmax_regression_accuracy(x, y, o.num_classes, train, test);
  std::cout << "synthetic audio: time-averaged log-mel + softmax regression, unseen speakers: accuracy "
            << acc << " (chance " << 1.0 / o.num_classes << ")\n";
  EXPECT_GT(acc, 1.0 / o.num_classes + 0.15);
  EXPECT_LT(acc, 0.97);
}
