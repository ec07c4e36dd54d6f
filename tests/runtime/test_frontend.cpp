// slimrt sensor front end: each kernel against a direct double-precision
// evaluation of its definition, on random and synthetic data; option errors.
// (Parity with the workbench's datasets/ extractors on real data:
// tests/test_frontend_parity.cpp.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "slimrt/frontend.h"

namespace slimrt::frontend {
namespace {

constexpr double kPi = 3.14159265358979323846;

std::vector<float> random_signal(size_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-scale, scale);
  std::vector<float> x(n);
  for (float& v : x) v = u(rng);
  return x;
}

std::complex<double> naive_bin(const float* x, int n, int k) {
  std::complex<double> acc = 0;
  for (int t = 0; t < n; ++t) acc += double(x[t]) * std::polar(1.0, -2.0 * kPi * double(k) * t / n);
  return acc;
}

template <class Fn>
void expect_invalid(Fn fn, const std::string& part) {
  try {
    fn();
    ADD_FAILURE() << "expected std::invalid_argument containing '" << part << "'";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(FrontendFft, RealFftMatchesDirectDftAtEveryPowerOfTwo) {
  for (int n = 2; n <= 2048; n *= 2) {
    SCOPED_TRACE(n);
    const RealFftPlan plan = prepare_real_fft(n);
    const auto x = random_signal(size_t(n), uint32_t(n));
    std::vector<float> re(size_t(n / 2 + 1)), im(re.size());
    real_fft(plan, x.data(), re.data(), im.data());
    double scale = 1;
    for (int k = 0; k <= n / 2; ++k) scale = std::max(scale, std::abs(naive_bin(x.data(), n, k)));
    for (int k = 0; k <= n / 2; ++k) {
      const auto ref = naive_bin(x.data(), n, k);
      EXPECT_NEAR(re[size_t(k)], ref.real(), 1e-5 * scale) << k;
      EXPECT_NEAR(im[size_t(k)], ref.imag(), 1e-5 * scale) << k;
    }
  }
}

TEST(FrontendFft, DirectDftForAnyLengthAndStride) {
  for (int n : {1, 3, 7, 12, 100}) {
    SCOPED_TRACE(n);
    const int bins = n / 2 + 1;
    const DftPlan plan = prepare_dft(n, bins);
    const auto x = random_signal(size_t(n), uint32_t(7 * n));
    std::vector<float> inter(size_t(2 * bins));
    dft(plan, x.data(), inter.data(), inter.data() + 1, 2);
    for (int k = 0; k < bins; ++k) {
      const auto ref = naive_bin(x.data(), n, k);
      EXPECT_NEAR(inter[size_t(2 * k)], ref.real(), 1e-5 * n) << k;
      EXPECT_NEAR(inter[size_t(2 * k + 1)], ref.imag(), 1e-5 * n) << k;
    }
  }
  expect_invalid([] { prepare_real_fft(12); }, "not a power of two");
  expect_invalid([] { prepare_dft(8, 6); }, "cannot give 6 bins");
}

// One log-mel column straight from the definitions, in double.
std::vector<double> reference_log_mel_column(const LogMelPlan& p, const std::vector<float>& clip, int64_t t) {
  const LogMelOptions& o = p.options;
  std::vector<double> frame(size_t(o.n_fft), 0.0);
  for (int i = 0; i < o.win_length; ++i) {
    const int64_t s = t * o.hop_length - o.n_fft / 2 + p.win_offset + i;
    const double w = 0.5 - 0.5 * std::cos(2.0 * kPi * i / o.win_length);
    if (s >= 0 && s < int64_t(clip.size())) frame[size_t(p.win_offset + i)] = clip[size_t(s)] * w;
  }
  std::vector<double> power(size_t(p.bins));
  for (int k = 0; k < p.bins; ++k) {
    std::complex<double> acc = 0;
    for (int i = 0; i < o.n_fft; ++i) acc += frame[size_t(i)] * std::polar(1.0, -2.0 * kPi * double(k) * i / o.n_fft);
    power[size_t(k)] = std::norm(acc);
  }
  std::vector<double> col(size_t(o.n_mels));
  for (int m = 0; m < o.n_mels; ++m) {
    double e = 0;
    for (int b = 0; b < p.mel_len[size_t(m)]; ++b)
      e += double(p.mel_weights[size_t(p.mel_offset[size_t(m)] + b)]) * power[size_t(p.mel_start[size_t(m)] + b)];
    col[size_t(m)] = std::log(e + 1e-6);
  }
  return col;
}

TEST(FrontendLogMel, ColumnsMatchTheDefinitionForPowerOfTwoAndDirectDft) {
  for (int n_fft : {256, 200}) {
    SCOPED_TRACE(n_fft);
    LogMelOptions o;
    o.n_fft = n_fft;
    o.clip_samples = 1600;
    const LogMelPlan p = prepare_log_mel(o);
    EXPECT_EQ(p.frames, 1 + 1600 / 80);
    EXPECT_EQ(p.fft.n != 0, n_fft == 256);
    const auto clip = random_signal(1600, 3, 0.5f);
    std::vector<float> scratch(p.scratch_floats), out(size_t(p.numel()));
    log_mel_features(p, clip.data(), int64_t(clip.size()), scratch.data(), out.data());
    for (int64_t t : {int64_t(0), int64_t(1), int64_t(10), p.frames - 1}) {
      const auto ref = reference_log_mel_column(p, clip, t);
      for (int m = 0; m < o.n_mels; ++m)
        EXPECT_NEAR(out[size_t(m * p.frames + t)], ref[size_t(m)], 1e-4 * std::max(1.0, std::fabs(ref[size_t(m)])))
            << "frame " << t << " mel " << m;
    }
  }
}

TEST(FrontendLogMel, ToneLandsInItsMelBandAndMfccIsTheOrthonormalDct) {
  LogMelOptions o;
  o.n_mfcc = 13;
  const LogMelPlan p = prepare_log_mel(o);
  LogMelOptions ol = o;
  ol.n_mfcc = 0;
  const LogMelPlan pl = prepare_log_mel(ol);
  std::vector<float> clip(8000);
  for (size_t i = 0; i < clip.size(); ++i) clip[i] = float(0.5 * std::sin(2 * kPi * 1000.0 * double(i) / 8000.0));
  std::vector<float> scratch(p.scratch_floats), mfcc(size_t(p.numel())), mel(size_t(pl.numel()));
  log_mel_features(p, clip.data(), 8000, scratch.data(), mfcc.data());
  log_mel_features(pl, clip.data(), 8000, scratch.data(), mel.data());
  const int64_t t = 50;
  int best = 0;
  for (int m = 1; m < o.n_mels; ++m)
    if (mel[size_t(m * pl.frames + t)] > mel[size_t(best * pl.frames + t)]) best = m;
  // The band whose triangle peaks nearest 1 kHz.
  const int centre_bin = p.mel_start[size_t(best)] + p.mel_len[size_t(best)] / 2;
  EXPECT_NEAR(centre_bin * 8000.0 / 256, 1000.0, 100.0);
  double mean = 0;
  for (int m = 0; m < o.n_mels; ++m) mean += mel[size_t(m * pl.frames + t)];
  mean /= o.n_mels;
  EXPECT_NEAR(mfcc[size_t(t)], std::sqrt(double(o.n_mels)) * mean, 1e-3);
  // A longer clip is centre-cropped: the middle 8000 samples give the same features.
  std::vector<float> longer(9000, 0.25f);
  std::copy(clip.begin(), clip.end(), longer.begin() + 500);
  std::vector<float> cropped(mfcc.size());
  log_mel_features(p, longer.data(), 9000, scratch.data(), cropped.data());
  EXPECT_EQ(cropped, mfcc);
}

TEST(FrontendLogMel, BadOptionsNameTheOption) {
  LogMelOptions o;
  o.n_mels = 200;
  expect_invalid([&] { prepare_log_mel(o); }, "LogMelOptions.n_mels");
  o = {};
  o.win_length = 300;
  expect_invalid([&] { prepare_log_mel(o); }, "LogMelOptions.win_length");
  o = {};
  o.fmax = 5000;
  expect_invalid([&] { prepare_log_mel(o); }, "LogMelOptions.fmax");
  o = {};
  o.hop_length = 0;
  expect_invalid([&] { prepare_log_mel(o); }, "LogMelOptions.hop_length");
  o = {};
  o.n_mfcc = 41;
  expect_invalid([&] { prepare_log_mel(o); }, "LogMelOptions.n_mfcc");
}

TEST(FrontendDeepSense, CosineOnOneAxisLandsInItsBinAndSlot) {
  DeepSenseOptions o;
  o.channels = 6;
  o.window = 200;
  o.intervals = 10;  // L = 20
  o.fft_bins = 5;
  const DeepSensePlan p = prepare_deepsense(o);
  ASSERT_EQ(p.interval, 20);
  ASSERT_EQ(p.numel(), 2 * 10 * 3 * 5 * 2);
  std::vector<float> x(size_t(6 * 200), 0.0f);
  const int channel = 4, bin = 3;  // sensor 1, axis 1
  for (int t = 0; t < 200; ++t) x[size_t(channel * 200 + t)] = float(std::cos(2 * kPi * bin * t / 20.0));
  std::vector<float> out(size_t(p.numel()));
  deepsense_features(p, x.data(), out.data());
  for (int s = 0; s < 2; ++s)
    for (int t = 0; t < 10; ++t)
      for (int d = 0; d < 3; ++d)
        for (int k = 0; k < 5; ++k) {
          const size_t i = size_t(((s * 10 + t) * 3 + d) * 5 + k) * 2;
          const bool hit = s == 1 && d == 1 && k == bin;
          EXPECT_NEAR(out[i], hit ? 10.0 : 0.0, 1e-4) << s << " " << t << " " << d << " " << k;
          EXPECT_NEAR(out[i + 1], 0.0, 1e-4);
        }
  o.fft_bins = 12;
  expect_invalid([&] { prepare_deepsense(o); }, "DeepSenseOptions.fft_bins");
  o.fft_bins = 5;
  o.axes_per_sensor = 4;
  expect_invalid([&] { prepare_deepsense(o); }, "DeepSenseOptions.axes_per_sensor");
}

TEST(FrontendSensor, NormalizeAlongTheMiddleAxis) {
  const std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};  // [2, 3, 2]
  const std::vector<float> mean = {1, 2, 3}, sd = {1, 2, 4};
  const auto inv = prepare_normalization(sd.data(), sd.size());
  std::vector<float> y(x.size());
  normalize(x.data(), 2, 3, 2, mean.data(), inv.data(), y.data());
  EXPECT_EQ(y, (std::vector<float>{0, 1, 0.5f, 1, 0.5f, 0.75f, 6, 7, 3.5f, 4, 2, 2.25f}));
  const float bad[] = {1, 0};
  expect_invalid([&] { prepare_normalization(bad, 2); }, "stddev[1]");
}

TEST(FrontendSensor, LinearResamplingInterpolatesWithoutExtrapolating) {
  const std::vector<float> x = {0, 10, 1, 11, 2, 12, 3, 13};  // 4 frames × 2 channels
  ASSERT_EQ(resample_linear_frames(4, 2, 4), 7);  // k/4 ≤ 3/2
  std::vector<float> y(14);
  resample_linear(x.data(), 4, 2, 2, 4, y.data());
  for (int k = 0; k < 7; ++k) {
    EXPECT_FLOAT_EQ(y[size_t(2 * k)], 0.5f * k);
    EXPECT_FLOAT_EQ(y[size_t(2 * k + 1)], 10 + 0.5f * k);
  }
  EXPECT_EQ(resample_linear_frames(4, 3, 3), 4);
  EXPECT_EQ(resample_linear_frames(0, 3, 5), 0);
  expect_invalid([] { resample_linear_frames(4, 0, 5); }, "resample_linear");
}

TEST(FrontendImage, BilinearResizeNormaliseAndChannelConversion) {
  // 2 × 2 grey up to 4 × 4: pixel centres aligned, edges clamped.
  const uint8_t grey[] = {0, 255, 255, 0};
  ImageOptions o;
  o.src_width = o.src_height = 2;
  o.width = o.height = 4;
  ImagePlan p = prepare_image(o);
  std::vector<float> out(16);
  image_features(p, grey, out.data());
  const float row0[] = {0, 0.25f, 0.75f, 1};
  for (int x = 0; x < 4; ++x) EXPECT_NEAR(out[size_t(x)], row0[x], 1e-6) << x;
  EXPECT_NEAR(out[5], 0.25f * 0.75f + 0.75f * 0.25f + 0.0f, 1e-6);  // (1,1): mix of the four corners
  // RGB → grey (BT.601) and a per-channel normalisation.
  const uint8_t rgb[] = {255, 0, 0};
  o = {};
  o.src_width = o.src_height = 1;
  o.src_channels = 3;
  o.width = o.height = 1;
  o.mean = {0.5f};
  o.stddev = {0.25f};
  p = prepare_image(o);
  image_features(p, rgb, out.data());
  EXPECT_NEAR(out[0], (0.299f - 0.5f) / 0.25f, 1e-6);
  o.channels = 3;
  o.mean = {0, 0, 0};
  o.stddev = {1, 1, 1};
  p = prepare_image(o);
  image_features(p, rgb, out.data());
  EXPECT_EQ(out[0], 1.0f);
  EXPECT_EQ(out[1], 0.0f);
  o.mean = {0};
  expect_invalid([&] { prepare_image(o); }, "ImageOptions.mean");
}

}  // namespace
}  // namespace slimrt::frontend
