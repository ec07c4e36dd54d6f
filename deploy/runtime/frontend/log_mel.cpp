// Log-mel spectrogram and MFCC (the definitions of datasets/audio_features.h).
#include <algorithm>
#include <cmath>
#include <string>

#include "frontend/internal.h"
#include "slimrt/frontend.h"

namespace slimrt::frontend {

namespace {

constexpr float kLogFloor = 1e-6f;
constexpr char kOwner[] = "LogMelOptions";

// Slaney mel scale (librosa htk=False): 200/3 Hz per mel below 1 kHz, then
// logarithmic with 27 mels per factor 6.4.
constexpr double kFsp = 200.0 / 3.0, kMinLogHz = 1000.0, kMinLogMel = kMinLogHz / kFsp;
double log_step() { return std::log(6.4) / 27.0; }
double hz_to_mel(double hz) { return hz >= kMinLogHz ? kMinLogMel + std::log(hz / kMinLogHz) / log_step() : hz / kFsp; }
double mel_to_hz(double mel) {
  return mel >= kMinLogMel ? kMinLogHz * std::exp(log_step() * (mel - kMinLogMel)) : mel * kFsp;
}

void check(const LogMelOptions& o) {
  if (!(o.rate_hz > 0) || !std::isfinite(o.rate_hz)) bad_option(kOwner, "rate_hz", "must be positive, got " + num(o.rate_hz));
  if (o.clip_samples < 1 || o.clip_samples > (int64_t(1) << 30))
    bad_option(kOwner, "clip_samples", std::to_string(o.clip_samples) + " is outside 1 .. 2^30");
  if (o.n_fft < 1 || o.n_fft > 65536) bad_option(kOwner, "n_fft", "must be in 1 .. 65536, got " + std::to_string(o.n_fft));
  if (o.win_length < 1 || o.win_length > o.n_fft)
    bad_option(kOwner, "win_length", std::to_string(o.win_length) + " must be in 1 .. n_fft = " + std::to_string(o.n_fft));
  if (o.hop_length <= 0) bad_option(kOwner, "hop_length", "must be positive, got " + std::to_string(o.hop_length));
  const int bins = o.n_fft / 2 + 1;
  if (o.n_mels < 1 || o.n_mels > bins)
    bad_option(kOwner, "n_mels", std::to_string(o.n_mels) + " must be in 1 .. n_fft/2+1 = " + std::to_string(bins));
  if (o.n_mfcc < 0 || o.n_mfcc > o.n_mels)
    bad_option(kOwner, "n_mfcc", std::to_string(o.n_mfcc) + " must be in 0 .. n_mels = " + std::to_string(o.n_mels));
  const double nyquist = o.rate_hz / 2;
  if (!(o.fmax >= 0) || o.fmax > nyquist)
    bad_option(kOwner, "fmax", num(o.fmax) + " Hz must be in 0 .. rate_hz/2 = " + num(nyquist) + " (0 = rate_hz/2)");
  const double fmax = o.fmax > 0 ? o.fmax : nyquist;
  if (!(o.fmin >= 0) || o.fmin >= fmax)
    bad_option(kOwner, "fmin", num(o.fmin) + " Hz must be in 0 .. fmax = " + num(fmax) + " (exclusive)");
}

// Slaney filterbank (librosa.filters.mel, norm="slaney"), kept sparse: filter m
// is the triangle over edges m, m+1, m+2 of n_mels+2 points evenly spaced in
// mel, scaled by 2/(f_right − f_left) to unit area.
void build_filterbank(LogMelPlan& p) {
  const LogMelOptions& o = p.options;
  const double fmax = o.fmax > 0 ? o.fmax : o.rate_hz / 2;
  const double lo = hz_to_mel(o.fmin), hi = hz_to_mel(fmax);
  std::vector<double> edge(size_t(o.n_mels) + 2);
  for (size_t i = 0; i < edge.size(); ++i) edge[i] = mel_to_hz(lo + (hi - lo) * double(i) / double(o.n_mels + 1));
  p.mel_start.assign(size_t(o.n_mels), 0);
  p.mel_len.assign(size_t(o.n_mels), 0);
  p.mel_offset.assign(size_t(o.n_mels), 0);
  for (int m = 0; m < o.n_mels; ++m) {
    const double left = edge[size_t(m)], centre = edge[size_t(m) + 1], right = edge[size_t(m) + 2];
    const double norm = 2.0 / (right - left);
    int first = -1, last = -1;
    p.mel_offset[size_t(m)] = int32_t(p.mel_weights.size());
    for (int k = 0; k < p.bins; ++k) {
      const double f = double(k) * o.rate_hz / o.n_fft;
      const double v = std::max(0.0, std::min((f - left) / (centre - left), (right - f) / (right - centre)));
      if (v <= 0) continue;
      if (first < 0) first = k;
      for (int gap = last + 1; last >= 0 && gap < k; ++gap) p.mel_weights.push_back(0.0f);  // keep weights contiguous
      p.mel_weights.push_back(float(v * norm));
      last = k;
    }
    p.mel_start[size_t(m)] = first < 0 ? 0 : first;
    p.mel_len[size_t(m)] = int32_t(p.mel_weights.size()) - p.mel_offset[size_t(m)];  // 0: between bins, mel = 0
  }
}

}  // namespace

LogMelPlan prepare_log_mel(const LogMelOptions& options) {
  check(options);
  LogMelPlan p;
  p.options = options;
  const LogMelOptions& o = p.options;
  p.bins = o.n_fft / 2 + 1;
  p.frames = 1 + (o.clip_samples + 2 * (o.n_fft / 2) - o.n_fft) / o.hop_length;
  p.win_offset = (o.n_fft - o.win_length) / 2;
  p.window.resize(size_t(o.win_length));
  for (int i = 0; i < o.win_length; ++i) p.window[size_t(i)] = float(0.5 - 0.5 * std::cos(2.0 * kPi * i / o.win_length));
  build_filterbank(p);
  if (o.n_mfcc > 0) {
    const int nm = o.n_mels;
    p.dct.resize(size_t(o.n_mfcc) * size_t(nm));
    for (int q = 0; q < o.n_mfcc; ++q) {
      const double alpha = std::sqrt((q == 0 ? 1.0 : 2.0) / nm);
      for (int m = 0; m < nm; ++m)
        p.dct[size_t(q) * size_t(nm) + size_t(m)] = float(alpha * std::cos(kPi * q * (2.0 * m + 1.0) / (2.0 * nm)));
    }
  }
  if (o.n_fft >= 2 && (o.n_fft & (o.n_fft - 1)) == 0) {
    p.fft = prepare_real_fft(o.n_fft);
  } else {
    if (double(p.bins) * o.n_fft > double(1 << 24))
      bad_option(kOwner, "n_fft", std::to_string(o.n_fft) + " is not a power of two and too large for the direct DFT");
    p.dft = prepare_dft(o.n_fft, p.bins);
  }
  // frame (n_fft) | re, im (n_fft/2 + 1 each) | power (bins) | column (n_mels)
  p.scratch_floats = size_t(o.n_fft) + 2 * size_t(p.bins) + size_t(p.bins) + size_t(o.n_mels);
  return p;
}

void frame_window(const LogMelPlan& p, const float* x, int64_t valid, int64_t t, float* frame) {
  const int n_fft = p.options.n_fft, win = p.options.win_length;
  const int64_t first = t * p.options.hop_length - n_fft / 2 + p.win_offset;  // sample under window[0]
  const int64_t i_lo = std::clamp<int64_t>(-first, 0, win);
  const int64_t i_hi = std::clamp<int64_t>(valid - first, i_lo, win);
  std::fill(frame, frame + n_fft, 0.0f);
  float* f = frame + p.win_offset;
  const float* w = p.window.data();
  for (int64_t i = i_lo; i < i_hi; ++i) f[i] = x[first + i] * w[i];
}

void power_spectrum(const LogMelPlan& p, const float* frame, float* scratch, float* power) {
  float* re = scratch;
  float* im = scratch + p.bins;
  if (p.fft.n) real_fft(p.fft, frame, re, im);
  else dft(p.dft, frame, re, im);
  for (int k = 0; k < p.bins; ++k) power[k] = re[k] * re[k] + im[k] * im[k];
}

void log_mel(const LogMelPlan& p, const float* power, float* out, int64_t stride) {
  for (int m = 0, nm = p.options.n_mels; m < nm; ++m) {
    const float* w = p.mel_weights.data() + p.mel_offset[size_t(m)];
    const float* pm = power + p.mel_start[size_t(m)];
    float e = 0;
    for (int b = 0, len = p.mel_len[size_t(m)]; b < len; ++b) e += w[b] * pm[b];
    out[m * stride] = std::log(e + kLogFloor);
  }
}

void dct_ortho(const LogMelPlan& p, const float* logmel, float* out, int64_t stride) {
  const int nm = p.options.n_mels;
  for (int q = 0; q < p.options.n_mfcc; ++q) {
    const float* d = p.dct.data() + size_t(q) * size_t(nm);
    float c = 0;
    for (int m = 0; m < nm; ++m) c += d[m] * logmel[m];
    out[q * stride] = c;
  }
}

void feature_column(const LogMelPlan& p, const float* x, int64_t valid, int64_t t, float* scratch, float* out,
                    int64_t stride) {
  float* frame = scratch;
  float* spectrum = frame + p.options.n_fft;  // re, im
  float* power = spectrum + 2 * p.bins;
  float* column = power + p.bins;
  frame_window(p, x, valid, t, frame);
  power_spectrum(p, frame, spectrum, power);
  if (p.options.n_mfcc > 0) {
    log_mel(p, power, column, 1);
    dct_ortho(p, column, out, stride);
  } else {
    log_mel(p, power, out, stride);
  }
}

void log_mel_features(const LogMelPlan& p, const float* x, int64_t n, float* scratch, float* out) {
  const int64_t clip = p.options.clip_samples;
  if (n < 0) n = 0;
  const float* src = x + (n > clip ? (n - clip) / 2 : 0);  // centre crop
  const int64_t valid = std::min(n, clip);
  for (int64_t t = 0; t < p.frames; ++t) feature_column(p, src, valid, t, scratch, out + t, p.frames);
}

}  // namespace slimrt::frontend
