#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <iostream>
#include <numeric>
#include <set>

#include "datasets/har_windows.h"
#include "datasets/synthetic_har.h"

using namespace slimlab::data;

namespace {

// Per-window features a first HAR baseline would use: per-channel mean and
// standard deviation, and mean / standard deviation of the acc and gyro norms.
std::vector<double> features(const float* x, int channels, int W) {
  std::vector<double> f;
  for (int c = 0; c < channels; ++c) {
    double m = 0, v = 0;
    for (int t = 0; t < W; ++t) m += x[c * W + t];
    m /= W;
    for (int t = 0; t < W; ++t) v += (x[c * W + t] - m) * (x[c * W + t] - m);
    f.push_back(m);
    f.push_back(std::sqrt(v / W));
  }
  for (int s = 0; s < channels / 3; ++s) {
    double m = 0, v = 0;
    std::vector<double> norm(size_t(W), 0.0);
    for (int t = 0; t < W; ++t) {
      for (int d = 0; d < 3; ++d) norm[size_t(t)] += double(x[(3 * s + d) * W + t]) * x[(3 * s + d) * W + t];
      norm[size_t(t)] = std::sqrt(norm[size_t(t)]);
      m += norm[size_t(t)];
    }
    m /= W;
    for (double n : norm) v += (n - m) * (n - m);
    f.push_back(m);
    f.push_back(std::sqrt(v / W));
  }
  return f;
}

// Multinomial logistic regression, full-batch gradient descent on standardized features.
struct Softmax {
  int classes = 0, dims = 0;
  std::vector<double> w, mean, scale;

  void fit(const std::vector<std::vector<double>>& x, const std::vector<int>& y, int k) {
    classes = k;
    dims = int(x[0].size());
    mean.assign(size_t(dims), 0);
    scale.assign(size_t(dims), 0);
    for (const auto& r : x)
      for (int j = 0; j < dims; ++j) mean[size_t(j)] += r[size_t(j)] / double(x.size());
    for (const auto& r : x)
      for (int j = 0; j < dims; ++j) scale[size_t(j)] += std::pow(r[size_t(j)] - mean[size_t(j)], 2) / double(x.size());
    for (double& s : scale) s = 1.0 / std::sqrt(s + 1e-12);
    w.assign(size_t(k * (dims + 1)), 0);
    std::vector<double> grad(w.size()), p(static_cast<size_t>(k));
    for (int it = 0; it < 400; ++it) {
      std::fill(grad.begin(), grad.end(), 0.0);
      for (size_t i = 0; i < x.size(); ++i) {
        probs(x[i], p);
        for (int c = 0; c < k; ++c) {
          const double g = p[size_t(c)] - (y[i] == c ? 1 : 0);
          double* gc = grad.data() + c * (dims + 1);
          for (int j = 0; j < dims; ++j) gc[j] += g * (x[i][size_t(j)] - mean[size_t(j)]) * scale[size_t(j)];
          gc[dims] += g;
        }
      }
      for (size_t j = 0; j < w.size(); ++j) w[j] -= 0.5 * grad[j] / double(x.size());
    }
  }
  void probs(const std::vector<double>& x, std::vector<double>& p) const {
    double mx = -1e300;
    for (int c = 0; c < classes; ++c) {
      const double* wc = w.data() + c * (dims + 1);
      double z = wc[dims];
      for (int j = 0; j < dims; ++j) z += wc[j] * (x[size_t(j)] - mean[size_t(j)]) * scale[size_t(j)];
      p[size_t(c)] = z;
      mx = std::max(mx, z);
    }
    double sum = 0;
    for (double& v : p) sum += (v = std::exp(v - mx));
    for (double& v : p) v /= sum;
  }
  int predict(const std::vector<double>& x) const {
    std::vector<double> p(static_cast<size_t>(classes));
    probs(x, p);
    return int(std::max_element(p.begin(), p.end()) - p.begin());
  }
};

// Frequency (Hz) of the largest spectral peak of the acc norm between 0.7 and 5 Hz.
double dominant_gait_hz(const Recording& r) {
  const int64_t n = r.frames();
  std::vector<double> norm(static_cast<size_t>(n));
  double mean = 0;
  for (int64_t t = 0; t < n; ++t) {
    norm[size_t(t)] = std::sqrt(double(r.at(t, 0)) * r.at(t, 0) + double(r.at(t, 1)) * r.at(t, 1) +
                                double(r.at(t, 2)) * r.at(t, 2));
    mean += norm[size_t(t)] / double(n);
  }
  double best = 0, best_hz = 0;
  for (double hz = 0.7; hz <= 5.0; hz += 0.02) {
    std::complex<double> acc = 0;
    for (int64_t t = 0; t < n; ++t) acc += (norm[size_t(t)] - mean) * std::polar(1.0, -2 * M_PI * hz * t / r.rate_hz);
    if (std::abs(acc) > best) best = std::abs(acc), best_hz = hz;
  }
  return best_hz;
}

}  // namespace

TEST(SyntheticHar, ShapeNamesAndDeterminism) {
  SyntheticHarOptions opt;
  opt.num_subjects = 3;
  opt.recordings_per_activity = 2;
  opt.seconds = 5;
  const RecordingSet a = make_synthetic_har(opt);
  EXPECT_EQ(a.modality, Modality::kHar);
  EXPECT_EQ(a.class_names,
            (std::vector<std::string>{"walk", "jog", "upstairs", "downstairs", "sit", "stand", "lie"}));
  EXPECT_EQ(a.channel_names, (std::vector<std::string>{"acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z"}));
  ASSERT_EQ(a.recordings.size(), size_t(3 * 7 * 2));
  EXPECT_EQ(a.recordings[0].group, "subj00");
  EXPECT_EQ(a.recordings.back().group, "subj02");
  EXPECT_EQ(a.recordings[5].source, "synthetic:har#5");
  EXPECT_EQ(a.recordings[5].label, 2);
  for (const Recording& r : a.recordings) {
    EXPECT_EQ(r.channels, 6);
    EXPECT_EQ(r.frames(), 250);
    EXPECT_EQ(r.rate_hz, 50.0);
    for (float v : r.samples) ASSERT_TRUE(std::isfinite(v));
  }
  const RecordingSet b = make_synthetic_har(opt);
  for (size_t i = 0; i < a.recordings.size(); ++i) ASSERT_EQ(a.recordings[i].samples, b.recordings[i].samples);
  opt.seed = 2;
  const RecordingSet c = make_synthetic_har(opt);
  EXPECT_NE(a.recordings[0].samples, c.recordings[0].samples);
  // Adding subjects keeps the recordings already there.
  opt.seed = 1;
  opt.num_subjects = 4;
  const RecordingSet d = make_synthetic_har(opt);
  EXPECT_EQ(d.recordings[7].samples, a.recordings[7].samples);

  opt.gyroscope = false;
  EXPECT_EQ(make_synthetic_har(opt).recordings[0].channels, 3);
  opt.num_subjects = 0;
  EXPECT_THROW(make_synthetic_har(opt), std::invalid_argument);
}

TEST(SyntheticHar, PlausibleSignatures) {
  SyntheticHarOptions opt;
  opt.num_subjects = 4;
  opt.recordings_per_activity = 1;
  opt.seconds = 20;
  const RecordingSet set = make_synthetic_har(opt);
  auto mean_acc = [](const Recording& r) {
    std::vector<double> m(3, 0.0);
    for (int64_t t = 0; t < r.frames(); ++t)
      for (int c = 0; c < 3; ++c) m[size_t(c)] += r.at(t, c) / double(r.frames());
    return m;
  };
  auto norm = [](const std::vector<double>& v) { return std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]); };
  auto angle_deg = [&](const std::vector<double>& a, const std::vector<double>& b) {
    return std::acos((a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / (norm(a) * norm(b))) * 180 / M_PI;
  };
  for (const Recording& r : set.recordings) {
    const std::string& cls = set.class_names[size_t(r.label)];
    // The motion averages out: the mean acceleration is gravity, |mean| ≈ g.
    EXPECT_NEAR(norm(mean_acc(r)), 9.8, 0.6) << cls << " " << r.source;
    if (cls == "walk") {
      const double f = dominant_gait_hz(r);
      EXPECT_GT(f, 1.8 * 0.8) << r.source;
      EXPECT_LT(f, 1.8 * 1.2) << r.source;
    }
    if (cls == "jog") {
      const double f = dominant_gait_hz(r);
      EXPECT_GT(f, 2.8 * 0.8) << r.source;
      EXPECT_LT(f, 2.8 * 1.2) << r.source;
    }
  }
  // Posture shows in the direction of gravity: sit leans back from stand, lie is far off.
  for (int s = 0; s < opt.num_subjects; ++s) {
    const size_t base = size_t(s) * 7;  // one recording per activity
    const auto sit = mean_acc(set.recordings[base + 4]), stand = mean_acc(set.recordings[base + 5]),
               lie = mean_acc(set.recordings[base + 6]);
    EXPECT_GT(angle_deg(sit, stand), 8.0) << "subject " << s;
    EXPECT_LT(angle_deg(sit, stand), 50.0) << "subject " << s;
    EXPECT_GT(angle_deg(lie, stand), 50.0) << "subject " << s;
  }
}

TEST(SyntheticHar, LearnableAcrossSubjectsButNotTrivially) {
  const RecordingSet set = make_synthetic_har(SyntheticHarOptions{});
  std::vector<size_t> train_idx, test_idx;
  for (size_t i = 0; i < set.recordings.size(); ++i)
    (set.recordings[i].group < "subj07" ? train_idx : test_idx).push_back(i);
  ASSERT_EQ(train_idx.size(), size_t(7 * 7 * 4));
  WindowOptions wo;  // 2 s, 50 % overlap
  const ArraySet train = make_windows(set, train_idx, wo);
  const ArraySet test = make_windows(set, test_idx, wo);
  ASSERT_EQ(train.sample_shape, (std::vector<int64_t>{6, 100}));
  ASSERT_EQ(train.size(), train_idx.size() * 19);  // floor((1000 − 100) / 50) + 1

  auto featurize = [](const ArraySet& w, std::vector<std::vector<double>>& x, std::vector<int>& y) {
    for (size_t i = 0; i < w.size(); ++i) {
      x.push_back(features(w.sample(i), 6, 100));
      y.push_back(w.labels[i]);
    }
  };
  std::vector<std::vector<double>> xtr, xte;
  std::vector<int> ytr, yte;
  featurize(train, xtr, ytr);
  featurize(test, xte, yte);
  Softmax model;
  model.fit(xtr, ytr, 7);
  int correct = 0;
  for (size_t i = 0; i < xte.size(); ++i) correct += model.predict(xte[i]) == yte[i];
  const double acc = double(correct) / double(xte.size());
  std::cout << "synthetic HAR: softmax regression on window statistics, train subjects 0-6, test 7-9: accuracy "
            << acc << " (" << xte.size() << " test windows, chance " << 1.0 / 7 << ")" << std::endl;
  EXPECT_GT(acc, 1.0 / 7 + 0.15);
  EXPECT_LT(acc, 0.97);
}
