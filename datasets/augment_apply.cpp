// The transforms of datasets/augment.h. Each example's draws come from one
// SplitMix64 stream seeded by (seed, epoch, index); audio and HAR transforms use
// sub-streams of it, so switching on one transform does not change another's draws.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "datasets/augment.h"
#include "datasets/seeding.h"

namespace slimlab::data {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr uint64_t kAudioStream = 0xA0D10A0D10A0D10Aull, kHarStream = 0x4A124A124A124A12ull;
constexpr double kLogFloor = 1e-6;  // logmel = ln(mel + 1e-6) (audio_features.h)

struct Rng {
  uint64_t s;
  // Uniform in [0, 1).
  double uniform() { return double((s = splitmix64(s)) >> 11) * (1.0 / 9007199254740992.0); }
  // Standard normal (Box–Muller, cosine branch).
  double normal() {
    const double u1 = std::max(uniform(), 1e-300), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * kPi * u2);
  }
  // Uniform integer in [lo, hi].
  int64_t integer(int64_t lo, int64_t hi) {
    return lo + std::min(int64_t(uniform() * double(hi - lo + 1)), hi - lo);
  }
};

// Rows of length `len` shifted right by k (left for k < 0): circular or zero fill.
void shift_rows(float* x, int64_t rows, int64_t len, int64_t k, bool circular) {
  if (k == 0) return;
  std::vector<float> row(static_cast<size_t>(len));
  for (int64_t r = 0; r < rows; ++r) {
    float* p = x + r * len;
    std::copy(p, p + len, row.begin());
    for (int64_t t = 0; t < len; ++t) {
      int64_t s = t - k;
      if (circular) s = ((s % len) + len) % len;
      p[t] = (s >= 0 && s < len) ? row[size_t(s)] : 0.0f;
    }
  }
}

// Rodrigues: the rotation by `angle` about the unit vector `a`, row-major 3×3.
void rotation_matrix(const double a[3], double angle, double r[9]) {
  const double c = std::cos(angle), s = std::sin(angle), t = 1 - c;
  r[0] = c + t * a[0] * a[0], r[1] = t * a[0] * a[1] - s * a[2], r[2] = t * a[0] * a[2] + s * a[1];
  r[3] = t * a[1] * a[0] + s * a[2], r[4] = c + t * a[1] * a[1], r[5] = t * a[1] * a[2] - s * a[0];
  r[6] = t * a[2] * a[0] - s * a[1], r[7] = t * a[2] * a[1] + s * a[0], r[8] = c + t * a[2] * a[2];
}

// Um et al.'s time warp: speeds ~ N(1, σ²) at knots+2 evenly spaced points,
// joined by cosine ease (a smooth curve), integrated into a monotone time map
// t(0) = 0 … t(W−1) = W−1; each channel is read at t(i) by linear interpolation.
void time_warp(Rng& r, float* x, int64_t channels, int64_t w, double sigma, int knots) {
  if (w < 2) return;
  std::vector<double> speed_at(size_t(knots) + 2);
  for (double& v : speed_at) v = std::max(0.05, 1.0 + sigma * r.normal());
  auto speed = [&](int64_t i) {
    const double pos = double(i) / double(w - 1) * double(knots + 1);
    const size_t j = std::min(size_t(pos), size_t(knots));
    const double u = pos - double(j), ease = 0.5 - 0.5 * std::cos(kPi * u);
    return speed_at[j] + (speed_at[j + 1] - speed_at[j]) * ease;
  };
  std::vector<double> t(size_t(w), 0.0);
  for (int64_t i = 1; i < w; ++i) t[size_t(i)] = t[size_t(i - 1)] + 0.5 * (speed(i - 1) + speed(i));
  const double scale = double(w - 1) / t[size_t(w - 1)];
  std::vector<float> row(static_cast<size_t>(w));
  for (int64_t c = 0; c < channels; ++c) {
    float* p = x + c * w;
    std::copy(p, p + w, row.begin());
    for (int64_t i = 0; i < w; ++i) {
      const double ti = std::min(t[size_t(i)] * scale, double(w - 1));
      const int64_t i0 = std::min(int64_t(ti), w - 2);
      const double f = ti - double(i0);
      p[i] = float(row[size_t(i0)] * (1 - f) + row[size_t(i0 + 1)] * f);
    }
  }
}

// Zeroes `count` bands of up to `max_width` consecutive indices along one axis of a
// [rows, len] sample: frequency masks (rows) or time masks (columns).
void mask_bands(Rng& r, float* x, int64_t rows, int64_t len, int count, int max_width, bool along_rows) {
  const int64_t extent = along_rows ? rows : len;
  for (int k = 0; k < count; ++k) {
    const int64_t width = r.integer(0, std::min<int64_t>(max_width, extent));
    const int64_t start = r.integer(0, extent - width);
    for (int64_t b = start; b < start + width; ++b) {
      if (along_rows) std::fill(x + b * len, x + (b + 1) * len, 0.0f);
      else
        for (int64_t row = 0; row < rows; ++row) x[row * len + b] = 0.0f;
    }
  }
}

int64_t numel(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

}  // namespace

Augmenter::Augmenter(AugmentOptions options, std::vector<int64_t> sample_shape)
    : o_(std::move(options)), shape_(std::move(sample_shape)) {
  if (!o_.enabled()) return;
  if (o_.image_ops() && shape_.size() != 3)
    throw std::invalid_argument("augment.crop_padding / horizontal_flip need image samples [C, H, W], got " +
                                shape_to_string(shape_));
  const AugmentLayout& l = o_.layout;
  if (!l.known) {
    if (o_.audio_ops() || o_.har_ops())
      throw std::invalid_argument("augment: audio / HAR augmentation needs the data's layout "
                                  "(AugmentOptions::layout, filled by data::augment_layout)");
    return;
  }
  const auto problems = augment_problems(o_, l.modality, l.har_features, l.audio.type, &l.channel_names);
  if (!problems.empty()) throw std::invalid_argument(problems[0].first + ": " + problems[0].second);
  if (o_.har_ops() && shape_.size() != 2)
    throw std::invalid_argument("augment: HAR augmentation needs raw windows [C, W], got " + shape_to_string(shape_));
  if (o_.rotation_degrees > 0) {
    if (l.channel_names.size() != size_t(shape_[0]))
      throw std::invalid_argument("augment.rotation_degrees: " + std::to_string(l.channel_names.size()) +
                                  " channel names for windows of " + std::to_string(shape_[0]) + " channels");
    triplets_ = xyz_triplets(l.channel_names);
  }
  if (o_.audio_ops()) {
    const bool raw = l.audio.type == "raw";
    if (raw ? shape_.size() != 2 : shape_.size() != 3)
      throw std::invalid_argument("augment: audio \"" + l.audio.type + "\" samples of shape " + shape_to_string(shape_) +
                                  " (expected " + (raw ? "[1, samples]" : "[1, bands, frames]") + ")");
  }
  if (o_.noise_prob > 0) {
    if (!o_.noise_dir.empty()) noise_ = load_noise_bank(o_.noise_dir, l.audio.rate_hz);
    if (l.audio.type == "logmel") {
      AudioFeatureOptions a = l.audio;
      features_ = std::make_shared<const AudioFeatureExtractor>(a);
      if (features_->feature_shape() != shape_)
        throw std::invalid_argument("augment.noise_prob: the samples' shape " + shape_to_string(shape_) +
                                    " is not the log-mel features' " + shape_to_string(features_->feature_shape()));
    }
  }
}

const Normalization* Augmenter::normalization_for(int32_t group) const {
  const AugmentLayout& l = o_.layout;
  if (!l.group_normalization.empty()) {
    if (group < 0 || size_t(group) >= l.group_normalization.size())
      throw std::out_of_range("augment: sample of group " + std::to_string(group) + " has no per-group normalisation");
    return &l.group_normalization[size_t(group)];
  }
  return l.normalization.empty() ? nullptr : &l.normalization;
}

void Augmenter::apply(const float* src, float* out, uint64_t seed, int64_t epoch, size_t index, int32_t group) const {
  const int64_t n = numel(shape_);
  const uint64_t base = splitmix64(seed ^ splitmix64(uint64_t(epoch) * 0x100000001B3ull ^ index));
  uint64_t state = base;
  if (o_.image_ops()) apply_images(state, src, out);
  else std::copy(src, src + n, out);
  if (o_.audio_ops() || o_.har_ops()) {
    const Normalization* norm = normalization_for(group);
    if (o_.audio_ops()) apply_audio(splitmix64(base ^ kAudioStream), out, norm);
    if (o_.har_ops()) apply_har(splitmix64(base ^ kHarStream), out, norm);
  }
  if (o_.noise_std > 0) {
    Rng r{state};
    for (int64_t i = 0; i < n; ++i) out[i] += float(o_.noise_std * r.normal());
  }
}

void Augmenter::apply_images(uint64_t& state, const float* src, float* out) const {
  Rng r{state};
  const int64_t c = shape_[0], h = shape_[1], w = shape_[2];
  const int range = 2 * o_.max_shift + 1;
  const int dy = o_.max_shift > 0 ? int(r.uniform() * range) - o_.max_shift : 0;
  const int dx = o_.max_shift > 0 ? int(r.uniform() * range) - o_.max_shift : 0;
  const bool flip = o_.horizontal_flip && r.uniform() < 0.5;
  for (int64_t ch = 0; ch < c; ++ch)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) {
        const int64_t sy = y - dy, sx0 = x - dx, sx = flip ? w - 1 - sx0 : sx0;
        out[(ch * h + y) * w + x] = (sy >= 0 && sy < h && sx >= 0 && sx < w) ? src[(ch * h + sy) * w + sx] : 0.0f;
      }
  state = r.s;
}

void Augmenter::apply_audio(uint64_t state, float* x, const Normalization* norm) const {
  Rng r{state};
  const AudioFeatureOptions& a = o_.layout.audio;
  const int64_t len = shape_.back(), rows = numel(shape_) / len;
  if (o_.time_shift_ms > 0) {
    // One step: a sample of the raw clip, or one hop between feature frames.
    const double step_ms = 1000.0 * (a.type == "raw" ? 1.0 : double(a.hop_length)) / a.rate_hz;
    const int64_t max_steps = std::min<int64_t>(int64_t(std::floor(o_.time_shift_ms / step_ms + 1e-9)), len);
    shift_rows(x, rows, len, r.integer(-max_steps, max_steps), o_.time_shift_mode == "circular");
  }
  if (o_.noise_prob > 0 && r.uniform() < o_.noise_prob) mix_noise(r.s, x, norm);
  if (o_.freq_masks > 0) mask_bands(r, x, rows, len, o_.freq_masks, o_.freq_mask_width, true);
  if (o_.time_masks > 0) mask_bands(r, x, rows, len, o_.time_masks, o_.time_mask_width, false);
}

void Augmenter::mix_noise(uint64_t& state, float* x, const Normalization* norm) const {
  Rng r{state};
  const bool raw = o_.layout.audio.type == "raw";
  const int64_t n = numel(shape_);
  const int64_t clip = raw ? n : features_->clip_samples();
  // The noise waveform: a random stretch of a random clip of the folder (looped when
  // shorter than the example), or white noise.
  std::vector<float> noise(static_cast<size_t>(clip));
  if (noise_) {
    const auto& src = noise_->clips[size_t(r.integer(0, int64_t(noise_->clips.size()) - 1))];
    const int64_t m = int64_t(src.size()), start = r.integer(0, m - 1);
    for (int64_t i = 0; i < clip; ++i) noise[size_t(i)] = src[size_t((start + i) % m)];
  } else {
    for (float& v : noise) v = float(r.normal());
  }
  state = r.s;
  if (norm) norm->invert_sample(x, shape_);
  // Power of signal and noise: of the waveform (raw), or of the mel spectrogram (log-mel:
  // powers of uncorrelated signals add, so the mix is ln(mel_s + g·mel_n + 1e-6)).
  std::vector<double> ps(static_cast<size_t>(n)), pn(static_cast<size_t>(n));
  if (raw) {
    for (int64_t i = 0; i < n; ++i) ps[size_t(i)] = x[i], pn[size_t(i)] = noise[size_t(i)];
  } else {
    std::vector<float> mel(static_cast<size_t>(n));
    features_->extract(noise.data(), clip, mel.data());
    for (int64_t i = 0; i < n; ++i) {
      ps[size_t(i)] = std::max(0.0, std::exp(double(x[i])) - kLogFloor);
      pn[size_t(i)] = std::max(0.0, std::exp(double(mel[size_t(i)])) - kLogFloor);
    }
  }
  // Energies: Σ x² of a waveform, Σ mel of a (power) mel spectrogram.
  double es = 0, en = 0;
  for (int64_t i = 0; i < n; ++i) {
    es += raw ? ps[size_t(i)] * ps[size_t(i)] : ps[size_t(i)];
    en += raw ? pn[size_t(i)] * pn[size_t(i)] : pn[size_t(i)];
  }
  if (es > 0 && en > 0) {  // a silent example or a silent noise stretch has no SNR: left as it is
    const double ratio = es / (en * std::pow(10.0, o_.noise_snr_db / 10.0));
    for (int64_t i = 0; i < n; ++i)
      x[i] = raw ? float(ps[size_t(i)] + std::sqrt(ratio) * pn[size_t(i)])
                 : float(std::log(ps[size_t(i)] + ratio * pn[size_t(i)] + kLogFloor));
  }
  if (norm) norm->apply_sample(x, shape_);
}

void Augmenter::apply_har(uint64_t state, float* x, const Normalization* norm) const {
  Rng r{state};
  const int64_t channels = shape_[0], w = shape_[1];
  // Time warping commutes with the per-channel normalisation; scaling and rotation act
  // on the sensor's own units.
  if (o_.time_warp_sigma > 0) time_warp(r, x, channels, w, o_.time_warp_sigma, o_.time_warp_knots);
  const bool physical = o_.scale_sigma > 0 || o_.rotation_degrees > 0;
  if (physical && norm) norm->invert_sample(x, shape_);
  if (o_.scale_sigma > 0)
    for (int64_t c = 0; c < channels; ++c) {
      const float f = float(1.0 + o_.scale_sigma * r.normal());
      for (int64_t i = 0; i < w; ++i) x[c * w + i] *= f;
    }
  if (o_.rotation_degrees > 0) {
    // One rotation per window for every triplet (the sensors share the device's frame):
    // axis uniform on the sphere, angle uniform in ±rotation_degrees.
    double axis[3] = {0, 0, 1}, len = 0;
    for (int tries = 0; tries < 8 && len < 1e-6; ++tries) {
      for (double& v : axis) v = r.normal();
      len = std::sqrt(axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]);
    }
    if (len < 1e-6) axis[0] = axis[1] = 0, axis[2] = len = 1;
    for (double& v : axis) v /= len;
    double rot[9];
    rotation_matrix(axis, (2 * r.uniform() - 1) * o_.rotation_degrees * kPi / 180.0, rot);
    for (int t0 : triplets_)
      for (int64_t i = 0; i < w; ++i) {
        float* px = x + int64_t(t0) * w + i;
        const double v[3] = {px[0], px[w], px[2 * w]};
        for (int k = 0; k < 3; ++k) px[k * w] = float(rot[3 * k] * v[0] + rot[3 * k + 1] * v[1] + rot[3 * k + 2] * v[2]);
      }
  }
  if (physical && norm) norm->apply_sample(x, shape_);
  if (o_.jitter_sigma > 0)
    for (int64_t i = 0; i < channels * w; ++i) x[i] += float(o_.jitter_sigma * r.normal());
}

}  // namespace slimlab::data
