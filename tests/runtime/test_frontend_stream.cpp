// Streaming front end: chunked pushes of any size give, bit for bit, the
// whole-window features; overlapping columns are reused; push() never allocates.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <random>
#include <vector>

#include "slimrt/frontend.h"

#include "alloc_counter.h"
#include "frontend_signals.h"

namespace slimrt::frontend {
namespace {

std::vector<float> signal(int64_t frames, int channels, uint32_t seed) { return test::test_signal(frames, channels, seed); }

// Pushes x in random chunks (0 .. max_chunk frames); returns every emitted window's features.
std::vector<std::vector<float>> stream_all(FeatureStream& s, const std::vector<float>& x, int64_t max_chunk,
                                           uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::vector<float>> out;
  const int64_t frames = int64_t(x.size()) / s.channels();
  const float* p = x.data();
  for (int64_t left = frames; left > 0;) {
    int64_t chunk = std::min<int64_t>(left, int64_t(rng() % uint32_t(max_chunk + 1)));
    while (chunk > 0) {
      const size_t used = s.push(p, size_t(chunk));
      p += used * size_t(s.channels());
      chunk -= int64_t(used), left -= int64_t(used);
      if (s.ready()) out.emplace_back(s.features(), s.features() + s.numel());
    }
  }
  return out;
}

void expect_log_mel_windows(const LogMelOptions& o, int64_t hop, int64_t max_chunk, bool expect_reuse) {
  const auto x = signal(5 * 8000 + 123, 1, 4);
  FeatureStream s = FeatureStream::log_mel(o, hop);
  const auto got = stream_all(s, x, max_chunk, uint32_t(hop + max_chunk));
  const LogMelPlan p = prepare_log_mel(o);
  const int64_t W = o.clip_samples, expected = (int64_t(x.size()) - W) / hop + 1;
  ASSERT_EQ(int64_t(got.size()), expected);
  std::vector<float> scratch(p.scratch_floats), ref(size_t(p.numel()));
  for (int64_t w = 0; w < expected; ++w) {
    log_mel_features(p, x.data() + w * hop, W, scratch.data(), ref.data());
    ASSERT_EQ(got[size_t(w)], ref) << "window " << w;  // bit-identical
  }
  EXPECT_EQ(s.columns_computed() + s.columns_reused(), expected * p.frames);
  if (expect_reuse) EXPECT_GT(s.columns_reused(), s.columns_computed());
  else EXPECT_EQ(s.columns_reused(), 0);
}

TEST(FrontendStream, LogMelWindowsAreBitIdenticalForAnyChunking) {
  LogMelOptions o;  // 1 s windows, 101 frames of 80 samples
  for (int64_t max_chunk : {1, 37, 800, 20000}) {
    SCOPED_TRACE(max_chunk);
    expect_log_mel_windows(o, 2000, max_chunk, true);  // hop = 25 frames: 73 of 101 reused
  }
  expect_log_mel_windows(o, 1999, 500, false);  // not a multiple of hop_length: recomputed
  expect_log_mel_windows(o, 9000, 500, false);  // windows that do not overlap
  o.n_mfcc = 13;
  expect_log_mel_windows(o, 800, 333, true);
  o.n_fft = 240;  // direct DFT
  expect_log_mel_windows(o, 800, 333, true);
}

TEST(FrontendStream, ReusedColumnCountIsTheOverlap) {
  LogMelOptions o;
  FeatureStream s = FeatureStream::log_mel(o, 2000);
  const auto x = signal(8000 + 2000, 1, 9);
  ASSERT_EQ(stream_all(s, x, 700, 1).size(), 2u);
  // Inner frames: t·80 − 128 + 28 ≥ 0 and t·80 − 100 + 200 ≤ 8000 → t = 2 .. 98; with
  // a shift of 25 frames, t = 2 .. 73 of the second window are t + 25 of the first: 72.
  EXPECT_EQ(s.columns_reused(), 72);
  EXPECT_EQ(s.columns_computed(), 2 * 101 - 72);
}

TEST(FrontendStream, DeepSenseWindowsAreBitIdentical) {
  DeepSenseOptions o;
  o.channels = 6;
  o.window = 128;
  o.intervals = 8;  // L = 16
  o.fft_bins = 5;
  const DeepSensePlan p = prepare_deepsense(o);
  for (int64_t hop : {int64_t(64), int64_t(50)}) {
    SCOPED_TRACE(hop);
    const auto x = signal(2000, 6, 2);
    FeatureStream s = FeatureStream::deepsense(o, hop);
    const auto got = stream_all(s, x, 90, 3);
    const int64_t expected = (2000 - 128) / hop + 1;
    ASSERT_EQ(int64_t(got.size()), expected);
    std::vector<float> block(size_t(6 * 128)), ref(size_t(p.numel()));
    for (int64_t w = 0; w < expected; ++w) {
      for (int64_t t = 0; t < 128; ++t)
        for (int c = 0; c < 6; ++c) block[size_t(c * 128 + t)] = x[size_t((w * hop + t) * 6 + c)];
      deepsense_features(p, block.data(), ref.data());
      ASSERT_EQ(got[size_t(w)], ref) << "window " << w;
    }
    if (hop == 64) EXPECT_EQ(s.columns_reused(), (expected - 1) * 4);  // half of the 8 intervals
    else EXPECT_EQ(s.columns_reused(), 0);
  }
}

TEST(FrontendStream, PushNeverAllocates) {
  LogMelOptions o;
  o.n_mfcc = 13;
  FeatureStream mel = FeatureStream::log_mel(o, 800);
  DeepSenseOptions d;
  d.window = 128;
  d.intervals = 8;
  d.fft_bins = 4;
  FeatureStream ds = FeatureStream::deepsense(d, 32);
  const auto audio = signal(30000, 1, 5), imu = signal(3000, 3, 6);
  const long before = g_news.load();
  int64_t windows = 0;
  for (FeatureStream* s : {&mel, &ds}) {
    const auto& x = s == &mel ? audio : imu;
    const float* p = x.data();
    for (size_t left = x.size() / size_t(s->channels()); left > 0;) {
      const size_t used = s->push(p, std::min<size_t>(left, 333));
      p += used * size_t(s->channels());
      left -= used;
      windows += s->ready();
    }
  }
  EXPECT_EQ(g_news.load(), before);
  EXPECT_EQ(windows, (30000 - 8000) / 800 + 1 + (3000 - 128) / 32 + 1);
  mel.reset();
  EXPECT_EQ(mel.windows(), 0);
  EXPECT_THROW(FeatureStream::log_mel(o, 0), std::invalid_argument);
}

}  // namespace
}  // namespace slimrt::frontend
