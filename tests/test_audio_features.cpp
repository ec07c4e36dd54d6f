#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "datasets/audio_features.h"
#include "expect_error.h"
#include "test_util.h"

using slimlab::data::AudioFeatureExtractor;
using slimlab::data::AudioFeatureOptions;

namespace {

std::vector<float> noise(size_t n, uint32_t seed) {
  std::vector<float> x(n);
  uint32_t s = seed;
  for (auto& v : x) {
    s = s * 1664525u + 1013904223u;
    v = (float(s >> 8) / float(1 << 24) - 0.5f) * 0.8f;
  }
  return x;
}

std::vector<float> tone(double hz, double rate, size_t n) {
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = float(0.5 * std::sin(2 * M_PI * hz * double(i) / rate));
  return x;
}

// ---- a slow, straightforward reference, in double precision ------------------

double slaney_mel(double hz) { return hz < 1000 ? hz * 3.0 / 200.0 : 15.0 + std::log(hz / 1000.0) * 27.0 / std::log(6.4); }
double slaney_hz(double mel) { return mel < 15 ? mel * 200.0 / 3.0 : 1000.0 * std::exp((mel - 15.0) * std::log(6.4) / 27.0); }

std::vector<double> reference_logmel(const std::vector<float>& x, const AudioFeatureOptions& o) {
  const int64_t clip = std::llround(o.clip_seconds * o.rate_hz);
  // Crop the middle / pad the end, then pad n_fft/2 zeros on both sides.
  std::vector<double> s(size_t(clip), 0.0);
  const int64_t n = int64_t(x.size()), start = n > clip ? (n - clip) / 2 : 0;
  for (int64_t i = 0; i < clip && start + i < n; ++i) s[size_t(i)] = x[size_t(start + i)];
  const int pad = o.n_fft / 2;
  std::vector<double> padded(size_t(pad), 0.0);
  padded.insert(padded.end(), s.begin(), s.end());
  padded.resize(padded.size() + size_t(pad), 0.0);
  const int64_t frames = 1 + (int64_t(padded.size()) - o.n_fft) / o.hop_length;
  // Window: periodic Hann of win_length, zero-padded to n_fft around the centre.
  std::vector<double> w(size_t(o.n_fft), 0.0);
  const int off = (o.n_fft - o.win_length) / 2;
  for (int i = 0; i < o.win_length; ++i) w[size_t(off + i)] = 0.5 - 0.5 * std::cos(2 * M_PI * i / o.win_length);
  // Dense Slaney filterbank.
  const int bins = o.n_fft / 2 + 1;
  const double fmax = o.fmax > 0 ? o.fmax : o.rate_hz / 2;
  std::vector<double> edges;
  for (int i = 0; i < o.n_mels + 2; ++i)
    edges.push_back(slaney_hz(slaney_mel(o.fmin) + (slaney_mel(fmax) - slaney_mel(o.fmin)) * i / (o.n_mels + 1)));
  std::vector<double> fb(size_t(o.n_mels * bins), 0.0);
  for (int m = 0; m < o.n_mels; ++m)
    for (int k = 0; k < bins; ++k) {
      const double f = k * o.rate_hz / o.n_fft;
      const double lower = (f - edges[size_t(m)]) / (edges[size_t(m) + 1] - edges[size_t(m)]);
      const double upper = (edges[size_t(m) + 2] - f) / (edges[size_t(m) + 2] - edges[size_t(m) + 1]);
      fb[size_t(m * bins + k)] = std::max(0.0, std::min(lower, upper)) * 2.0 / (edges[size_t(m) + 2] - edges[size_t(m)]);
    }
  std::vector<double> out(size_t(o.n_mels * frames));
  for (int64_t t = 0; t < frames; ++t) {
    std::vector<double> power(static_cast<size_t>(bins));
    for (int k = 0; k < bins; ++k) {
      double re = 0, im = 0;
      for (int i = 0; i < o.n_fft; ++i) {
        const double v = padded[size_t(t * o.hop_length + i)] * w[size_t(i)];
        re += v * std::cos(2 * M_PI * k * i / o.n_fft);
        im -= v * std::sin(2 * M_PI * k * i / o.n_fft);
      }
      power[size_t(k)] = re * re + im * im;
    }
    for (int m = 0; m < o.n_mels; ++m) {
      double e = 0;
      for (int k = 0; k < bins; ++k) e += fb[size_t(m * bins + k)] * power[size_t(k)];
      out[size_t(m * frames + t)] = std::log(e + 1e-6);
    }
  }
  return out;
}

void expect_matches_reference(const AudioFeatureOptions& o, const std::vector<float>& x) {
  AudioFeatureExtractor fx(o);
  std::vector<float> got(size_t(fx.feature_numel()));
  fx.extract(x.data(), int64_t(x.size()), got.data());
  const std::vector<double> want = reference_logmel(x, o);
  ASSERT_EQ(got.size(), want.size());
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::fabs(double(got[i]) - want[i]));
  EXPECT_LT(worst, 1e-3) << "n_fft " << o.n_fft << " win " << o.win_length << " hop " << o.hop_length << " n "
                         << x.size();
}

template <class F>
std::string invalid_message(F&& f) {
  return slimlab::test::message_of<std::invalid_argument>(std::forward<F>(f), "(no invalid_argument)");
}

}  // namespace

TEST(AudioFeatures, ShapesForTheDefaults) {
  AudioFeatureOptions o;
  EXPECT_EQ(AudioFeatureExtractor(o).feature_shape(), (std::vector<int64_t>{1, 40, 101}));
  o.type = "mfcc";
  EXPECT_EQ(AudioFeatureExtractor(o).feature_shape(), (std::vector<int64_t>{1, 13, 101}));
  o.type = "raw";
  EXPECT_EQ(AudioFeatureExtractor(o).feature_shape(), (std::vector<int64_t>{1, 8000}));
  AudioFeatureOptions w;  // 16 kHz, 512-point FFT, 25 / 10 ms
  w.rate_hz = 16000, w.n_fft = 512, w.win_length = 400, w.hop_length = 160, w.n_mels = 64;
  EXPECT_EQ(AudioFeatureExtractor(w).feature_shape(), (std::vector<int64_t>{1, 64, 101}));
}

TEST(AudioFeatures, LogMelMatchesSlowReference) {
  AudioFeatureOptions o;
  expect_matches_reference(o, noise(8000, 1));
  expect_matches_reference(o, noise(5000, 2));   // padded at the end
  expect_matches_reference(o, noise(11111, 3));  // centre-cropped
  // A pure tone: the far bands hold only window leakage, far below the peak.
  auto x = tone(1000, 8000, 8000);
  const auto n = noise(8000, 4);
  for (size_t i = 0; i < x.size(); ++i) x[i] += 1e-3f * n[i];
  expect_matches_reference(o, x);
}

TEST(AudioFeatures, LogMelMatchesReferenceForOtherSettings) {
  AudioFeatureOptions a;
  a.rate_hz = 16000, a.n_fft = 512, a.win_length = 400, a.hop_length = 160, a.n_mels = 64, a.fmin = 0, a.fmax = 7600;
  expect_matches_reference(a, noise(16000, 4));
  AudioFeatureOptions b;  // not a power of two: the direct-DFT path
  b.n_fft = 200, b.win_length = 200, b.hop_length = 100, b.n_mels = 30, b.clip_seconds = 0.5;
  expect_matches_reference(b, noise(4000, 5));
  AudioFeatureOptions c;  // odd n_fft, odd window inside it
  c.n_fft = 255, c.win_length = 181, c.hop_length = 77, c.n_mels = 20, c.clip_seconds = 0.3;
  expect_matches_reference(c, noise(2500, 6));
  AudioFeatureOptions d;  // tiny FFT
  d.n_fft = 16, d.win_length = 12, d.hop_length = 5, d.n_mels = 4, d.clip_seconds = 0.02, d.fmin = 100;
  expect_matches_reference(d, noise(200, 7));
}

TEST(AudioFeatures, PureTonePeaksInItsMelBand) {
  AudioFeatureOptions o;
  AudioFeatureExtractor fx(o);
  for (double hz : {300.0, 1000.0, 2500.0}) {
    const auto x = tone(hz, 8000, 8000);
    std::vector<float> f(size_t(fx.feature_numel()));
    fx.extract(x.data(), int64_t(x.size()), f.data());
    // Mean over the middle frames (the first/last see the zero padding).
    int best = -1;
    double best_v = -1e30;
    for (int m = 0; m < o.n_mels; ++m) {
      double s = 0;
      for (int64_t t = 10; t < 90; ++t) s += f[size_t(m * 101 + t)];
      if (s > best_v) best_v = s, best = m;
    }
    // Band m is centred on the (m+1)-th of n_mels+2 points evenly spaced in mel.
    const double lo = slimlab::data::hz_to_mel_slaney(o.fmin), hi = slimlab::data::hz_to_mel_slaney(o.rate_hz / 2);
    const double step = (hi - lo) / (o.n_mels + 1);
    const double centre = slimlab::data::mel_to_hz_slaney(lo + step * (best + 1));
    const double expected_band = (slimlab::data::hz_to_mel_slaney(hz) - lo) / step - 1;
    EXPECT_NEAR(best, expected_band, 1.0) << hz << " Hz peaked in band " << best << " centred at " << centre;
  }
}

TEST(AudioFeatures, FilterbankHasUnitAreaTriangles) {
  AudioFeatureOptions o;
  o.n_fft = 4096;  // fine bins, so the sum approximates the integral
  AudioFeatureExtractor fx(o);
  const auto fb = fx.mel_filterbank_dense();
  const int bins = o.n_fft / 2 + 1;
  const double df = o.rate_hz / o.n_fft;
  for (int m = 0; m < o.n_mels; ++m) {
    double area = 0;
    for (int k = 0; k < bins; ++k) area += fb[size_t(m * bins + k)] * df;
    EXPECT_NEAR(area, 1.0, 0.02) << "filter " << m;
  }
}

TEST(AudioFeatures, MfccIsTheOrthonormalDctOfLogMel) {
  AudioFeatureOptions lo, mo;
  mo.type = "mfcc";
  AudioFeatureExtractor logmel(lo), mfcc(mo);
  const auto x = noise(8000, 9);
  std::vector<float> L(size_t(logmel.feature_numel())), C(size_t(mfcc.feature_numel()));
  logmel.extract(x.data(), 8000, L.data());
  mfcc.extract(x.data(), 8000, C.data());
  const int M = lo.n_mels;
  for (int64_t t = 0; t < 101; ++t) {
    double mean = 0;
    for (int m = 0; m < M; ++m) mean += L[size_t(m * 101 + t)];
    mean /= M;
    // c0 = √M · mean(log-mel)
    EXPECT_NEAR(C[size_t(t)], std::sqrt(double(M)) * mean, 1e-3) << "frame " << t;
    for (int q = 1; q < mo.n_mfcc; ++q) {
      double c = 0;
      for (int m = 0; m < M; ++m) c += L[size_t(m * 101 + t)] * std::cos(M_PI * q * (2 * m + 1) / (2.0 * M));
      EXPECT_NEAR(C[size_t(q * 101 + t)], std::sqrt(2.0 / M) * c, 1e-3) << "q " << q << " frame " << t;
    }
  }
}

TEST(AudioFeatures, RawCropsTheMiddleAndPadsTheEnd) {
  AudioFeatureOptions o;
  o.type = "raw";
  o.clip_seconds = 0.001;  // 8 samples
  AudioFeatureExtractor fx(o);
  ASSERT_EQ(fx.feature_numel(), 8);
  std::vector<float> x(12);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(i);
  std::vector<float> out(8);
  fx.extract(x.data(), 12, out.data());
  EXPECT_EQ(out, (std::vector<float>{2, 3, 4, 5, 6, 7, 8, 9}));
  fx.extract(x.data(), 5, out.data());
  EXPECT_EQ(out, (std::vector<float>{0, 1, 2, 3, 4, 0, 0, 0}));
}

TEST(AudioFeatures, SilenceGivesTheLogFloor) {
  AudioFeatureExtractor fx(AudioFeatureOptions{});
  std::vector<float> out(size_t(fx.feature_numel()));
  fx.extract(nullptr, 0, out.data());
  for (float v : out) ASSERT_FLOAT_EQ(v, std::log(1e-6f));
}

TEST(AudioFeatures, ThreadsGiveTheSameResult) {
  AudioFeatureOptions a, b;
  b.type = "mfcc", b.rate_hz = 16000, b.n_fft = 512, b.win_length = 400, b.hop_length = 160;
  AudioFeatureExtractor fa(a), fb(b);
  const auto xa = noise(8000, 11), xb = noise(16000, 12);
  std::vector<float> ra(size_t(fa.feature_numel())), rb(size_t(fb.feature_numel()));
  fa.extract(xa.data(), 8000, ra.data());
  fb.extract(xb.data(), 16000, rb.data());
  std::vector<int> bad(4, 0);
  std::vector<std::thread> pool;
  for (int t = 0; t < 4; ++t)
    pool.emplace_back([&, t] {
      std::vector<float> oa(ra.size()), ob(rb.size());
      for (int rep = 0; rep < 20; ++rep) {
        // Alternate two extractors of different sizes on the same thread's scratch.
        fa.extract(xa.data(), 8000, oa.data());
        fb.extract(xb.data(), 16000, ob.data());
        if (oa != ra || ob != rb) bad[size_t(t)] = 1;
      }
    });
  for (auto& th : pool) th.join();
  EXPECT_EQ(bad, (std::vector<int>{0, 0, 0, 0}));
}

TEST(AudioFeatures, InvalidOptionsNameTheOption) {
  auto check = [](AudioFeatureOptions o, const std::string& name) {
    const std::string msg = invalid_message([&] { AudioFeatureExtractor fx(o); });
    EXPECT_NE(msg.find("AudioFeatureOptions." + name), std::string::npos) << msg;
  };
  AudioFeatureOptions o;
  o.n_fft = 128, o.win_length = 200;
  check(o, "n_fft");
  o = {}, o.hop_length = 0;
  check(o, "hop_length");
  o = {}, o.n_mels = 130;
  check(o, "n_mels");
  o = {}, o.type = "mfcc", o.n_mfcc = 41;
  check(o, "n_mfcc");
  o = {}, o.fmax = 4001;
  check(o, "fmax");
  o = {}, o.fmin = 4000;
  check(o, "fmin");
  o = {}, o.type = "spectrogram";
  check(o, "type");
  o = {}, o.rate_hz = 0;
  check(o, "rate_hz");
  o = {}, o.clip_seconds = -1;
  check(o, "clip_seconds");
  o = {}, o.win_length = 0;
  check(o, "win_length");
}
