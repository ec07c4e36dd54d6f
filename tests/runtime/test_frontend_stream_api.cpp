// Streaming C API (slimrt/stream.h): pushing a recording in chunks of any size gives,
// hop by hop, exactly the model's output on each window run one-shot (float front
// ends with column reuse, without it, and the fixed-point front end); smoothing is the
// documented vote / mean; push never allocates; bad samples and models are refused.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "frontend_models.h"
#include "inputs.h"
#include "slimrt/stream.hpp"
#include "stream_collect.h"

#include "alloc_counter.h"

namespace slimrt::test {
namespace {

struct Opened {
  slimrt_model* model = nullptr;
  slimrt_stream* stream = nullptr;
  ~Opened() {
    slimrt_stream_free(stream);
    slimrt_model_free(model);
  }
};

void open(const ModelWriter& w, const slimrt_stream_options& o, Opened& out) {
  slimrt_frontend_register();
  const auto bytes = w.finish();
  ASSERT_EQ(slimrt_model_load_memory(bytes.data(), bytes.size(), 1, &out.model), SLIMRT_OK) << slimrt_last_error();
  ASSERT_EQ(slimrt_stream_open(out.model, &o, &out.stream), SLIMRT_OK) << slimrt_last_error();
}

// Pushes x (frames × C) in random chunks of 0 .. max_chunk frames.
Collected stream_all(slimrt_stream* s, const std::vector<float>& x, int64_t max_chunk, uint32_t seed, size_t k) {
  Collected c;
  c.s = s;
  c.k = k;
  const int C = slimrt_stream_channels(s);
  const int64_t frames = int64_t(x.size()) / C;
  c.d.reserve(size_t(frames / slimrt_stream_hop(s) + 2));
  c.outputs.reserve(c.d.capacity() * k);
  std::mt19937 rng(seed);
  for (int64_t f = 0; f < frames;) {
    const int64_t n = std::min<int64_t>(frames - f, int64_t(rng() % uint32_t(max_chunk + 1)));
    EXPECT_EQ(slimrt_stream_push(s, x.data() + f * C, size_t(n), collect, &c), SLIMRT_OK) << slimrt_last_error();
    f += n;
  }
  return c;
}

// Window w of x run one-shot through a fresh interpreter.
std::vector<float> one_shot(const ModelWriter& w, const std::vector<float>& x, int C, int64_t window, int64_t hop,
                            int64_t windows) {
  Interpreter in(load(w));
  const size_t k = size_t(in.output(0).numel);
  std::vector<float> out;
  std::vector<float> y(k);
  for (int64_t i = 0; i < windows; ++i) {
    in.set_input(0, x.data() + i * hop * C, size_t(window * C));
    in.invoke();
    in.get_output(0, y.data(), k);
    out.insert(out.end(), y.begin(), y.end());
  }
  return out;
}

void expect_stream_equals_one_shot(const ModelWriter& w, const std::vector<float>& x, int64_t hop, int64_t max_chunk,
                                   int reuse, bool expect_reuse) {
  slimrt_stream_options o;
  slimrt_stream_options_init(&o);
  o.hop = hop;
  o.reuse = reuse;
  Opened s;
  open(w, o, s);
  ASSERT_EQ(slimrt_stream_reusing(s.stream), expect_reuse ? 1 : 0);
  const int C = slimrt_stream_channels(s.stream);
  const int64_t window = slimrt_stream_window(s.stream), frames = int64_t(x.size()) / C;
  const int64_t windows = frames < window ? 0 : (frames - window) / hop + 1;
  const size_t k = 4;
  const Collected c = stream_all(s.stream, x, max_chunk, 17, k);
  ASSERT_EQ(int64_t(c.d.size()), windows);
  for (size_t i = 0; i < c.d.size(); ++i) {
    EXPECT_EQ(c.d[i].window, int64_t(i));
    EXPECT_EQ(c.d[i].end_frame, window + int64_t(i) * hop);
  }
  EXPECT_EQ(c.outputs, one_shot(w, x, C, window, hop, windows));  // bit for bit
}

TEST(StreamApi, AudioChunksGiveTheOneShotOutputs) {
  const ModelWriter w = audio_model(audio_params(), 8000);
  const auto x = test_signal(3 * 8000 + 517, 1, 21);
  for (int64_t chunk : {1, 37, 800, 5000, 20000}) {
    SCOPED_TRACE(chunk);
    expect_stream_equals_one_shot(w, x, 800, chunk, 1, true);
  }
  expect_stream_equals_one_shot(w, x, 2000, 999, 0, false);  // no reuse: raw windows through the graph
  expect_stream_equals_one_shot(w, x, 1234, 999, 1, true);   // hop not a multiple of hop_length: recomputed
}

TEST(StreamApi, FixedPointAndDeepSenseStreams) {
  const auto x = test_signal(2 * 8000 + 99, 1, 5);
  expect_stream_equals_one_shot(audio_model(audio_params(), 8000, 4, /*fixed=*/true), x, 1600, 3000, 1, false);
  const auto imu = test_signal(64 * 20 + 11, 6, 8);
  const ModelWriter ds = deepsense_model(deepsense_params(), 128, 6, 4);
  for (int64_t hop : {16, 64, 200}) {
    SCOPED_TRACE(hop);
    expect_stream_equals_one_shot(ds, imu, hop, 50, 1, true);
  }
}

std::filesystem::path datasets() {
  if (const char* env = std::getenv("SLIMLAB_DATASETS")) return env;
  return (std::filesystem::path(SLIMRT_TEST_DATA_DIR) / "../../../../shared/datasets").lexically_normal();
}

TEST(StreamApi, RealFsddClipAndHmpRecording) {
  const auto wav = datasets() / "fsdd/recordings/3_theo_7.wav";
  const auto hmp = datasets() / "hmp/Walk/Accelerometer-2011-03-24-09-51-07-walk-f1.txt";
  if (!std::filesystem::exists(wav) || !std::filesystem::exists(hmp)) GTEST_SKIP() << "no FSDD / HMP under " << datasets();
  const tools::Audio a = tools::read_wav(wav.string());
  ASSERT_EQ(a.rate, 8000);
  // 0.25 s windows, hop 40 ms (4 log-mel frames), over the whole clip.
  expect_stream_equals_one_shot(audio_model(audio_params(), 2000), a.samples, 320, 333, 1, true);
  // HMP: raw 0..63 values at 32 Hz, 3 axes; 2 s windows, hop 0.5 s.
  const tools::Table t = tools::read_csv(hmp.string());
  ASSERT_EQ(t.cols, 3);
  expect_stream_equals_one_shot(deepsense_model(deepsense_params(), 64, 3, 4), t.values, 16, 7, 1, true);
}

TEST(StreamApi, SmoothingVoteAndMean) {
  const ModelWriter w = audio_model(audio_params(), 4000, 4);
  const auto x = test_signal(4 * 8000, 1, 33);
  for (int mode : {SLIMRT_SMOOTH_VOTE, SLIMRT_SMOOTH_MEAN}) {
    slimrt_stream_options o;
    slimrt_stream_options_init(&o);
    o.hop = 400;
    o.smooth_window = 5;
    o.smooth_mode = mode;
    Opened s;
    open(w, o, s);
    const Collected c = stream_all(s.stream, x, 700, 2, 4);
    ASSERT_GT(c.d.size(), 10u);
    for (size_t i = 0; i < c.d.size(); ++i) {
      const size_t first = i >= 4 ? i - 4 : 0;
      int want = -1;
      float score = 0;
      if (mode == SLIMRT_SMOOTH_MEAN) {
        std::vector<float> mean(4, 0.0f);
        for (size_t j = first; j <= i; ++j)
          for (size_t q = 0; q < 4; ++q) mean[q] += c.outputs[j * 4 + q];
        for (float& v : mean) v /= float(i - first + 1);
        want = int(std::max_element(mean.begin(), mean.end()) - mean.begin());
        score = mean[size_t(want)];
      } else {  // most votes, ties to the latest voted
        int best_votes = 0;
        for (size_t j = i + 1; j-- > first;) {
          int votes = 0;
          for (size_t q = first; q <= i; ++q) votes += c.d[q].cls == c.d[j].cls;
          if (votes > best_votes) best_votes = votes, want = c.d[j].cls;
        }
        score = float(best_votes) / float(i - first + 1);
      }
      EXPECT_EQ(c.d[i].smoothed_cls, want) << "decision " << i;
      EXPECT_FLOAT_EQ(c.d[i].smoothed_score, score) << "decision " << i;
    }
  }
}

TEST(StreamApi, PushDoesNotAllocate) {
  slimrt_stream_options o;
  slimrt_stream_options_init(&o);
  o.hop = 800;
  o.smooth_window = 3;
  Opened s;
  open(audio_model(audio_params(), 8000), o, s);
  const auto x = test_signal(3 * 8000, 1, 1);
  long decisions = 0;
  auto count = [](const slimrt_decision*, void* user) { ++*static_cast<long*>(user); };
  const long before = g_news.load();
  for (size_t f = 0; f < x.size(); f += 333)
    ASSERT_EQ(slimrt_stream_push(s.stream, x.data() + f, std::min<size_t>(333, x.size() - f), count, &decisions), SLIMRT_OK);
  EXPECT_EQ(g_news.load(), before);
  EXPECT_EQ(decisions, 21);
}

TEST(StreamApi, BadSamplesAndModelsAreRefused) {
  slimrt_stream_options o;
  slimrt_stream_options_init(&o);
  Opened s;
  open(audio_model(audio_params(), 4000), o, s);
  std::vector<float> x = test_signal(100, 1, 2);
  x[42] = std::nanf("");
  EXPECT_EQ(slimrt_stream_push(s.stream, x.data(), x.size(), nullptr, nullptr), SLIMRT_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(slimrt_last_error()).find("NaN at frame 42"), std::string::npos) << slimrt_last_error();
  // A model without a front end.
  SmallCnn cnn;
  const auto bytes = cnn.writer.finish();
  slimrt_model* m = nullptr;
  ASSERT_EQ(slimrt_model_load_memory(bytes.data(), bytes.size(), 1, &m), SLIMRT_OK);
  slimrt_stream* bad = nullptr;
  EXPECT_EQ(slimrt_stream_open(m, &o, &bad), SLIMRT_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(slimrt_last_error()).find("not a front-end op"), std::string::npos) << slimrt_last_error();
  EXPECT_EQ(bad, nullptr);
  slimrt_model_free(m);
  // An out-of-range option.
  o.smooth_window = 100000;
  slimrt_stream* too = nullptr;
  EXPECT_EQ(slimrt_stream_open(s.model, &o, &too), SLIMRT_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(slimrt_last_error()).find("smooth_window"), std::string::npos) << slimrt_last_error();
}

TEST(StreamApi, CppWrapper) {
  slimrt_frontend_register();
  const auto bytes = deepsense_model(deepsense_params(), 64, 3, 4).finish();
  const api::ModelHandle model = api::ModelHandle::load(bytes.data(), bytes.size());
  slimrt_stream_options o;
  slimrt_stream_options_init(&o);
  o.hop = 32;
  api::StreamHandle s(model, &o);
  EXPECT_EQ(s.channels(), 3);
  EXPECT_EQ(s.window(), 64);
  const auto x = test_signal(64 * 4, 3, 1);
  std::vector<int64_t> ends;
  s.push(x.data(), 64 * 4, [&](const slimrt_decision& d) { ends.push_back(d.end_frame); });
  EXPECT_EQ(ends, (std::vector<int64_t>{64, 96, 128, 160, 192, 224, 256}));
  EXPECT_EQ(s.output(4).size(), 4u);
  std::vector<float> bad(3, std::nanf(""));
  EXPECT_THROW(s.push(bad.data(), 1), api::Failure);
  SmallCnn cnn;
  const auto cnn_bytes = cnn.writer.finish();
  const api::ModelHandle plain = api::ModelHandle::load(cnn_bytes.data(), cnn_bytes.size());
  EXPECT_THROW(api::StreamHandle{plain}, api::Failure);  // no front end
}

}  // namespace
}  // namespace slimrt::test
