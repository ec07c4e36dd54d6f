// Seeded augmentation (datasets/augment.h): each transform does what it says, the
// draws depend on (seed, epoch, index) only, and options that do not fit the data
// are errors naming the key. Also the per-group normalisation (datasets/group_norm.h).
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "datasets/augment.h"
#include "datasets/cache.h"
#include "datasets/group_norm.h"
#include "datasets/wav.h"
#include "test_util.h"

using namespace slimlab::data;

namespace {

constexpr double kPi = 3.14159265358979323846;

std::vector<float> run(const Augmenter& a, const std::vector<float>& x, int64_t epoch = 0, size_t index = 0,
                       uint64_t seed = 7, int32_t group = -1) {
  std::vector<float> out(x.size());
  a.apply(x.data(), out.data(), seed, epoch, index, group);
  return out;
}

// A HAR window [C, W] of smooth, distinct signals.
std::vector<float> har_window(int64_t c, int64_t w) {
  std::vector<float> x(size_t(c * w));
  for (int64_t ch = 0; ch < c; ++ch)
    for (int64_t i = 0; i < w; ++i) x[size_t(ch * w + i)] = float(std::sin(0.1 * double(i) * double(ch + 1)) + 0.3 * double(ch));
  return x;
}

AugmentOptions har_options(std::vector<std::string> channels) {
  AugmentOptions o;
  o.layout.known = true;
  o.layout.modality = Modality::kHar;
  o.layout.channel_names = std::move(channels);
  return o;
}

Normalization per_axis(std::vector<float> mean, std::vector<float> sd, int axis) {
  Normalization n;
  n.axis = axis;
  n.mean = std::move(mean);
  n.stddev = std::move(sd);
  return n;
}

AugmentOptions audio_options(const std::string& type) {
  AugmentOptions o;
  o.layout.known = true;
  o.layout.modality = Modality::kAudio;
  o.layout.audio.type = type;
  return o;
}

// A 1 s clip at 8 kHz: a decaying tone burst in silence.
std::vector<float> tone_clip() {
  std::vector<float> x(8000, 0.0f);
  for (int i = 2000; i < 6000; ++i) x[size_t(i)] = float(0.5 * std::sin(2 * kPi * 440 * i / 8000.0) * std::exp(-(i - 2000) / 3000.0));
  return x;
}

double snr_db(const std::vector<double>& signal, const std::vector<double>& noise) {
  double s = 0, n = 0;
  for (size_t i = 0; i < signal.size(); ++i) s += signal[i], n += noise[i];
  return 10 * std::log10(s / n);
}

}  // namespace

TEST(Augment, RotationKeepsEveryTripletsNormAndLeavesOtherChannels) {
  AugmentOptions o = har_options({"acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z", "temperature"});
  o.rotation_degrees = 180;
  // Stored values are normalised: the rotation acts on the sensor's units.
  o.layout.normalization = per_axis({0.1f, -0.2f, 9.8f, 0, 0.5f, 0, 20}, {2, 3, 0.5f, 1, 1.5f, 2, 4}, 0);
  const int64_t w = 32;
  const Augmenter a(o, {7, w});
  std::vector<float> x = har_window(7, w);
  const std::vector<float> y = run(a, x, 3, 5);
  std::vector<float> rx = x, ry = y;
  o.layout.normalization.invert_sample(rx.data(), {7, w});
  o.layout.normalization.invert_sample(ry.data(), {7, w});
  double moved = 0;
  for (int t0 : {0, 3})
    for (int64_t i = 0; i < w; ++i) {
      double n0 = 0, n1 = 0;
      for (int k = 0; k < 3; ++k) {
        n0 += double(rx[size_t((t0 + k) * w + i)]) * rx[size_t((t0 + k) * w + i)];
        n1 += double(ry[size_t((t0 + k) * w + i)]) * ry[size_t((t0 + k) * w + i)];
        moved += std::fabs(rx[size_t((t0 + k) * w + i)] - ry[size_t((t0 + k) * w + i)]);
      }
      EXPECT_NEAR(std::sqrt(n1), std::sqrt(n0), 1e-4 * (1 + std::sqrt(n0)));
    }
  EXPECT_GT(moved, 1.0);  // it did rotate
  for (int64_t i = 0; i < w; ++i) EXPECT_NEAR(y[size_t(6 * w + i)], x[size_t(6 * w + i)], 1e-5);
  // Acc and gyro turn by the same rotation: the angle between a fixed acc and gyro vector is kept.
}

TEST(Augment, RotationAngleStaysWithinTheLimit) {
  AugmentOptions o = har_options({"acc_x", "acc_y", "acc_z"});
  o.rotation_degrees = 10;
  const Augmenter a(o, {3, 1});
  for (size_t idx = 0; idx < 50; ++idx) {
    const std::vector<float> v = {1, 0, 0}, r = run(a, v, 0, idx);
    const double angle = std::acos(std::min(1.0, double(r[0]))) * 180 / kPi;  // angle to the x axis
    EXPECT_LE(angle, 10.0 + 1e-3);
  }
}

TEST(Augment, RotationWithoutXyzTripletsIsAnErrorNamingTheKey) {
  AugmentOptions o = har_options({"a", "b", "c"});
  o.rotation_degrees = 30;
  try {
    Augmenter a(o, {3, 16});
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("augment.rotation_degrees"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no xyz triplet"), std::string::npos) << e.what();
  }
  EXPECT_EQ(xyz_triplets({"total_acc_x", "total_acc_y", "total_acc_z", "body_gyro_x", "body_gyro_y", "body_gyro_z"}),
            (std::vector<int>{0, 3}));
  EXPECT_TRUE(xyz_triplets({"acc_x", "gyro_y", "acc_z"}).empty());
}

TEST(Augment, ScalingMultipliesEachChannelByOneFactor) {
  AugmentOptions o = har_options({"acc_x", "acc_y", "acc_z"});
  o.scale_sigma = 0.2;
  const Augmenter a(o, {3, 20});
  const std::vector<float> x = har_window(3, 20), y = run(a, x, 1, 2);
  for (int c = 0; c < 3; ++c) {
    const double f = y[size_t(c * 20 + 5)] / x[size_t(c * 20 + 5)];
    EXPECT_NE(f, 1.0);
    for (int i = 0; i < 20; ++i) {
      if (std::fabs(x[size_t(c * 20 + i)]) > 1e-3) {
        EXPECT_NEAR(y[size_t(c * 20 + i)] / x[size_t(c * 20 + i)], f, 1e-4);
      }
    }
  }
}

TEST(Augment, JitterIsGaussianWithTheGivenSigma) {
  AugmentOptions o = har_options({"acc_x", "acc_y", "acc_z"});
  o.jitter_sigma = 0.3;
  const Augmenter a(o, {3, 4000});
  const std::vector<float> x(12000, 1.0f), y = run(a, x);
  double s1 = 0, s2 = 0;
  for (float v : y) s1 += v - 1.0, s2 += (v - 1.0) * (v - 1.0);
  const double mean = s1 / 12000, sd = std::sqrt(s2 / 12000 - mean * mean);
  EXPECT_NEAR(mean, 0.0, 0.02);
  EXPECT_NEAR(sd, 0.3, 0.02);
}

TEST(Augment, TimeWarpIsAMonotoneRemapThatKeepsTheEnds) {
  AugmentOptions o = har_options({"acc_x", "acc_y", "acc_z"});
  o.time_warp_sigma = 0.3;
  const int64_t w = 100;
  const Augmenter a(o, {3, w});
  std::vector<float> x(size_t(3 * w));
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t i = 0; i < w; ++i) x[size_t(c * w + i)] = c == 2 ? 4.0f : float(i);  // ramps and a constant
  const std::vector<float> y = run(a, x, 2, 9);
  double moved = 0;
  for (int64_t c = 0; c < 2; ++c) {
    EXPECT_NEAR(y[size_t(c * w)], 0.0f, 1e-4);
    EXPECT_NEAR(y[size_t(c * w + w - 1)], float(w - 1), 1e-3);
    for (int64_t i = 1; i < w; ++i) EXPECT_GE(y[size_t(c * w + i)], y[size_t(c * w + i - 1)]);
    for (int64_t i = 0; i < w; ++i) moved += std::fabs(y[size_t(c * w + i)] - x[size_t(c * w + i)]);
  }
  EXPECT_GT(moved, 5.0);
  for (int64_t i = 0; i < w; ++i) EXPECT_FLOAT_EQ(y[size_t(2 * w + i)], 4.0f);
  // The same warp for every channel: both ramps come out identical.
  for (int64_t i = 0; i < w; ++i) EXPECT_FLOAT_EQ(y[size_t(i)], y[size_t(w + i)]);
}

TEST(Augment, SameSeedEpochIndexGiveTheSameOutputAndOtherEpochsDiffer) {
  AugmentOptions o = har_options({"acc_x", "acc_y", "acc_z"});
  o.jitter_sigma = 0.1, o.scale_sigma = 0.1, o.rotation_degrees = 45, o.time_warp_sigma = 0.2;
  const Augmenter a(o, {3, 50}), b(o, {3, 50});
  const std::vector<float> x = har_window(3, 50);
  EXPECT_EQ(run(a, x, 4, 11), run(b, x, 4, 11));
  EXPECT_NE(run(a, x, 4, 11), run(a, x, 5, 11));
  EXPECT_NE(run(a, x, 4, 11), run(a, x, 4, 12));
  EXPECT_NE(run(a, x, 4, 11, 7), run(a, x, 4, 11, 8));
  // The draws of one example do not depend on what was drawn before (no hidden state).
  const std::vector<float> first = run(a, x, 4, 11);
  run(a, x, 9, 3);
  EXPECT_EQ(run(a, x, 4, 11), first);

  AugmentOptions s = audio_options("logmel");
  s.time_shift_ms = 50, s.freq_masks = 2, s.time_masks = 2, s.noise_prob = 0.5;
  const Augmenter c(s, {1, 40, 101});
  std::vector<float> spec(40 * 101);
  std::iota(spec.begin(), spec.end(), -2000.0f);
  for (float& v : spec) v /= 1000.0f;
  EXPECT_EQ(run(c, spec, 1, 2), run(c, spec, 1, 2));
  EXPECT_NE(run(c, spec, 1, 2), run(c, spec, 2, 2));
}

TEST(Augment, RawNoiseMixingHitsTheRequestedSnr) {
  for (double snr : {-5.0, 0.0, 10.0, 20.0}) {
    AugmentOptions o = audio_options("raw");
    o.noise_prob = 1, o.noise_snr_db = snr;
    // The raw clip [1, 8000] normalised per position (normalization axis 1).
    o.layout.normalization = per_axis(std::vector<float>(8000, 0.01f), std::vector<float>(8000, 0.2f), 1);
    const Augmenter a(o, {1, 8000});
    std::vector<float> x = tone_clip();
    o.layout.normalization.apply_sample(x.data(), {1, 8000});
    std::vector<float> y = run(a, x, 0, 3);
    o.layout.normalization.invert_sample(x.data(), {1, 8000});
    o.layout.normalization.invert_sample(y.data(), {1, 8000});
    std::vector<double> ps(8000), pn(8000);
    for (size_t i = 0; i < 8000; ++i) ps[i] = double(x[i]) * x[i], pn[i] = double(y[i] - x[i]) * (y[i] - x[i]);
    EXPECT_NEAR(snr_db(ps, pn), snr, 0.1);
  }
}

TEST(Augment, NoiseFromAFolderOfWavsHitsTheSnrAndUsesTheFiles) {
  slimlab::test::TempDir dir;
  // Two noise files at 16 kHz, stereo: mixed to mono and resampled to 8 kHz.
  for (int f = 0; f < 2; ++f) {
    std::vector<float> v(2 * 4000);
    for (size_t i = 0; i < 4000; ++i) v[2 * i] = v[2 * i + 1] = float(0.3 * std::sin(0.05 * double(i) * (f + 1)));
    write_wav_pcm16(dir / ("n" + std::to_string(f) + ".wav"), v, 2, 16000);
  }
  const auto bank = load_noise_bank(dir.path().string(), 8000);
  ASSERT_EQ(bank->clips.size(), 2u);
  EXPECT_NEAR(double(bank->clips[0].size()), 2000.0, 2.0);
  AugmentOptions o = audio_options("raw");
  o.noise_prob = 1, o.noise_snr_db = 6, o.noise_dir = dir.path().string();
  const Augmenter a(o, {1, 8000});
  const std::vector<float> x = tone_clip(), y = run(a, x, 1, 1);
  std::vector<double> ps(8000), pn(8000);
  for (size_t i = 0; i < 8000; ++i) ps[i] = double(x[i]) * x[i], pn[i] = double(y[i] - x[i]) * (y[i] - x[i]);
  EXPECT_NEAR(snr_db(ps, pn), 6.0, 0.1);
  // The added noise is a looped, scaled stretch of a file: periodic with the file's length.
  const size_t m = bank->clips[0].size() == bank->clips[1].size() ? bank->clips[0].size() : 0;
  ASSERT_GT(m, 0u);
  for (size_t i = 0; i + m < 8000; i += 97) EXPECT_NEAR(y[i] - x[i], y[i + m] - x[i + m], 1e-4);

  EXPECT_THROW(load_noise_bank((dir / "none").string(), 8000), std::invalid_argument);
  slimlab::test::TempDir empty;
  try {
    load_noise_bank(empty.path().string(), 8000);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("augment.noise_dir: no .wav files"), std::string::npos) << e.what();
  }
}

TEST(Augment, LogMelNoiseMixingAddsMelPowersAtTheRequestedSnr) {
  AugmentOptions o = audio_options("logmel");
  o.noise_prob = 1, o.noise_snr_db = 5;
  const AudioFeatureExtractor fx(o.layout.audio);
  const auto shape = fx.feature_shape();
  std::vector<float> x(size_t(fx.feature_numel()));
  const std::vector<float> clip = tone_clip();
  fx.extract(clip.data(), int64_t(clip.size()), x.data());
  o.layout.normalization = per_axis(std::vector<float>(40, -5.0f), std::vector<float>(40, 3.0f), 1);
  std::vector<float> stored = x;
  o.layout.normalization.apply_sample(stored.data(), shape);
  const Augmenter a(o, shape);
  std::vector<float> y = run(a, stored, 2, 4);
  o.layout.normalization.invert_sample(y.data(), shape);
  std::vector<double> ps(x.size()), pn(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    ps[i] = std::exp(double(x[i])) - 1e-6;
    pn[i] = std::exp(double(y[i])) - 1e-6 - ps[i];
    EXPECT_GE(pn[i], -1e-4 * (ps[i] + 1e-6));  // noise only adds power
  }
  EXPECT_NEAR(snr_db(ps, pn), 5.0, 0.1);
}

TEST(Augment, SpecAugmentMasksZeroWholeBandsOfBoundedWidth) {
  for (bool freq : {true, false}) {
    AugmentOptions o = audio_options("logmel");
    (freq ? o.freq_masks : o.time_masks) = 2;
    (freq ? o.freq_mask_width : o.time_mask_width) = 7;
    const Augmenter a(o, {1, 40, 101});
    const std::vector<float> x(40 * 101, 1.0f);
    int64_t masked_any = 0;
    for (size_t idx = 0; idx < 30; ++idx) {
      const std::vector<float> y = run(a, x, 0, idx);
      const int64_t extent = freq ? 40 : 101;
      int64_t zero_bands = 0;
      for (int64_t b = 0; b < extent; ++b) {
        int zeros = 0;
        for (int64_t k = 0; k < (freq ? 101 : 40); ++k) zeros += y[size_t(freq ? b * 101 + k : k * 101 + b)] == 0.0f;
        ASSERT_TRUE(zeros == 0 || zeros == (freq ? 101 : 40)) << "a band is zeroed whole or not at all";
        zero_bands += zeros > 0;
      }
      for (size_t i = 0; i < y.size(); ++i) ASSERT_TRUE(y[i] == 0.0f || y[i] == 1.0f);
      EXPECT_LE(zero_bands, 2 * 7);
      masked_any += zero_bands;
    }
    EXPECT_GT(masked_any, 0);
  }
}

TEST(Augment, TimeShiftIsCircularOrZeroFilledWithinTheLimit) {
  for (const std::string mode : {"circular", "zero"}) {
    AugmentOptions o = audio_options("raw");
    o.time_shift_ms = 5, o.time_shift_mode = mode;  // 40 samples at 8 kHz
    const Augmenter a(o, {1, 1000});
    std::vector<float> x(1000);
    std::iota(x.begin(), x.end(), 1.0f);
    bool shifted = false;
    for (size_t idx = 0; idx < 20; ++idx) {
      const std::vector<float> y = run(a, x, 0, idx);
      // Find k from a sample in the middle, then check every sample.
      const int k = int(x[500] - y[500]);
      ASSERT_LE(std::abs(k), 40);
      shifted |= k != 0;
      for (int t = 0; t < 1000; ++t) {
        int s = t - k;
        if (mode == "circular") s = (s + 1000) % 1000;
        ASSERT_EQ(y[size_t(t)], (s >= 0 && s < 1000) ? x[size_t(s)] : 0.0f) << mode << " k=" << k << " t=" << t;
      }
    }
    EXPECT_TRUE(shifted);
  }
  // On features the limit is in frames: 30 ms at a 10 ms hop = 3 frames.
  AugmentOptions f = audio_options("logmel");
  f.time_shift_ms = 30, f.time_shift_mode = "circular";
  const Augmenter a(f, {1, 2, 20});
  std::vector<float> x(40);
  std::iota(x.begin(), x.end(), 0.0f);
  for (size_t idx = 0; idx < 20; ++idx) {
    const std::vector<float> y = run(a, x, 0, idx);
    const int k = 10 - int(y[10]);
    EXPECT_LE(std::abs(k), 3);
    EXPECT_EQ(y[30], float(20 + ((10 - k) % 20 + 20) % 20)) << "the same shift for every band";
  }
}

TEST(Augment, OptionsThatDoNotFitTheDataAreErrorsNamingTheKey) {
  AugmentOptions o;
  o.rotation_degrees = 10;
  auto keys = [](const std::vector<std::pair<std::string, std::string>>& p) {
    std::vector<std::string> k;
    for (const auto& x : p) k.push_back(x.first);
    return k;
  };
  EXPECT_EQ(keys(augment_problems(o, Modality::kAudio, "raw", "logmel", nullptr)),
            std::vector<std::string>{"augment.rotation_degrees"});
  EXPECT_EQ(keys(augment_problems(o, Modality::kHar, "deepsense", "logmel", nullptr)),
            std::vector<std::string>{"augment.rotation_degrees"});
  EXPECT_TRUE(augment_problems(o, Modality::kHar, "raw", "logmel", nullptr).empty());
  AugmentOptions s;
  s.freq_masks = 1, s.noise_prob = 0.5;
  EXPECT_EQ(keys(augment_problems(s, Modality::kAudio, "raw", "raw", nullptr)),
            std::vector<std::string>{"augment.freq_masks"});
  EXPECT_EQ(keys(augment_problems(s, Modality::kAudio, "raw", "mfcc", nullptr)),
            std::vector<std::string>{"augment.noise_prob"});
  AugmentOptions img;
  img.max_shift = 2;
  EXPECT_EQ(keys(augment_problems(img, Modality::kHar, "raw", "logmel", nullptr)),
            std::vector<std::string>{"augment.crop_padding"});
  // Audio / HAR augmentation without the data's layout cannot run.
  EXPECT_THROW(Augmenter(o, {3, 10}), std::invalid_argument);
}

TEST(GroupNormalization, EachSubjectIsStandardisedWithItsOwnStatistics) {
  auto make = [](std::vector<int32_t> groups, float offset) {
    ArraySet s;
    s.modality = Modality::kHar;
    s.sample_shape = {2, 4};
    s.group_names = {"a", "b", "c"};
    for (size_t i = 0; i < groups.size(); ++i) {
      s.labels.push_back(0);
      s.groups.push_back(groups[i]);
      for (int v = 0; v < 8; ++v) s.values.push_back(float(groups[i] * 10) + offset + float((v * 7 + int(i) * 3) % 5));
    }
    return s;
  };
  ArraySet train = make({0, 0, 1, 1, 0}, 0), val = make({1}, 0.5f), test = make({2, 2, 2}, 0);
  const Normalization global = Normalization::fit(train, 0);
  global.apply(train);
  global.apply(val);
  global.apply(test);
  const ArraySet train_before = train;
  const auto stats = normalize_per_group(train, val, test, global, 0);
  ASSERT_EQ(stats.size(), 3u);
  EXPECT_FALSE(stats[2].empty());  // "c" has no training samples: its own val / test statistics
  for (int g : {0, 1}) {
    // Mean 0 and std 1 per channel over the group's training samples.
    for (int c = 0; c < 2; ++c) {
      double s1 = 0, s2 = 0, n = 0;
      for (size_t i = 0; i < train.size(); ++i)
        if (train.groups[i] == g)
          for (int k = 0; k < 4; ++k) s1 += train.sample(i)[c * 4 + k], s2 += std::pow(train.sample(i)[c * 4 + k], 2), ++n;
      EXPECT_NEAR(s1 / n, 0.0, 1e-5);
      EXPECT_NEAR(s2 / n, 1.0, 1e-4);
    }
  }
  // The held-out subject is standardised with its own samples.
  double s1 = 0;
  for (float v : test.values) s1 += v;
  EXPECT_NEAR(s1 / double(test.values.size()), 0.0, 1e-5);
  // The composed statistics are in raw units: inverting them gives the raw data back.
  std::vector<float> x(train.sample(0), train.sample(0) + 8);
  stats[0].invert_sample(x.data(), {2, 4});
  std::vector<float> raw(train_before.sample(0), train_before.sample(0) + 8);
  global.invert_sample(raw.data(), {2, 4});
  for (int i = 0; i < 8; ++i) EXPECT_NEAR(x[size_t(i)], raw[size_t(i)], 1e-4);

  ArraySet no_groups = make({0}, 0);
  no_groups.groups = {-1};
  ArraySet e1, e2;
  EXPECT_THROW(normalize_per_group(no_groups, e1, e2, {}, 0), std::invalid_argument);
}

TEST(GroupNormalization, PrepareAppliesItAndTheCacheKeepsTheStatistics) {
  DatasetConfig c;
  c.source = "synthetic:har";
  c.synthetic_scale = 0.1;
  c.normalize_per_group = true;
  slimlab::test::TempDir dir;
  const PreparedData d = load_or_build(c, dir / "c.h5", nullptr);
  ASSERT_EQ(d.group_normalization.size(), d.train.group_names.size());
  // Every training subject: mean 0 per channel over its windows.
  const int64_t channels = d.train.sample_shape[0], w = d.train.sample_shape[1];
  for (int32_t g = 0; g < int32_t(d.train.group_names.size()); ++g) {
    double sum = 0, n = 0;
    for (size_t i = 0; i < d.train.size(); ++i) {
      if (d.train.groups[i] != g) continue;
      for (int64_t k = 0; k < w; ++k) sum += d.train.sample(i)[k], ++n;  // channel 0
    }
    if (n > 0) {
      EXPECT_NEAR(sum / n, 0.0, 1e-4) << d.train.group_names[size_t(g)];
    }
  }
  EXPECT_GT(channels, 0);
  std::string why;
  const PreparedData again = load_or_build(c, dir / "c.h5", &why);
  EXPECT_TRUE(again.from_cache) << why;
  ASSERT_EQ(again.group_normalization.size(), d.group_normalization.size());
  for (size_t g = 0; g < d.group_normalization.size(); ++g) {
    EXPECT_EQ(again.group_normalization[g].mean, d.group_normalization[g].mean);
    EXPECT_EQ(again.group_normalization[g].stddev, d.group_normalization[g].stddev);
  }
  // The option is part of the cache key: without it the file is rebuilt.
  c.normalize_per_group = false;
  const PreparedData plain = load_or_build(c, dir / "c.h5", &why);
  EXPECT_FALSE(plain.from_cache);
  EXPECT_TRUE(plain.group_normalization.empty());
}
