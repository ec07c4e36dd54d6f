#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <vector>

#include "datasets/resample.h"

using slimlab::data::mix_to_mono;
using slimlab::data::resample;

namespace {

std::vector<float> tone(double hz, double rate, double seconds, double amplitude = 0.5) {
  std::vector<float> x(size_t(std::llround(seconds * rate)));
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(amplitude * std::sin(2 * M_PI * hz * double(i) / rate));
  return x;
}

// Amplitude of the component at `hz`, measured with a Hann-weighted correlation
// over the middle half of the signal (away from the edges, where the filter
// sees the zeros outside the clip).
double amplitude_at(const std::vector<float>& x, double hz, double rate) {
  const size_t a = x.size() / 4, b = 3 * x.size() / 4;
  std::complex<double> acc = 0;
  double wsum = 0;
  for (size_t i = a; i < b; ++i) {
    const double w = 0.5 - 0.5 * std::cos(2 * M_PI * double(i - a) / double(b - a));
    acc += w * double(x[i]) * std::polar(1.0, -2 * M_PI * hz * double(i) / rate);
    wsum += w;
  }
  return 2 * std::abs(acc) / wsum;
}

double rms_middle(const std::vector<float>& x) {
  const size_t a = x.size() / 4, b = 3 * x.size() / 4;
  double e = 0;
  for (size_t i = a; i < b; ++i) e += double(x[i]) * x[i];
  return std::sqrt(e / double(b - a));
}

// Frequency from upward zero crossings over the middle half.
double zero_crossing_hz(const std::vector<float>& x, double rate) {
  const size_t a = x.size() / 4, b = 3 * x.size() / 4;
  double first = -1, last = -1;
  int count = 0;
  for (size_t i = a; i + 1 < b; ++i)
    if (x[i] < 0 && x[i + 1] >= 0) {
      const double t = double(i) + double(x[i]) / double(x[i] - x[i + 1]);  // linear interpolation
      if (first < 0) first = t;
      last = t;
      ++count;
    }
  return count > 1 ? (count - 1) * rate / (last - first) : 0;
}

// Largest deviation, over the middle half, from the ideal tone sampled at `rate`
// (the filter is symmetric, so there is no delay to compensate).
double deviation_from_tone(const std::vector<float>& x, double hz, double rate, double amplitude = 0.5) {
  double worst = 0;
  for (size_t i = x.size() / 4; i < 3 * x.size() / 4; ++i)
    worst = std::max(worst, std::fabs(double(x[i]) - amplitude * std::sin(2 * M_PI * hz * double(i) / rate)));
  return worst;
}

}  // namespace

TEST(Resample, EqualRatesPassThroughExactly) {
  const auto x = tone(440, 8000, 0.1);
  EXPECT_EQ(resample(x, 8000, 8000), x);
  EXPECT_TRUE(resample({}, 44100, 8000).empty());
}

TEST(Resample, ToneKeepsFrequencyAndAmplitude44kTo8k) {
  const auto x = tone(440, 44100, 1.0);
  const auto y = resample(x, 44100, 8000);
  EXPECT_EQ(y.size(), 8000u);
  EXPECT_NEAR(zero_crossing_hz(y, 8000), 440.0, 0.05);
  EXPECT_NEAR(amplitude_at(y, 440, 8000), 0.5, 0.005);
  EXPECT_NEAR(rms_middle(y), 0.5 / std::sqrt(2.0), 0.003);
  EXPECT_LT(deviation_from_tone(y, 440, 8000), 0.002);
}

TEST(Resample, ToneNearNyquistSurvives16kTo8k) {
  const auto x = tone(3500, 16000, 0.5);
  const auto y = resample(x, 16000, 8000);
  EXPECT_EQ(y.size(), 4000u);
  EXPECT_NEAR(amplitude_at(y, 3500, 8000), 0.5, 0.01);
  EXPECT_LT(deviation_from_tone(y, 3500, 8000), 0.01);
}

TEST(Resample, ToneAboveNewNyquistIsSuppressed) {
  // 6 kHz would alias to 2 kHz at 8 kHz; the anti-aliasing filter must remove it.
  const auto y = resample(tone(6000, 44100, 1.0), 44100, 8000);
  EXPECT_LT(amplitude_at(y, 2000, 8000), 0.5 * 1e-3);
  EXPECT_LT(rms_middle(y), 0.5 * 1e-3);
  // Just above Nyquist too: 4.2 kHz at 16 kHz would alias to 3.8 kHz.
  const auto z = resample(tone(4200, 16000, 0.5), 16000, 8000);
  EXPECT_LT(rms_middle(z), 0.5 * 1e-3);
}

TEST(Resample, UpsamplingKeepsTheToneAndAddsNoImages) {
  const auto y = resample(tone(1000, 8000, 0.5), 8000, 44100);
  EXPECT_EQ(y.size(), 22050u);
  EXPECT_NEAR(amplitude_at(y, 1000, 44100), 0.5, 0.005);
  EXPECT_NEAR(zero_crossing_hz(y, 44100), 1000.0, 0.05);
  EXPECT_LT(deviation_from_tone(y, 1000, 44100), 0.002);
  // Upsampling by zero-stuffing would leave images at 8000 ± 1000 Hz.
  EXPECT_LT(amplitude_at(y, 7000, 44100), 1e-3);
  EXPECT_LT(amplitude_at(y, 9000, 44100), 1e-3);
}

TEST(Resample, LengthFollowsTheRatio) {
  for (size_t n : {1u, 7u, 100u, 4410u, 12345u}) {
    std::vector<float> x(n, 0.1f);
    EXPECT_EQ(resample(x, 44100, 8000).size(), size_t(std::ceil(double(n) * 8000 / 44100 - 1e-9))) << n;
    EXPECT_EQ(resample(x, 48000, 16000).size(), size_t(std::ceil(double(n) / 3.0 - 1e-9))) << n;
    EXPECT_EQ(resample(x, 8000, 22050).size(), size_t(std::ceil(double(n) * 22050 / 8000 - 1e-9))) << n;
  }
}

TEST(Resample, PolyphaseAndArbitraryRatioPathsAgree) {
  // 44100 → 8000 is rational (80/441 phases); 44100.000001 Hz forces the
  // per-sample interpolated path. The two must give the same signal.
  std::vector<float> x(20000);
  uint32_t s = 1;
  for (auto& v : x) {
    s = s * 1664525u + 1013904223u;
    v = float(s >> 8) / float(1 << 24) - 0.5f;
  }
  const auto a = resample(x, 44100, 8000);
  const auto b = resample(x, 44100.000001, 8000);
  ASSERT_EQ(a.size(), b.size());
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, double(std::fabs(a[i] - b[i])));
  EXPECT_LT(worst, 1e-4);
}

TEST(Resample, DcStaysDcAwayFromTheEdges) {
  std::vector<float> x(48000, 0.3f);
  const auto y = resample(x, 48000, 8000);
  for (size_t i = 100; i + 100 < y.size(); ++i) ASSERT_NEAR(y[i], 0.3f, 1e-4) << i;
}

TEST(Resample, RejectsBadRates) {
  const std::vector<float> x(10, 0.f);
  EXPECT_THROW(resample(x, 0, 8000), std::invalid_argument);
  EXPECT_THROW(resample(x, 8000, -1), std::invalid_argument);
  EXPECT_THROW(resample(x, NAN, 8000), std::invalid_argument);
  EXPECT_THROW(resample(x, 8000, INFINITY), std::invalid_argument);
}

TEST(MixToMono, AveragesChannels) {
  EXPECT_EQ(mix_to_mono({1.f, 0.f, 0.5f, 0.5f, -1.f, 0.f}, 2), (std::vector<float>{0.5f, 0.5f, -0.5f}));
  EXPECT_EQ(mix_to_mono({0.3f, 0.6f, 0.9f}, 3), (std::vector<float>{0.6f}));
  EXPECT_EQ(mix_to_mono({0.1f, 0.2f}, 1), (std::vector<float>{0.1f, 0.2f}));
  EXPECT_THROW(mix_to_mono({0.1f, 0.2f, 0.3f}, 2), std::invalid_argument);
  EXPECT_THROW(mix_to_mono({0.1f}, 0), std::invalid_argument);
}
