// Resampling and down-mixing inside the stream (slimrt_stream_options.input_rate /
// input_channels): pushing a recording at the device's rate in chunks of any size gives
// exactly the decisions of converting the whole recording first (the workbench's
// resample / resample_linear / mix_to_mono) and streaming it at the model's rate, on a
// real FSDD clip (8 kHz into a 16 kHz model and back) and an HMP recording (32 Hz into
// 50 Hz and 20 Hz models); the linear resampler's streaming form equals resample_linear;
// push and finish never allocate; bad rates and channel counts are refused with numbers.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "frontend_models.h"
#include "inputs.h"
#include "slimrt/stream.hpp"
#include "stream_collect.h"

#include "alloc_counter.h"

namespace slimrt::test {
namespace {

namespace fe = slimrt::frontend;

std::filesystem::path datasets() {
  if (const char* env = std::getenv("SLIMLAB_DATASETS")) return env;
  return (std::filesystem::path(SLIMRT_TEST_DATA_DIR) / "../../../../shared/datasets").lexically_normal();
}

struct Stream {
  slimrt_model* model = nullptr;
  slimrt_stream* s = nullptr;
  Stream(const std::vector<uint8_t>& bytes, const slimrt_stream_options& o) {
    slimrt_frontend_register();
    EXPECT_EQ(slimrt_model_load_memory(bytes.data(), bytes.size(), 1, &model), SLIMRT_OK) << slimrt_last_error();
    EXPECT_EQ(slimrt_stream_open(model, &o, &s), SLIMRT_OK) << slimrt_last_error();
  }
  ~Stream() {
    slimrt_stream_free(s);
    slimrt_model_free(model);
  }
};

slimrt_stream_options options(double input_rate, int input_channels = 0, int64_t max_chunk = 0) {
  slimrt_stream_options o;
  slimrt_stream_options_init(&o);
  o.smooth_window = 3;
  o.input_rate = input_rate;
  o.input_channels = input_channels;
  o.max_chunk = max_chunk;
  return o;
}

// x (frames × the stream's input channels) pushed in chunks of `chunk` frames, then finish.
Collected stream(const std::vector<uint8_t>& model, const slimrt_stream_options& o, const std::vector<float>& x,
                 int64_t chunk, int64_t hop) {
  Stream st(model, o);
  Collected c;
  if (!st.s) return c;
  c.s = st.s;
  c.k = 4;
  const size_t C = size_t(slimrt_stream_input_channels(st.s)), frames = x.size() / C;
  EXPECT_EQ(frames * C, x.size());
  EXPECT_EQ(slimrt_stream_hop(st.s), hop);
  for (size_t f = 0; f < frames; f += size_t(chunk)) {
    const size_t n = std::min(size_t(chunk), frames - f);
    EXPECT_EQ(slimrt_stream_push(st.s, x.data() + f * C, n, collect, &c), SLIMRT_OK) << slimrt_last_error();
  }
  EXPECT_EQ(slimrt_stream_finish(st.s, collect, &c), SLIMRT_OK) << slimrt_last_error();
  return c;
}

void expect_same(const Collected& got, const Collected& want, const std::string& what) {
  ASSERT_EQ(got.d.size(), want.d.size()) << what;
  for (size_t i = 0; i < got.d.size(); ++i) {
    const slimrt_decision &a = got.d[i], &b = want.d[i];
    EXPECT_EQ(a.window, b.window) << what << ", decision " << i;
    EXPECT_EQ(a.end_frame, b.end_frame) << what << ", decision " << i;
    EXPECT_EQ(a.end_s, b.end_s) << what << ", decision " << i;
    EXPECT_EQ(a.cls, b.cls) << what << ", decision " << i;
    EXPECT_EQ(a.score, b.score) << what << ", decision " << i;
    EXPECT_EQ(a.smoothed_cls, b.smoothed_cls) << what << ", decision " << i;
    EXPECT_EQ(a.smoothed_score, b.smoothed_score) << what << ", decision " << i;
  }
  EXPECT_EQ(got.outputs, want.outputs) << what;  // bit for bit
}

FrontEndParams audio_at(double rate, int64_t hop) {
  FrontEndParams p = audio_params();
  p.sample_rate = rate;
  p.stream_hop = hop;
  return p;
}

std::vector<float> fsdd_recording() {  // two real clips back to back, 8 kHz mono
  std::vector<float> x;
  for (const char* clip : {"3_theo_7.wav", "0_george_0.wav"}) {
    const tools::Audio a = tools::read_wav((datasets() / "fsdd/recordings" / clip).string());
    EXPECT_EQ(a.rate, 8000);
    EXPECT_EQ(a.channels, 1);
    x.insert(x.end(), a.samples.begin(), a.samples.end());
  }
  return x;
}

std::vector<float> resampled(const std::vector<float>& x, double from, double to) {
  std::vector<float> y(size_t(fe::resample_frames(int64_t(x.size()), from, to)));
  fe::resample(x.data(), int64_t(x.size()), from, to, y.data());
  return y;
}

// `x` at `rate` into `model` (at `model_rate`) in chunks of 1, 7, 160 and 4096 frames
// against the whole recording converted first (`converted`) and streamed at the model's rate.
void expect_chunks_equal_whole(const std::vector<uint8_t>& model, const std::vector<float>& x, double rate,
                               int input_channels, const std::vector<float>& converted, int64_t hop, size_t min_windows) {
  const Collected want = stream(model, options(0), converted, 1000, hop);
  ASSERT_GE(want.d.size(), min_windows);
  for (int64_t chunk : {1, 7, 160, 4096})
    for (int64_t max_chunk : {0, 100}) {  // 100: pushes of 160 and 4096 frames are split inside
      const std::string what = std::to_string(rate) + " Hz, chunk " + std::to_string(chunk) + ", max_chunk " +
                               std::to_string(max_chunk);
      expect_same(stream(model, options(rate, input_channels, max_chunk), x, chunk, hop), want, what);
    }
}

TEST(StreamRate, FsddClipAt8kHzIntoA16kHzModelAndBack) {
  if (!std::filesystem::exists(datasets() / "fsdd/recordings/3_theo_7.wav")) GTEST_SKIP() << "no FSDD under " << datasets();
  const std::vector<float> x8 = fsdd_recording();
  ASSERT_GT(x8.size(), 4000u);
  // 16 kHz model: 0.125 s windows, hop 20 ms (4 log-mel frames: columns reused).
  const auto m16 = audio_model(audio_at(16000, 320), 2000).finish();
  const std::vector<float> x16 = resampled(x8, 8000, 16000);
  expect_chunks_equal_whole(m16, x8, 8000, 0, x16, 320, 20);
  // The reverse: that 16 kHz recording into an 8 kHz model.
  const auto m8 = audio_model(audio_at(8000, 160), 1000).finish();
  expect_chunks_equal_whole(m8, x16, 16000, 0, resampled(x16, 16000, 8000), 160, 20);
  // The model's own rate: no resampling, the same as before.
  expect_same(stream(m8, options(8000), x8, 7, 160), stream(m8, options(0), x8, 4096, 160), "8000 Hz, no resampling");
}

TEST(StreamRate, StereoIsMixedDownThenResampled) {
  const std::vector<float> stereo = test_signal(9000, 2, 12);
  std::vector<float> mono(stereo.size() / 2);
  fe::mix_to_mono(stereo.data(), int64_t(mono.size()), 2, mono.data());
  const auto m16 = audio_model(audio_at(16000, 320), 2000).finish();
  expect_chunks_equal_whole(m16, stereo, 8000, 2, resampled(mono, 8000, 16000), 320, 40);
  const auto m8 = audio_model(audio_at(8000, 400), 2000).finish();
  expect_chunks_equal_whole(m8, stereo, 8000, 2, mono, 400, 15);  // mixed only
  Stream st(m8, options(44100, 2));
  EXPECT_EQ(slimrt_stream_channels(st.s), 1);
  EXPECT_EQ(slimrt_stream_input_channels(st.s), 2);
  EXPECT_EQ(slimrt_stream_sample_rate(st.s), 8000);
  EXPECT_EQ(slimrt_stream_input_rate(st.s), 44100);
}

std::vector<float> linear(const std::vector<float>& x, int C, double from, double to) {
  const int64_t n = int64_t(x.size()) / C;
  std::vector<float> y(size_t(fe::resample_linear_frames(n, from, to) * C));
  fe::resample_linear(x.data(), n, C, from, to, y.data());
  return y;
}

TEST(StreamRate, HmpRecordingAt32HzIntoA50HzAndA20HzModel) {
  const auto hmp = datasets() / "hmp/Walk/Accelerometer-2011-03-24-09-51-07-walk-f1.txt";
  if (!std::filesystem::exists(hmp)) GTEST_SKIP() << "no HMP under " << datasets();
  const tools::Table t = tools::read_csv(hmp.string());
  ASSERT_EQ(t.cols, 3);
  for (const double model_rate : {50.0, 20.0}) {
    FrontEndParams p = deepsense_params();
    p.sample_rate = model_rate;
    p.stream_hop = 16;
    const auto m = deepsense_model(p, 64, 3, 4).finish();
    expect_chunks_equal_whole(m, t.values, 32, 3, linear(t.values, 3, 32, model_rate), 16, 30);
  }
}

TEST(StreamRate, SyntheticSixAxisStreamAt50HzIntoA32HzModel) {  // runs without the data sets
  const std::vector<float> x = test_signal(1500, 6, 21);
  FrontEndParams p = deepsense_params();
  p.stream_hop = 16;
  const auto m = deepsense_model(p, 64, 6, 4).finish();  // 32 Hz, two 3-axis sensors
  expect_chunks_equal_whole(m, x, 50, 6, linear(x, 6, 50, 32), 16, 50);
  expect_chunks_equal_whole(m, x, 24, 6, linear(x, 6, 24, 32), 16, 50);
}

TEST(StreamRate, LinearStreamResamplerEqualsResampleLinear) {
  std::mt19937 rng(5);
  for (const auto& [from, to] : std::vector<std::pair<double, double>>{{32, 50}, {50, 32}, {32, 20}, {100, 3}, {3, 100},
                                                                        {31.7, 50.3}, {32, 32}})
    for (int64_t n : {int64_t(1), int64_t(2), int64_t(5), int64_t(777)}) {
      const std::vector<float> x = test_signal(n, 3, uint32_t(n));
      const size_t max_chunk = 1 + rng() % 40;
      fe::LinearStreamResampler r(from, to, 3, max_chunk);
      std::vector<float> got, y(r.max_output() * 3);
      for (int64_t at = 0; at < n;) {
        const size_t k = std::min<size_t>(1 + rng() % max_chunk, size_t(n - at));
        const size_t out = r.push(x.data() + at * 3, k, y.data());
        ASSERT_LE(out, r.max_output());
        at += int64_t(k);
        got.insert(got.end(), y.begin(), y.begin() + int64_t(out * 3));
      }
      const size_t out = r.finish(y.data());
      ASSERT_LE(out, r.max_output());
      got.insert(got.end(), y.begin(), y.begin() + int64_t(out * 3));
      EXPECT_EQ(got, linear(x, 3, from, to)) << from << " → " << to << ", " << n << " frames";
    }
}

TEST(StreamRate, PushAndFinishDoNotAllocate) {
  const auto audio = audio_model(audio_at(16000, 320), 2000).finish();
  FrontEndParams p = deepsense_params();
  p.sample_rate = 50;
  const auto imu = deepsense_model(p, 64, 3, 4).finish();
  struct Case {
    const std::vector<uint8_t>* model;
    double rate;
    int channels;
  };
  for (const Case c : {Case{&audio, 44100, 2}, Case{&audio, 7999.5, 1}, Case{&imu, 32, 3}}) {
    Stream st(*c.model, options(c.rate, c.channels, 256));
    const std::vector<float> x = test_signal(20000, c.channels, 3);
    long decisions = 0;
    auto count = [](const slimrt_decision*, void* user) { ++*static_cast<long*>(user); };
    const long before = g_news.load();
    for (size_t f = 0; f < 20000; f += 1000)
      ASSERT_EQ(slimrt_stream_push(st.s, x.data() + f * size_t(c.channels), 1000, count, &decisions), SLIMRT_OK);
    ASSERT_EQ(slimrt_stream_finish(st.s, count, &decisions), SLIMRT_OK);
    EXPECT_EQ(g_news.load(), before) << c.rate;
    EXPECT_GT(decisions, 0) << c.rate;
  }
}

std::string refusal(const std::vector<uint8_t>& model, const slimrt_stream_options& o) {
  slimrt_frontend_register();
  slimrt_model* m = nullptr;
  EXPECT_EQ(slimrt_model_load_memory(model.data(), model.size(), 1, &m), SLIMRT_OK);
  slimrt_stream* s = nullptr;
  const slimrt_status st = slimrt_stream_open(m, &o, &s);
  EXPECT_EQ(st, SLIMRT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(s, nullptr);
  slimrt_stream_free(s);
  slimrt_model_free(m);
  return slimrt_last_error();
}

TEST(StreamRate, BadRatesAndChannelsAreRefusedWithTheNumbers) {
  const auto audio = audio_model(audio_params(), 4000).finish();  // 8 kHz
  const auto imu = deepsense_model(deepsense_params(), 64, 3, 4).finish();  // 32 Hz, 3 axes
  EXPECT_EQ(refusal(audio, options(-8000)),
            "slimrt_stream_open: input_rate must be positive and finite (0: the model's rate), got -8000 Hz");
  EXPECT_NE(refusal(audio, options(std::nan(""))).find("input_rate must be positive and finite"), std::string::npos);
  EXPECT_NE(refusal(imu, options(HUGE_VAL)).find("input_rate must be positive and finite"), std::string::npos);
  EXPECT_EQ(refusal(audio, options(400)),
            "slimrt_stream_open: input_rate 400 Hz, the model takes 8000 Hz: sample rate 400 Hz is too low to resample "
            "to 8000 Hz (at most 16× upsampling; is it an audio recording?)");
  EXPECT_EQ(refusal(audio, options(1e6)),
            "slimrt_stream_open: input_rate 1000000 Hz, the model takes 8000 Hz: more than 64× downsampling");
  EXPECT_EQ(refusal(imu, options(0.25)),
            "slimrt_stream_open: input_rate 0.25 Hz, the model takes 32 Hz: more than 64× upsampling");
  EXPECT_EQ(refusal(imu, options(0, 2)),
            "slimrt_stream_open: input_channels 2, the model's front end takes 3 (several channels are mixed to mono "
            "for audio models only)");
  EXPECT_EQ(refusal(audio, options(16000, -1)), "slimrt_stream_open: input_channels -1 is outside 0 .. 1024 (0: the model's)");
  EXPECT_EQ(refusal(audio, options(16000, 1, int64_t(1) << 21)),
            "slimrt_stream_open: max_chunk 2097152 frames is outside 0 .. 2^20 (0: 4096)");
  // At the limits: accepted.
  Stream up(audio, options(500)), down(audio, options(512000)), imu_up(imu, options(0.5));
  EXPECT_NE(up.s, nullptr);
  EXPECT_NE(down.s, nullptr);
  EXPECT_NE(imu_up.s, nullptr);
}

TEST(StreamRate, PushAfterFinishIsRefusedUntilReset) {
  const auto audio = audio_model(audio_params(), 4000).finish();
  Stream st(audio, options(16000));
  const std::vector<float> x = test_signal(8000, 1, 4);  // 4000 frames at 8 kHz: one window, its end held back
  Collected a;
  a.s = st.s, a.k = 4;
  ASSERT_EQ(slimrt_stream_push(st.s, x.data(), x.size(), collect, &a), SLIMRT_OK);
  const size_t before_finish = a.d.size();
  ASSERT_EQ(slimrt_stream_finish(st.s, collect, &a), SLIMRT_OK);
  EXPECT_EQ(before_finish, 0u);
  EXPECT_EQ(a.d.size(), 1u);  // the held-back tail completed the window
  EXPECT_EQ(slimrt_stream_frames(st.s), 4000);
  EXPECT_EQ(slimrt_stream_push(st.s, x.data(), 1, nullptr, nullptr), SLIMRT_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(slimrt_last_error()).find("the stream was finished"), std::string::npos);
  slimrt_stream_reset(st.s);
  Collected b;
  b.s = st.s, b.k = 4;
  ASSERT_EQ(slimrt_stream_push(st.s, x.data(), x.size(), collect, &b), SLIMRT_OK);
  ASSERT_EQ(slimrt_stream_finish(st.s, collect, &b), SLIMRT_OK);
  expect_same(b, a, "after reset");
  // The C++ wrapper.
  slimrt_frontend_register();
  const api::ModelHandle model = api::ModelHandle::load(audio.data(), audio.size());
  slimrt_stream_options o = options(16000);
  api::StreamHandle s(model, &o);
  std::vector<int64_t> ends;
  s.push(x.data(), x.size(), [&](const slimrt_decision& d) { ends.push_back(d.end_frame); });
  s.finish([&](const slimrt_decision& d) { ends.push_back(d.end_frame); });
  ASSERT_EQ(ends.size(), a.d.size());
  EXPECT_EQ(ends.back(), a.d.back().end_frame);
  EXPECT_EQ(s.input_rate(), 16000);
  EXPECT_EQ(s.frames(), 4000);
  EXPECT_THROW(s.push(x.data(), 1), api::Failure);
}

}  // namespace
}  // namespace slimrt::test
