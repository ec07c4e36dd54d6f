// The streaming band-limited resampler (frontend::StreamResampler, C slimrt_resampler_*):
// chunks of any size give, bit for bit, the whole-signal resample() of all samples; each
// output is written as soon as its last tap has arrived; push / finish never allocate;
// bad rates and oversized chunks are refused with a message.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "alloc_counter.h"
#include "frontend_signals.h"
#include "slimrt/frontend.h"
#include "slimrt/stream.h"

namespace slimrt::test {
namespace {

namespace fe = slimrt::frontend;

struct Rates {
  double from, to;
};

TEST(StreamResampler, ChunksGiveTheWholeSignalResultBitForBit) {
  std::mt19937 rng(3);
  // Polyphase down / up, a ratio with L > 1024 phases and a fractional rate (both the
  // interpolated-taps path), equal rates.
  for (const Rates r : {Rates{16000, 8000}, Rates{44100, 8000}, Rates{8000, 44100}, Rates{48000, 16001},
                        Rates{22050, 7999.5}, Rates{8000, 8000}}) {
    for (int64_t n : {int64_t(1), int64_t(7), int64_t(9001)}) {
      const std::vector<float> x = test_signal(n, 1, uint32_t(n));
      std::vector<float> want(size_t(fe::resample_frames(n, r.from, r.to)));
      fe::resample(x.data(), n, r.from, r.to, want.data());
      const size_t max_chunk = 1 + rng() % 700;
      fe::StreamResampler s(r.from, r.to, max_chunk);
      const fe::ResampleFilter f = fe::prepare_resample(r.from, r.to);
      std::vector<float> got, y(s.max_output());
      for (int64_t at = 0; at < n;) {
        const size_t k = std::min<size_t>(1 + rng() % max_chunk, size_t(n - at));
        const size_t out = s.push(x.data() + at, k, y.data());
        at += int64_t(k);
        got.insert(got.end(), y.begin(), y.begin() + int64_t(out));
        // Written as soon as possible: every output whose taps have all arrived, no other.
        int64_t ready = 0;
        if (r.from == r.to) ready = at;
        else
          while (f.first_tap(ready) + f.count <= at) ++ready;
        ASSERT_EQ(int64_t(got.size()), ready) << r.from << " → " << r.to << " at " << at;
      }
      const size_t out = s.finish(y.data());
      EXPECT_LE(out, s.max_output());
      got.insert(got.end(), y.begin(), y.begin() + int64_t(out));
      EXPECT_EQ(got, want) << r.from << " → " << r.to << ", n " << n << ", chunks ≤ " << max_chunk;
    }
  }
}

TEST(StreamResampler, PushAndFinishDoNotAllocate) {
  const std::vector<float> x = test_signal(20000, 1, 5);
  for (const Rates r : {Rates{44100, 8000}, Rates{22050, 7999.5}}) {
    fe::StreamResampler s(r.from, r.to, 512);
    std::vector<float> y(s.max_output());
    const long before = g_news.load();
    for (size_t at = 0; at + 512 <= x.size(); at += 512) s.push(x.data() + at, 512, y.data());
    s.finish(y.data());
    EXPECT_EQ(g_news.load(), before) << r.from;
  }
}

TEST(StreamResampler, CApiRefusesWithAMessage) {
  slimrt_resampler* r = nullptr;
  EXPECT_EQ(slimrt_resampler_open(400, 8000, 100, &r), SLIMRT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(std::string(slimrt_last_error()),
            "sample rate 400 Hz is too low to resample to 8000 Hz (at most 16× upsampling; is it an audio recording?)");
  EXPECT_EQ(r, nullptr);
  EXPECT_EQ(slimrt_resampler_open(0, 8000, 100, &r), SLIMRT_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(slimrt_last_error()).find("from_hz must be positive and finite"), std::string::npos);
  EXPECT_EQ(slimrt_resampler_open(16000, 8000, 0, &r), SLIMRT_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(slimrt_last_error()).find("StreamResampler.max_chunk: 0"), std::string::npos);

  ASSERT_EQ(slimrt_resampler_open(16000, 8000, 100, &r), SLIMRT_OK);
  std::vector<float> x(101, 0.25f), y(slimrt_resampler_max_output(r));
  size_t n = 0;
  EXPECT_EQ(slimrt_resampler_push(r, x.data(), 101, y.data(), &n), SLIMRT_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(slimrt_last_error()).find("101 samples, more than max_chunk 100"), std::string::npos);
  EXPECT_EQ(slimrt_resampler_push(r, x.data(), 100, y.data(), &n), SLIMRT_OK);
  size_t tail = 0;
  EXPECT_EQ(slimrt_resampler_finish(r, y.data(), &tail), SLIMRT_OK);
  EXPECT_EQ(n + tail, 50u);  // 100 samples at 16 kHz → 50 at 8 kHz
  slimrt_resampler_free(r);
}

}  // namespace
}  // namespace slimrt::test
