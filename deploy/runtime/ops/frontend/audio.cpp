// AudioFeatures (raw mono samples → log-mel / MFCC, fp32 or fixed point) and
// DeepSenseFeatures (interleaved inertial samples → the DeepSense per-interval DFT
// layout): slimrt_frontend's kernels as graph ops.
#include <algorithm>
#include <cmath>

#include "fe_ops.h"

namespace slimrt::ops::fe {

namespace fr = slimrt::frontend;

frontend::LogMelOptions log_mel_options(const FrontEndParams& p, int64_t clip) {
  fr::LogMelOptions o;
  o.rate_hz = p.sample_rate, o.clip_samples = clip, o.n_fft = p.n_fft, o.win_length = p.win_length;
  o.hop_length = p.hop_length, o.n_mels = p.n_mels, o.n_mfcc = p.n_mfcc, o.fmin = p.fmin, o.fmax = p.fmax;
  return o;
}

frontend::DeepSenseOptions deepsense_options(const FrontEndParams& p, int64_t window, int64_t channels) {
  fr::DeepSenseOptions o;
  o.channels = int(channels), o.window = int(window), o.intervals = p.intervals, o.fft_bins = p.fft_bins;
  o.axes_per_sensor = p.axes_per_sensor;
  return o;
}

namespace {

bool power_of_two(int n) { return n > 0 && (n & (n - 1)) == 0; }

int word_length(const TensorDesc& t) { return t.wl > 0 ? t.wl : (t.dtype == DType::I8 ? 8 : 16); }

// ---- AudioFeatures: x f32 [N] → y [features, frames] (f32, or i8 / i16 fixed point) ----

void check_audio(Check& c) {
  const FrontEndParams& p = params(c);
  c.need_dtype(c.x(), DType::F32, "input");
  c.need_rank(c.x(), 1, "input");
  const int64_t clip = c.x().shape[0];
  if (clip > kMaxClip) c.fail("a window of %lld samples is more than 2^24", (long long)clip);
  if (p.n_fft < 2 || p.n_fft > kMaxFft) c.fail("n_fft %d is outside 2 .. %d", p.n_fft, kMaxFft);
  if (!power_of_two(p.n_fft) && p.n_fft > kMaxDirectFft)
    c.fail("n_fft %d: a length that is not a power of two must be ≤ %d", p.n_fft, kMaxDirectFft);
  if (!(p.sample_rate <= kMaxRate)) c.fail("sample rate %g Hz is outside (0, 1e7]", p.sample_rate);
  if (p.hop_length > clip) c.fail("hop_length %d is longer than the window (%lld samples)", p.hop_length, (long long)clip);
  const TensorDesc& y = c.y();
  const bool fixed = is_fixed(y.dtype);
  if (y.dtype != DType::F32 && !fixed) c.fail("output '%s' is %s, expected f32, i8 or i16", y.name.c_str(), dtype_name(y.dtype));
  const fr::LogMelOptions o = log_mel_options(p, clip);
  const fr::LogMelPlan plan = prepared(c, [&] { return fr::prepare_log_mel(o); });
  if (fixed) prepared(c, [&] { return fr::prepare_fixed_log_mel(o, word_length(y), y.fl); });
  if (y.numel != plan.numel())
    c.fail("output '%s' has %lld values, the features are %d × %lld frames", y.name.c_str(), (long long)y.numel,
           plan.features(), (long long)plan.frames);
  check_stream(c, clip);
  const int64_t fft = int64_t(p.n_fft) * int64_t(std::log2(double(p.n_fft)) + 1);
  c.op.macs = plan.frames * (fft + int64_t(plan.mel_weights.size()) + int64_t(plan.dct.size()));
}

struct AudioNode : Node {
  const float* x = nullptr;
  float* y = nullptr;
  const float* const* external = nullptr;  // stream mode: the stream's features
  fr::LogMelPlan plan;
  std::vector<float> scratch;
  void run() override {
    if (external) {
      std::copy(*external, *external + plan.numel(), y);
      return;
    }
    fr::log_mel_features(plan, x, plan.options.clip_samples, scratch.data(), y);
  }
};

struct FixedAudioNode : Node {
  const float* x = nullptr;
  void* y = nullptr;
  bool i8 = false;
  fr::FixedLogMelPlan plan;
  std::vector<int16_t> pcm;
  std::vector<int32_t> s32;
  std::vector<uint64_t> s64;
  void run() override {
    // The int16 PCM a 16-bit WAV holds: value·2^15, rounded and saturated.
    for (size_t i = 0; i < pcm.size(); ++i) pcm[i] = fr::pcm16(x[i]);
    const int64_t n = int64_t(pcm.size());
    if (i8) fr::fixed_log_mel_features(plan, pcm.data(), n, s32.data(), s64.data(), static_cast<int8_t*>(y));
    else fr::fixed_log_mel_features(plan, pcm.data(), n, s32.data(), s64.data(), static_cast<int16_t*>(y));
  }
};

NodePtr bind_audio(Bind& b) {
  const fr::LogMelOptions o = log_mel_options(b.op().frontend, b.in(0).shape[0]);
  const TensorDesc& y = b.out();
  if (is_fixed(y.dtype)) {
    auto n = std::make_unique<FixedAudioNode>();
    n->plan = prepared(b, [&] { return fr::prepare_fixed_log_mel(o, word_length(y), y.fl); });
    n->i8 = y.dtype == DType::I8;
    n->pcm.resize(size_t(o.clip_samples));
    n->s32.resize(n->plan.scratch32);
    n->s64.resize(n->plan.scratch64);
    return b.builtin(std::move(n), y.dtype == DType::I8 ? "AudioFeatures/i8/frontend" : "AudioFeatures/i16/frontend");
  }
  auto n = std::make_unique<AudioNode>();
  n->plan = prepared(b, [&] { return fr::prepare_log_mel(o); });
  n->scratch.resize(n->plan.scratch_floats);
  StreamTap* tap = bind_tap();
  if (tap && b.index() == 0) {  // op 0 of every operating point's graph
    n->external = tap->features;
    tap->bound = true;
  }
  return b.builtin(std::move(n), "AudioFeatures/f32/frontend");
}

// ---- DeepSenseFeatures: x f32 [W, C] (time-major) → y f32 {S, T, D·f·2} ------------------

void check_deepsense(Check& c) {
  const FrontEndParams& p = params(c);
  c.need_dtype(c.x(), DType::F32, "input");
  c.need_rank(c.x(), 2, "input");
  const int64_t window = c.x().shape[0], channels = c.x().shape[1];
  if (window > kMaxClip || channels > 1024)
    c.fail("input [%lld, %lld] is outside 2^24 frames × 1024 channels", (long long)window, (long long)channels);
  c.need_dtype(c.y(), DType::F32, "output");
  const fr::DeepSenseOptions o = deepsense_options(p, window, channels);
  const fr::DeepSensePlan plan = prepared(c, [&] { return fr::prepare_deepsense(o); });
  if (c.y().numel != plan.numel())
    c.fail("output '%s' has %lld values, the features are %lld", c.y().name.c_str(), (long long)c.y().numel,
           (long long)plan.numel());
  check_stream(c, window);
  c.op.macs = channels * p.intervals * int64_t(plan.interval) * p.fft_bins * 2;
}

struct DeepSenseNode : Node {
  const float* x = nullptr;
  float* y = nullptr;
  const float* const* external = nullptr;
  fr::DeepSensePlan plan;
  std::vector<float> planar;  // {C, W}
  void run() override {
    if (external) {
      std::copy(*external, *external + plan.numel(), y);
      return;
    }
    const int C = plan.options.channels, W = plan.options.window;
    for (int t = 0; t < W; ++t)
      for (int ch = 0; ch < C; ++ch) planar[size_t(ch) * W + t] = x[size_t(t) * C + ch];
    fr::deepsense_features(plan, planar.data(), y);
  }
};

NodePtr bind_deepsense(Bind& b) {
  auto n = std::make_unique<DeepSenseNode>();
  const auto& s = b.in(0).shape;
  const fr::DeepSenseOptions o = deepsense_options(b.op().frontend, s[0], s[1]);
  n->plan = prepared(b, [&] { return fr::prepare_deepsense(o); });
  n->planar.resize(size_t(s[0] * s[1]));
  StreamTap* tap = bind_tap();
  if (tap && b.index() == 0) {  // op 0 of every operating point's graph
    n->external = tap->features;
    tap->bound = true;
  }
  return b.builtin(std::move(n), "DeepSenseFeatures/f32/frontend");
}

}  // namespace

void register_audio(OpTable& t) {
  t.add({OpId::AudioFeatures}, {&check_audio, &bind_audio, 1, 1});
  t.add({OpId::DeepSenseFeatures}, {&check_deepsense, &bind_deepsense, 1, 1});
}

}  // namespace slimrt::ops::fe
