// The fixed-point front end: the table logarithm against std::log, and fixed-point
// log-mel / MFCC against the float path on synthetic audio (FSDD figures:
// tests/test_frontend_parity.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "slimrt/frontend.h"

namespace slimrt::frontend {
namespace {

TEST(FrontendFixed, TableLogarithmWithin3e5) {
  std::mt19937_64 rng(5);
  double worst = 0;
  for (int i = 0; i < 20000; ++i) {
    const uint64_t v = (rng() >> (rng() % 63)) | 1;
    const int e = int(rng() % 81) - 60;
    const double ref = std::log(double(v)) + e * std::log(2.0);
    worst = std::max(worst, std::fabs(double(fixed_ln_q16(v, e)) / 65536.0 - ref));
  }
  EXPECT_LT(worst, 3e-5);
  EXPECT_EQ(fixed_ln_q16(1, 0), 0);
  EXPECT_NEAR(fixed_ln_q16(1, 10) / 65536.0, 10 * std::log(2.0), 2e-5);
}

// Speech-like test signal: two tones with a slow envelope, a silent stretch and noise.
std::vector<int16_t> test_clip(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, 30.0);
  std::vector<int16_t> x(n);
  for (size_t i = 0; i < n; ++i) {
    const double t = double(i) / 8000.0;
    const double env = i > n / 3 && i < n / 2 ? 0.0 : 0.5 + 0.5 * std::sin(2 * 3.14159265 * 3 * t);
    const double v = env * (9000 * std::sin(2 * 3.14159265 * 440 * t) + 4000 * std::sin(2 * 3.14159265 * 1850 * t));
    x[i] = int16_t(std::lround(std::clamp(v + noise(rng), -32768.0, 32767.0)));
  }
  return x;
}

struct Error {
  double max = 0, mean = 0;
};

Error compare(const LogMelOptions& o, int wl, int fl, const std::vector<int16_t>& pcm) {
  const LogMelPlan fp = prepare_log_mel(o);
  const FixedLogMelPlan qp = prepare_fixed_log_mel(o, wl, fl);
  std::vector<float> x(pcm.size()), scratch(fp.scratch_floats), ref(size_t(fp.numel()));
  for (size_t i = 0; i < pcm.size(); ++i) x[i] = float(pcm[i]) / 32768.0f;
  log_mel_features(fp, x.data(), int64_t(x.size()), scratch.data(), ref.data());
  std::vector<int32_t> s32(qp.scratch32);
  std::vector<uint64_t> s64(qp.scratch64);
  std::vector<int16_t> q(ref.size());
  fixed_log_mel_features(qp, pcm.data(), int64_t(pcm.size()), s32.data(), s64.data(), q.data());
  Error e;
  for (size_t i = 0; i < q.size(); ++i) {
    const double d = std::fabs(std::ldexp(double(q[i]), -fl) - ref[i]);
    e.max = std::max(e.max, d);
    e.mean += d / double(q.size());
  }
  return e;
}

TEST(FrontendFixed, LogMelAndMfccFollowTheFloatPath) {
  const auto pcm = test_clip(8000, 1);
  LogMelOptions o;
  const Error mel = compare(o, 16, 11, pcm);
  EXPECT_LT(mel.max, 0.02) << mel.mean;
  EXPECT_LT(mel.mean, 2e-3);
  o.n_mfcc = 13;
  const Error mfcc = compare(o, 16, 8, pcm);
  EXPECT_LT(mfcc.max, 0.05) << mfcc.mean;
  // int8 ⟨5, 3⟩: the output step 1/8 dominates.
  o.n_mfcc = 0;
  const Error coarse = compare(o, 8, 3, pcm);
  EXPECT_LE(coarse.max, 0.0625 + 0.02);
}

TEST(FrontendFixed, Int8OutputSaturatesAndBadFormatsAreRefused) {
  LogMelOptions o;
  const FixedLogMelPlan p = prepare_fixed_log_mel(o, 8, 6);  // ⟨2, 6⟩: range [−2, 2)
  std::vector<int16_t> silence(8000, 0);
  std::vector<int32_t> s32(p.scratch32);
  std::vector<uint64_t> s64(p.scratch64);
  std::vector<int8_t> out(size_t(p.geometry.numel()));
  fixed_log_mel_features(p, silence.data(), 8000, s32.data(), s64.data(), out.data());
  for (int8_t v : out) ASSERT_EQ(v, -128);  // ln(1e-6) = −13.8 saturates
  EXPECT_THROW(prepare_fixed_log_mel(o, 17, 4), std::invalid_argument);
  EXPECT_THROW(prepare_fixed_log_mel(o, 8, 8), std::invalid_argument);
  o.n_fft = 240;
  try {
    prepare_fixed_log_mel(o, 16, 11);
    ADD_FAILURE() << "n_fft 240 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("LogMelOptions.n_fft"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace slimrt::frontend
