#include "datasets/audio_features.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "datasets/fft.h"

namespace slimlab::data {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr float kLogFloor = 1e-6f;

#if defined(__GNUC__)
typedef float V4 __attribute__((vector_size(16)));
#endif

bool is_pow2(int n) { return n > 0 && (n & (n - 1)) == 0; }

[[noreturn]] void bad_option(const std::string& name, const std::string& why) {
  throw std::invalid_argument("AudioFeatureOptions." + name + ": " + why);
}

std::string num(double v) {
  std::string s = std::to_string(v);
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// Working memory of extract(), one per thread (see the header).
struct Scratch {
  std::vector<float> frame, re, im, power, column;
};

Scratch& thread_scratch() {
  thread_local Scratch s;
  return s;
}

void grow(std::vector<float>& v, size_t n) {
  if (v.size() < n) v.resize(n);
}

}  // namespace

// Slaney / Auditory Toolbox mel scale, as librosa with htk=False.
double hz_to_mel_slaney(double hz) {
  const double f_sp = 200.0 / 3.0, min_log_hz = 1000.0, min_log_mel = min_log_hz / f_sp;
  const double logstep = std::log(6.4) / 27.0;
  return hz >= min_log_hz ? min_log_mel + std::log(hz / min_log_hz) / logstep : hz / f_sp;
}

double mel_to_hz_slaney(double mel) {
  const double f_sp = 200.0 / 3.0, min_log_hz = 1000.0, min_log_mel = min_log_hz / f_sp;
  const double logstep = std::log(6.4) / 27.0;
  return mel >= min_log_mel ? min_log_hz * std::exp(logstep * (mel - min_log_mel)) : mel * f_sp;
}

namespace {

// The options a spectrogram needs (not `raw`); returns the effective fmax.
double check_spectral_options(const AudioFeatureOptions& o, bool mfcc) {
  if (o.n_fft < 1 || o.n_fft > 65536) bad_option("n_fft", "must be in 1 .. 65536, got " + std::to_string(o.n_fft));
  if (o.win_length < 1) bad_option("win_length", "must be positive, got " + std::to_string(o.win_length));
  if (o.n_fft < o.win_length)
    bad_option("n_fft", std::to_string(o.n_fft) + " is smaller than win_length " + std::to_string(o.win_length));
  if (o.hop_length <= 0) bad_option("hop_length", "must be positive, got " + std::to_string(o.hop_length));
  const int bins = o.n_fft / 2 + 1;
  if (o.n_mels < 1 || o.n_mels > bins)
    bad_option("n_mels", std::to_string(o.n_mels) + " must be in 1 .. n_fft/2+1 = " + std::to_string(bins));
  if (mfcc && (o.n_mfcc < 1 || o.n_mfcc > o.n_mels))
    bad_option("n_mfcc", std::to_string(o.n_mfcc) + " must be in 1 .. n_mels = " + std::to_string(o.n_mels));
  const double nyquist = o.rate_hz / 2;
  if (!(o.fmax >= 0) || o.fmax > nyquist)
    bad_option("fmax", num(o.fmax) + " Hz must be in 0 .. rate_hz/2 = " + num(nyquist) + " (0 = rate_hz/2)");
  const double fmax = o.fmax > 0 ? o.fmax : nyquist;
  if (!(o.fmin >= 0) || o.fmin >= fmax)
    bad_option("fmin", num(o.fmin) + " Hz must be in 0 .. fmax = " + num(fmax) + " (exclusive)");
  if (!is_pow2(o.n_fft) && double(bins) * o.win_length > double(1 << 24))
    bad_option("n_fft", std::to_string(o.n_fft) + " is not a power of two and too large for the direct DFT");
  return fmax;
}

}  // namespace

namespace {

// Slaney filterbank (librosa.filters.mel, norm="slaney"), kept sparse: filter m covers
// bins start[m] .. + len[m], its weights at weights[offset[m] ..].
struct MelBank {
  std::vector<int> start, len, offset;
  std::vector<float> weights;
};

MelBank mel_filterbank(const AudioFeatureOptions& o, int bins, double fmax) {
  MelBank mb;
  const double mel_lo = hz_to_mel_slaney(o.fmin), mel_hi = hz_to_mel_slaney(fmax);
  std::vector<double> edge(size_t(o.n_mels) + 2);
  for (size_t i = 0; i < edge.size(); ++i)
    edge[i] = mel_to_hz_slaney(mel_lo + (mel_hi - mel_lo) * double(i) / double(o.n_mels + 1));
  mb.start.resize(size_t(o.n_mels));
  mb.len.resize(size_t(o.n_mels));
  mb.offset.resize(size_t(o.n_mels));
  for (int m = 0; m < o.n_mels; ++m) {
    const double left = edge[size_t(m)], centre = edge[size_t(m) + 1], right = edge[size_t(m) + 2];
    const double norm = 2.0 / (right - left);
    int first = -1, last = -1;
    std::vector<float> w;
    for (int k = 0; k < bins; ++k) {
      const double f = double(k) * o.rate_hz / o.n_fft;
      const double up = (f - left) / (centre - left), down = (right - f) / (right - centre);
      const double v = std::max(0.0, std::min(up, down));
      if (v <= 0) continue;
      if (first < 0) first = k;
      // A filter narrower than a bin can leave gaps of zeros; keep them so the
      // weights stay contiguous.
      for (int gap = last + 1; last >= 0 && gap < k; ++gap) w.push_back(0.0f);
      w.push_back(float(v * norm));
      last = k;
    }
    mb.start[size_t(m)] = first < 0 ? 0 : first;
    mb.len[size_t(m)] = int(w.size());  // 0: the filter falls between bins (its mel is 0)
    mb.offset[size_t(m)] = int(mb.weights.size());
    mb.weights.insert(mb.weights.end(), w.begin(), w.end());
  }
  return mb;
}

// Radix-2 tables for a power-of-two n_fft (a real FFT of length n_fft as a complex one of
// n_fft/2), else the direct DFT's cos/sin over the window's support.
struct FftTables {
  bool fast = false;
  std::vector<int> bitrev;
  std::vector<float> tw_re, tw_im, post_re, post_im, dft_cos, dft_sin;
};

FftTables fft_tables(const AudioFeatureOptions& o, int bins, int win_offset) {
  FftTables t;
  t.fast = is_pow2(o.n_fft) && o.n_fft >= 2;
  if (t.fast) {
    const int h = o.n_fft / 2;
    t.bitrev = bit_reversal_permutation(h);
    t.tw_re.assign(size_t(std::max(2, h)), 0.0f);
    t.tw_im.assign(t.tw_re.size(), 0.0f);
    for (int half = 1; half < h; half *= 2)
      for (int j = 0; j < half; ++j) {
        t.tw_re[size_t(half + j)] = float(std::cos(-kPi * j / half));
        t.tw_im[size_t(half + j)] = float(std::sin(-kPi * j / half));
      }
    t.post_re.resize(size_t(bins));
    t.post_im.resize(size_t(bins));
    for (int k = 0; k < bins; ++k) {
      t.post_re[size_t(k)] = float(std::cos(-2.0 * kPi * k / o.n_fft));
      t.post_im[size_t(k)] = float(std::sin(-2.0 * kPi * k / o.n_fft));
    }
    return t;
  }
  // Angles reduced mod n_fft in integers, so large k·i stay exact.
  t.dft_cos.resize(size_t(bins) * size_t(o.win_length));
  t.dft_sin.resize(t.dft_cos.size());
  for (int k = 0; k < bins; ++k)
    for (int i = 0; i < o.win_length; ++i) {
      const int64_t r = (int64_t(k) * (win_offset + i)) % o.n_fft;
      const double a = -2.0 * kPi * double(r) / o.n_fft;
      t.dft_cos[size_t(k) * size_t(o.win_length) + size_t(i)] = float(std::cos(a));
      t.dft_sin[size_t(k) * size_t(o.win_length) + size_t(i)] = float(std::sin(a));
    }
  return t;
}

}  // namespace

AudioFeatureExtractor::AudioFeatureExtractor(const AudioFeatureOptions& options) : opt_(options) {
  const AudioFeatureOptions& o = opt_;
  if (o.type == "logmel") kind_ = Kind::kLogMel;
  else if (o.type == "mfcc") kind_ = Kind::kMfcc;
  else if (o.type == "raw") kind_ = Kind::kRaw;
  else bad_option("type", "'" + o.type + "' is not one of logmel, mfcc, raw");
  if (!(o.rate_hz > 0) || !std::isfinite(o.rate_hz)) bad_option("rate_hz", "must be positive, got " + num(o.rate_hz));
  if (!(o.clip_seconds > 0) || !std::isfinite(o.clip_seconds))
    bad_option("clip_seconds", "must be positive, got " + num(o.clip_seconds));
  const double clip = std::round(o.clip_seconds * o.rate_hz);
  if (clip < 1 || clip > double(int64_t(1) << 30))
    bad_option("clip_seconds", num(o.clip_seconds) + " s at " + num(o.rate_hz) + " Hz is " + num(clip) +
                                   " samples (1 .. 2^30 allowed)");
  clip_samples_ = int64_t(clip);
  if (kind_ == Kind::kRaw) return;

  const double fmax = check_spectral_options(o, kind_ == Kind::kMfcc);
  bins_ = o.n_fft / 2 + 1;
  const int pad = o.n_fft / 2;
  frames_ = 1 + (clip_samples_ + 2 * pad - o.n_fft) / o.hop_length;

  // Periodic Hann window, centred in the frame (librosa's pad_center).
  win_offset_ = (o.n_fft - o.win_length) / 2;
  window_ = hann_window(o.win_length);
  MelBank mb = mel_filterbank(o, bins_, fmax);
  mel_start_ = std::move(mb.start);
  mel_len_ = std::move(mb.len);
  mel_offset_ = std::move(mb.offset);
  mel_weights_ = std::move(mb.weights);
  if (kind_ == Kind::kMfcc) {
    const int nm = o.n_mels;
    dct_.resize(size_t(o.n_mfcc) * size_t(nm));
    for (int q = 0; q < o.n_mfcc; ++q) {
      const double alpha = std::sqrt((q == 0 ? 1.0 : 2.0) / nm);
      for (int m = 0; m < nm; ++m)
        dct_[size_t(q) * size_t(nm) + size_t(m)] = float(alpha * std::cos(kPi * q * (2.0 * m + 1.0) / (2.0 * nm)));
    }
  }
  FftTables t = fft_tables(o, bins_, win_offset_);
  fast_fft_ = t.fast;
  bitrev_ = std::move(t.bitrev);
  tw_re_ = std::move(t.tw_re);
  tw_im_ = std::move(t.tw_im);
  post_re_ = std::move(t.post_re);
  post_im_ = std::move(t.post_im);
  dft_cos_ = std::move(t.dft_cos);
  dft_sin_ = std::move(t.dft_sin);
}

std::vector<int64_t> AudioFeatureExtractor::feature_shape() const {
  switch (kind_) {
    case Kind::kLogMel: return {1, opt_.n_mels, frames_};
    case Kind::kMfcc: return {1, opt_.n_mfcc, frames_};
    case Kind::kRaw: break;
  }
  return {1, clip_samples_};
}

int64_t AudioFeatureExtractor::feature_numel() const {
  int64_t n = 1;
  for (int64_t d : feature_shape()) n *= d;
  return n;
}

std::vector<float> AudioFeatureExtractor::mel_filterbank_dense() const {
  std::vector<float> dense(size_t(opt_.n_mels) * size_t(bins_), 0.0f);
  for (int m = 0; m < opt_.n_mels && kind_ != Kind::kRaw; ++m)
    for (int b = 0; b < mel_len_[size_t(m)]; ++b)
      dense[size_t(m) * size_t(bins_) + size_t(mel_start_[size_t(m)] + b)] =
          mel_weights_[size_t(mel_offset_[size_t(m)] + b)];
  return dense;
}

// In-place radix-2 FFT of h points given in bit-reversed order (split re/im).
void AudioFeatureExtractor::complex_fft_bitreversed(float* __restrict re, float* __restrict im, int h) const {
  // Lengths 2 and 4 have the trivial twiddles 1 and −i: one pass, no multiplies.
  if (h >= 4) {
    for (int a = 0; a < h; a += 4) {
      const float r0 = re[a] + re[a + 1], i0 = im[a] + im[a + 1];
      const float r1 = re[a] - re[a + 1], i1 = im[a] - im[a + 1];
      const float r2 = re[a + 2] + re[a + 3], i2 = im[a + 2] + im[a + 3];
      const float r3 = re[a + 2] - re[a + 3], i3 = im[a + 2] - im[a + 3];
      re[a] = r0 + r2, im[a] = i0 + i2;
      re[a + 2] = r0 - r2, im[a + 2] = i0 - i2;
      re[a + 1] = r1 + i3, im[a + 1] = i1 - r3;  // r1 + (−i)(r3 + i·i3)
      re[a + 3] = r1 - i3, im[a + 3] = i1 + r3;
    }
  } else if (h == 2) {
    const float r = re[1], i = im[1];
    re[1] = re[0] - r, im[1] = im[0] - i;
    re[0] += r, im[0] += i;
  }
  for (int half = 4; half < h; half *= 2) {
    const float* __restrict wr = &tw_re_[size_t(half)];
    const float* __restrict wi = &tw_im_[size_t(half)];
    for (int start = 0; start < h; start += 2 * half) {
      float* __restrict ar = re + start;
      float* __restrict ai = im + start;
      float* __restrict br = re + start + half;
      float* __restrict bi = im + start + half;
#if defined(__GNUC__)
      // 4 butterflies at a time in GCC/Clang vector types (SSE / NEON); half is a
      // power of two ≥ 4, so there is no remainder.
      for (int j = 0; j < half; j += 4) {
        V4 xr, xi, yr, yi, cr, ci;
        std::memcpy(&xr, ar + j, 16), std::memcpy(&xi, ai + j, 16);
        std::memcpy(&yr, br + j, 16), std::memcpy(&yi, bi + j, 16);
        std::memcpy(&cr, wr + j, 16), std::memcpy(&ci, wi + j, 16);
        const V4 vr = yr * cr - yi * ci, vi = yr * ci + yi * cr;
        const V4 outr0 = xr + vr, outi0 = xi + vi, outr1 = xr - vr, outi1 = xi - vi;
        std::memcpy(ar + j, &outr0, 16), std::memcpy(ai + j, &outi0, 16);
        std::memcpy(br + j, &outr1, 16), std::memcpy(bi + j, &outi1, 16);
      }
#else
      for (int j = 0; j < half; ++j) {
        const float vr = br[j] * wr[j] - bi[j] * wi[j], vi = br[j] * wi[j] + bi[j] * wr[j];
        br[j] = ar[j] - vr;
        bi[j] = ai[j] - vi;
        ar[j] += vr;
        ai[j] += vi;
      }
#endif
    }
  }
}

// Power spectrum of frame t. The clip is src[0 .. valid) followed by zeros up to
// clip_samples; frame t covers clip samples t·hop − n_fft/2 + i, i < n_fft.
void AudioFeatureExtractor::frame_power(const float* src, int64_t valid, int64_t t, float* frame, float* re,
                                        float* im, float* power) const {
  const int n_fft = opt_.n_fft, win = opt_.win_length;
  const int64_t first = t * opt_.hop_length - n_fft / 2 + win_offset_;  // clip index of window sample 0
  // Window samples i in [i_lo, i_hi) see real clip samples; the rest see zeros.
  const int64_t i_lo = std::clamp<int64_t>(-first, 0, win);
  const int64_t i_hi = std::clamp<int64_t>(valid - first, i_lo, win);
  const float* w = window_.data();

  if (fast_fft_) {
    const int h = n_fft / 2;
    std::fill(re, re + h, 0.0f);
    std::fill(im, im + h, 0.0f);
    // Pack the real frame as h complex values z[j] = x[2j] + i·x[2j+1], written
    // straight to their bit-reversed slots.
    const int* br = bitrev_.data();
    for (int64_t i = i_lo; i < i_hi; ++i) {
      const int pos = win_offset_ + int(i);
      const float v = src[first + i] * w[i];
      if (pos & 1) im[br[pos >> 1]] = v;
      else re[br[pos >> 1]] = v;
    }
    complex_fft_bitreversed(re, im, h);
    // Split into the spectrum of the real frame:
    //   X[k] = E + P,  E = (Z[k] + conj Z[h−k])/2,  P = e^{-2πik/n}·(Z[k] − conj Z[h−k])/(2i),
    // and X[h−k] = conj(E − P), so one (E, P) gives both bins of a mirrored pair.
    power[0] = (re[0] + im[0]) * (re[0] + im[0]);
    power[h] = (re[0] - im[0]) * (re[0] - im[0]);
    for (int k = 1; 2 * k <= h; ++k) {
      const int kb = h - k;
      const float ar = re[k], ai = im[k], br_ = re[kb], bi = im[kb];
      const float er = 0.5f * (ar + br_), ei = 0.5f * (ai - bi);
      const float orr = 0.5f * (ai + bi), oi = -0.5f * (ar - br_);
      const float wr = post_re_[size_t(k)], wi = post_im_[size_t(k)];
      const float pr = wr * orr - wi * oi, pi = wr * oi + wi * orr;
      power[k] = (er + pr) * (er + pr) + (ei + pi) * (ei + pi);
      if (kb != k) power[kb] = (er - pr) * (er - pr) + (ei - pi) * (ei - pi);
    }
    return;
  }
  std::fill(frame, frame + win, 0.0f);
  for (int64_t i = i_lo; i < i_hi; ++i) frame[i] = src[first + i] * w[i];
  for (int k = 0; k < bins_; ++k) {
    const float* c = &dft_cos_[size_t(k) * size_t(win)];
    const float* s = &dft_sin_[size_t(k) * size_t(win)];
    float xr = 0, xi = 0;
    for (int64_t i = i_lo; i < i_hi; ++i) {
      xr += frame[i] * c[i];
      xi += frame[i] * s[i];
    }
    power[k] = xr * xr + xi * xi;
  }
}

void AudioFeatureExtractor::extract(const float* mono, int64_t n, float* out) const {
  if (n < 0) n = 0;
  // Centre-crop a long clip; a short one is padded with zeros at the end.
  const float* src = mono + (n > clip_samples_ ? (n - clip_samples_) / 2 : 0);
  const int64_t valid = std::min(n, clip_samples_);

  if (kind_ == Kind::kRaw) {
    std::copy(src, src + valid, out);
    std::fill(out + valid, out + clip_samples_, 0.0f);
    return;
  }

  Scratch& s = thread_scratch();
  grow(s.frame, size_t(opt_.n_fft));
  grow(s.re, size_t(opt_.n_fft / 2 + 1));
  grow(s.im, size_t(opt_.n_fft / 2 + 1));
  grow(s.power, size_t(bins_));
  grow(s.column, size_t(opt_.n_mels));
  const int n_mels = opt_.n_mels;
  const int64_t frames = frames_;
  for (int64_t t = 0; t < frames; ++t) {
    frame_power(src, valid, t, s.frame.data(), s.re.data(), s.im.data(), s.power.data());
    const float* p = s.power.data();
    float* col = kind_ == Kind::kLogMel ? nullptr : s.column.data();
    for (int m = 0; m < n_mels; ++m) {
      const float* wt = &mel_weights_[size_t(mel_offset_[size_t(m)])];
      const float* pm = p + mel_start_[size_t(m)];
      float e = 0;
      for (int b = 0, len = mel_len_[size_t(m)]; b < len; ++b) e += wt[b] * pm[b];
      const float v = std::log(e + kLogFloor);
      if (col) col[m] = v;
      else out[m * frames + t] = v;
    }
    if (kind_ == Kind::kMfcc) {
      for (int q = 0; q < opt_.n_mfcc; ++q) {
        const float* d = &dct_[size_t(q) * size_t(n_mels)];
        float c = 0;
        for (int m = 0; m < n_mels; ++m) c += d[m] * col[m];
        out[q * frames + t] = c;
      }
    }
  }
}

}  // namespace slimlab::data
