// slimrt sensor front end: cost per second of sensor data, single thread.
//   stream/reuse      FeatureStream, 1 s log-mel (or MFCC) windows every `hop`
//                     samples, overlapping frames taken from the column ring
//   stream/recompute  the same stream recomputing every frame of every window
//   clip/f32, clip/fixed  one 1 s clip, float and fixed-point log-mel
//   deepsense         HMP-like 6-axis stream, 4 s windows at 32 Hz, hop 1 s
//   model_stream      the whole model through slimrt/stream.h: a .slim whose graph is
//                     AudioFeatures (1 s log-mel) → Dense 4040 → 10, a decision every
//                     `hop` samples, columns reused or every window recomputed
//   model_stream_rate the same stream fed at another rate / channel count (Hz, channels):
//                     resampled and mixed down inside the stream
// The counter us_per_s is microseconds of CPU per second of input (lower is better).
//   bench_frontend --benchmark_repetitions=5 --benchmark_min_time=0.2
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "slimrt/frontend.h"
#include "slimrt/stream.h"
#include "slimrt/writer.h"

namespace {
namespace fe = slimrt::frontend;

constexpr double kRate = 8000;
constexpr int64_t kSeconds = 10;

std::vector<float> noise_signal(size_t n, int channels) {
  std::mt19937 rng(1);
  std::normal_distribution<float> d(0.0f, 0.1f);
  std::vector<float> x(n * size_t(channels));
  for (float& v : x) v = d(rng);
  return x;
}

// Pushes `seconds` of x through s in 160-sample chunks (20 ms of audio).
void run_stream(benchmark::State& state, fe::FeatureStream& s, const std::vector<float>& x, double seconds) {
  const size_t frames = x.size() / size_t(s.channels());
  for (auto _ : state) {
    s.reset();
    const float* p = x.data();
    float sink = 0;
    for (size_t left = frames; left > 0;) {
      const size_t used = s.push(p, std::min<size_t>(left, 160));
      p += used * size_t(s.channels());
      left -= used;
      if (s.ready()) sink += s.features()[0];
    }
    benchmark::DoNotOptimize(sink);
  }
  state.counters["us_per_s"] =
      benchmark::Counter(seconds * 1e-6, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_stream(benchmark::State& state, bool reuse, int n_mfcc) {
  fe::LogMelOptions o;
  o.n_mfcc = n_mfcc;
  const int64_t hop = state.range(0);
  fe::FeatureStream s = fe::FeatureStream::log_mel(o, hop, reuse);
  const auto x = noise_signal(size_t(kSeconds * kRate), 1);
  run_stream(state, s, x, double(kSeconds));
  state.counters["reused"] = double(s.columns_reused()) / double(s.columns_reused() + s.columns_computed());
}

void BM_clip(benchmark::State& state, bool fixed) {
  fe::LogMelOptions o;
  const auto x = noise_signal(8000, 1);
  if (!fixed) {
    const fe::LogMelPlan p = fe::prepare_log_mel(o);
    std::vector<float> scratch(p.scratch_floats), out(size_t(p.numel()));
    for (auto _ : state) {
      fe::log_mel_features(p, x.data(), 8000, scratch.data(), out.data());
      benchmark::DoNotOptimize(out.data());
    }
  } else {
    const fe::FixedLogMelPlan p = fe::prepare_fixed_log_mel(o, 16, 11);
    std::vector<int16_t> pcm(x.size()), out(size_t(p.geometry.numel()));
    for (size_t i = 0; i < x.size(); ++i) pcm[i] = int16_t(std::lround(std::max(-1.0f, std::min(1.0f, x[i])) * 32767));
    std::vector<int32_t> s32(p.scratch32);
    std::vector<uint64_t> s64(p.scratch64);
    for (auto _ : state) {
      fe::fixed_log_mel_features(p, pcm.data(), 8000, s32.data(), s64.data(), out.data());
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.counters["us_per_s"] = benchmark::Counter(1e-6, benchmark::Counter::kIsIterationInvariantRate |
                                                            benchmark::Counter::kInvert);
}

void BM_deepsense(benchmark::State& state, bool reuse) {
  fe::DeepSenseOptions o;
  o.channels = 6;
  o.window = 128;  // 4 s at 32 Hz
  o.intervals = 8;
  o.fft_bins = 8;
  fe::FeatureStream s = fe::FeatureStream::deepsense(o, 32, reuse);
  const auto x = noise_signal(size_t(60 * 32), 6);  // one minute
  run_stream(state, s, x, 60.0);
}

// samples [8000] → AudioFeatures [40, 101] → Dense → [10].
std::vector<uint8_t> kws_model() {
  slimrt::ModelWriter m;
  const int x = m.add_tensor("samples", slimrt::DType::F32, {8000});
  const int f = m.add_tensor("logmel", slimrt::DType::F32, {40, 101});
  slimrt::FrontEndParams& p = m.add_op(slimrt::OpType::AudioFeatures, "frontend", {x}, {f}).frontend;
  p.present = true, p.sample_rate = kRate, p.n_fft = 256, p.win_length = 200, p.hop_length = 80, p.n_mels = 40;
  const int w = m.add_f32("fc.weight", {10, 4040}, noise_signal(40400, 1));
  const int y = m.add_tensor("logits", slimrt::DType::F32, {10});
  m.add_op(slimrt::OpType::Dense, "fc", {f, w}, {y});
  m.inputs = {x};
  m.outputs = {y};
  return m.finish();
}

void BM_model_stream(benchmark::State& state, bool reuse) {
  slimrt_frontend_register();
  const auto bytes = kws_model();
  slimrt_model* m = nullptr;
  slimrt_stream* s = nullptr;
  slimrt_stream_options o;
  slimrt_stream_options_init(&o);
  o.hop = state.range(0);
  o.reuse = reuse ? 1 : 0;
  if (slimrt_model_load_memory(bytes.data(), bytes.size(), 1, &m) != SLIMRT_OK || slimrt_stream_open(m, &o, &s) != SLIMRT_OK) {
    state.SkipWithError(slimrt_last_error());
    return;
  }
  const auto x = noise_signal(size_t(kSeconds * kRate), 1);
  long decisions = 0;
  auto count = [](const slimrt_decision*, void* user) { ++*static_cast<long*>(user); };
  for (auto _ : state) {
    slimrt_stream_reset(s);
    for (size_t f = 0; f < x.size(); f += 160) slimrt_stream_push(s, x.data() + f, std::min<size_t>(160, x.size() - f), count, &decisions);
  }
  benchmark::DoNotOptimize(decisions);
  state.counters["us_per_s"] = benchmark::Counter(double(kSeconds) * 1e-6, benchmark::Counter::kIsIterationInvariantRate |
                                                                              benchmark::Counter::kInvert);
  slimrt_stream_free(s);
  slimrt_model_free(m);
}

// samples [128, 6] (4 s at 32 Hz, two 3-axis sensors) → DeepSenseFeatures (8 intervals,
// 8 bins) [2, 8, 48] → Dense 768 → 6.
std::vector<uint8_t> har_model() {
  slimrt::ModelWriter m;
  const int x = m.add_tensor("samples", slimrt::DType::F32, {128, 6});
  const int f = m.add_tensor("features", slimrt::DType::F32, {2, 8, 48});
  slimrt::FrontEndParams& p = m.add_op(slimrt::OpType::DeepSenseFeatures, "frontend", {x}, {f}).frontend;
  p.present = true, p.sample_rate = 32, p.intervals = 8, p.fft_bins = 8, p.axes_per_sensor = 3;
  const int w = m.add_f32("fc.weight", {6, 768}, noise_signal(768 * 6, 1));
  const int y = m.add_tensor("logits", slimrt::DType::F32, {6});
  m.add_op(slimrt::OpType::Dense, "fc", {f, w}, {y});
  m.inputs = {x};
  m.outputs = {y};
  return m.finish();
}

// A stream fed at the device's rate and channel count (range 0: Hz, range 1: channels,
// range 2: 0 the audio model, hop 800, 10 s; 1 the HAR model, hop 32, 10 min): resampled /
// mixed down inside the stream (slimrt_stream_options.input_rate / input_channels);
// 8000 Hz mono / 32 Hz 6-axis is the model's own rate, nothing converted. Pushes of 20 ms
// (at least one frame), finish at the end; us_per_s per second of input.
void BM_model_stream_rate(benchmark::State& state) {
  slimrt_frontend_register();
  const bool har = state.range(2) == 1;
  const auto bytes = har ? har_model() : kws_model();
  const double rate = double(state.range(0)), seconds = har ? 600 : double(kSeconds);
  const int channels = int(state.range(1));
  slimrt_model* m = nullptr;
  slimrt_stream* s = nullptr;
  slimrt_stream_options o;
  slimrt_stream_options_init(&o);
  o.hop = har ? 32 : 800;
  o.input_rate = rate;
  o.input_channels = channels;
  if (slimrt_model_load_memory(bytes.data(), bytes.size(), 1, &m) != SLIMRT_OK || slimrt_stream_open(m, &o, &s) != SLIMRT_OK) {
    state.SkipWithError(slimrt_last_error());
    return;
  }
  const size_t frames = size_t(seconds * rate), chunk = std::max<size_t>(1, size_t(rate / 50));
  const auto x = noise_signal(frames, channels);
  long decisions = 0;
  auto count = [](const slimrt_decision*, void* user) { ++*static_cast<long*>(user); };
  for (auto _ : state) {
    slimrt_stream_reset(s);
    for (size_t f = 0; f < frames; f += chunk)
      slimrt_stream_push(s, x.data() + f * size_t(channels), std::min(chunk, frames - f), count, &decisions);
    slimrt_stream_finish(s, count, &decisions);
  }
  benchmark::DoNotOptimize(decisions);
  state.counters["us_per_s"] = benchmark::Counter(seconds * 1e-6, benchmark::Counter::kIsIterationInvariantRate |
                                                                     benchmark::Counter::kInvert);
  slimrt_stream_free(s);
  slimrt_model_free(m);
}

BENCHMARK(BM_model_stream_rate)->Args({8000, 1, 0})->Args({16000, 1, 0})->Args({44100, 1, 0})->Args({48000, 1, 0})
    ->Args({8000, 2, 0})->Args({44100, 2, 0})->Args({32, 6, 1})->Args({50, 6, 1})->Args({100, 6, 1})
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_model_stream, reuse, true)->Arg(800)->Arg(4000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_model_stream, recompute, false)->Arg(800)->Arg(4000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_stream, logmel_reuse, true, 0)->Arg(800)->Arg(2000)->Arg(4000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_stream, logmel_recompute, false, 0)->Arg(800)->Arg(2000)->Arg(4000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_stream, mfcc_reuse, true, 13)->Arg(800)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_stream, mfcc_recompute, false, 13)->Arg(800)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_clip, f32, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_clip, fixed, true)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_deepsense, reuse, true)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_deepsense, recompute, false)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
