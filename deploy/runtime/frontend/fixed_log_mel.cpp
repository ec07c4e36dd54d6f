// Fixed-point log-mel / MFCC (slimrt/frontend.h describes the arithmetic). The
// per-frame path is integer only: floats appear in prepare, where the tables are
// quantized.
#include <algorithm>
#include <cmath>
#include <iterator>
#include <string>

#include "frontend/internal.h"
#include "slimrt/fixed_point.h"
#include "slimrt/frontend.h"

namespace slimrt::frontend {

namespace {

constexpr int kBlockBits = kFixedBlockBits;
constexpr int64_t kLn2Q30 = kFixedLn2Q30;
constexpr uint64_t kFloorMantissa = kFixedFloorMantissa;
constexpr int kFloorExponent = kFixedFloorExponent;

// round(log2(1 + i/128) · 2^16), i = 0 .. 128.
constexpr int32_t kLog2Table[129] = {
    0,     736,   1466,  2190,  2909,  3623,  4331,  5034,  5732,  6425,  7112,  7795,  8473,  9146,  9814,
    10477, 11136, 11791, 12440, 13086, 13727, 14363, 14996, 15624, 16248, 16868, 17484, 18096, 18704, 19308,
    19909, 20505, 21098, 21687, 22272, 22854, 23433, 24007, 24579, 25146, 25711, 26272, 26830, 27384, 27936,
    28484, 29029, 29571, 30109, 30645, 31178, 31707, 32234, 32758, 33279, 33797, 34312, 34825, 35334, 35841,
    36346, 36847, 37346, 37842, 38336, 38827, 39316, 39802, 40286, 40767, 41246, 41722, 42196, 42667, 43137,
    43603, 44068, 44530, 44990, 45448, 45904, 46357, 46809, 47258, 47705, 48150, 48593, 49034, 49472, 49909,
    50344, 50776, 51207, 51636, 52063, 52488, 52911, 53332, 53751, 54169, 54584, 54998, 55410, 55820, 56229,
    56635, 57040, 57443, 57845, 58245, 58643, 59039, 59434, 59827, 60219, 60609, 60997, 61384, 61769, 62152,
    62534, 62915, 63294, 63671, 64047, 64421, 64794, 65166, 65536};

inline int msb64(uint64_t v) {  // v > 0
#if defined(__GNUC__)
  return 63 - __builtin_clzll(v);
#else
  int r = 0;
  while (v >>= 1) ++r;
  return r;
#endif
}

inline int32_t q30(double v) { return int32_t(std::lround(v * double(1 << 30))); }
inline int64_t round_shift(int64_t v, int s) { return (v + (int64_t(1) << (s - 1))) >> s; }  // s ≥ 1

// Shifts the block right by s ≥ 1 bits (rounded) or left by −s; returns the new peak.
uint32_t rescale(int32_t* re, int32_t* im, int h, int s) {
  uint32_t peak = 0;
  for (int i = 0; i < h; ++i) {
    re[i] = int32_t(s > 0 ? round_shift(re[i], s) : int64_t(re[i]) * (int64_t(1) << -s));
    im[i] = int32_t(s > 0 ? round_shift(im[i], s) : int64_t(im[i]) * (int64_t(1) << -s));
    peak = std::max(peak, uint32_t(std::max(std::abs(re[i]), std::abs(im[i]))));
  }
  return peak;
}

// Keeps the block below 2^29 (and, at the start, at least 2^28); returns the exponent change.
int keep_headroom(int32_t* re, int32_t* im, int h, uint32_t& peak, bool grow) {
  if (peak == 0) return 0;
  const int s = msb64(peak) - (kBlockBits - 1);
  if (s > 0 || (grow && s < 0)) {
    peak = rescale(re, im, h, s);
    return s;
  }
  return 0;
}

// One radix-2 stage on int32 data with Q30 twiddles; returns the output peak.
uint32_t fixed_stage(const FixedLogMelPlan& p, int32_t* re, int32_t* im, int h, int half) {
  const int32_t* wr = p.stage_re.data() + half;
  const int32_t* wi = p.stage_im.data() + half;
  uint32_t peak = 0;
  for (int start = 0; start < h; start += 2 * half)
    for (int j = 0; j < half; ++j) {
      const int a = start + j, b = a + half;
      const int64_t vr = round_shift(int64_t(re[b]) * wr[j] - int64_t(im[b]) * wi[j], 30);
      const int64_t vi = round_shift(int64_t(re[b]) * wi[j] + int64_t(im[b]) * wr[j], 30);
      const int64_t ar = re[a], ai = im[a];
      re[a] = int32_t(ar + vr), im[a] = int32_t(ai + vi);
      re[b] = int32_t(ar - vr), im[b] = int32_t(ai - vi);
      peak = std::max({peak, uint32_t(std::abs(re[a])), uint32_t(std::abs(im[a])), uint32_t(std::abs(re[b])),
                       uint32_t(std::abs(im[b]))});
    }
  return peak;
}

// Power spectrum of frame t as power[k] · 2^exponent (the return value).
int fixed_frame_power(const FixedLogMelPlan& p, const int16_t* x, int64_t valid, int64_t t, int32_t* re, int32_t* im,
                      uint64_t* power) {
  const LogMelPlan& g = p.geometry;
  const int n_fft = g.options.n_fft, win = g.options.win_length, h = n_fft / 2;
  const int64_t first = t * g.options.hop_length - n_fft / 2 + g.win_offset;
  const int64_t i_lo = std::clamp<int64_t>(-first, 0, win);
  const int64_t i_hi = std::clamp<int64_t>(valid - first, i_lo, win);
  std::fill(re, re + h, 0);
  std::fill(im, im + h, 0);
  const int32_t* rev = g.fft.bitrev.data();
  uint32_t peak = 0;
  for (int64_t i = i_lo; i < i_hi; ++i) {  // z[j] = frame[2j] + i·frame[2j+1], bit-reversed
    const int pos = g.win_offset + int(i);
    const int32_t v = int32_t(x[first + i]) * p.window_q15[size_t(i)];  // |v| ≤ 2^30
    (pos & 1 ? im : re)[rev[pos >> 1]] = v;
    peak = std::max(peak, uint32_t(std::abs(v)));
  }
  if (peak == 0) {
    std::fill(power, power + g.bins, 0);
    return 0;
  }
  int exponent = -30 + keep_headroom(re, im, h, peak, true);
  for (int half = 1; half < h; half *= 2) {
    exponent += keep_headroom(re, im, h, peak, false);
    peak = fixed_stage(p, re, im, h, half);
  }
  exponent += keep_headroom(re, im, h, peak, false);
  // Split into the real spectrum, scaled by 2: X2[k] = 2·X[k] (components < 2^31.3).
  auto sq = [](int64_t a, int64_t b) { return uint64_t(a * a) + uint64_t(b * b); };
  power[0] = sq(2 * (int64_t(re[0]) + im[0]), 0);
  power[h] = sq(2 * (int64_t(re[0]) - im[0]), 0);
  for (int k = 1; 2 * k <= h; ++k) {
    const int kb = h - k;
    const int64_t ar = re[k], ai = im[k], br = re[kb], bi = im[kb];
    const int64_t er = ar + br, ei = ai - bi, orr = ai + bi, oi = br - ar;
    const int64_t wr = p.split_re[size_t(k)], wi = p.split_im[size_t(k)];
    const int64_t pr = round_shift(wr * orr - wi * oi, 30), pi = round_shift(wr * oi + wi * orr, 30);
    power[k] = sq(er + pr, ei + pi);
    power[kb] = sq(er - pr, pi - ei);
  }
  return 2 * exponent - 2;
}

// ln(a·2^ea + b·2^eb) in Q16: both normalised to a leading one at bit 61, the
// smaller shifted onto the larger's exponent, added exactly.
int64_t ln_sum_q16(uint64_t a, int ea, uint64_t b, int eb) {
  auto normalise = [](uint64_t& m, int& e) {
    const int s = 61 - msb64(m);
    if (s >= 0) m <<= s;
    else m = (m + (uint64_t(1) << (-s - 1))) >> -s;
    e -= s;
  };
  normalise(a, ea);
  normalise(b, eb);
  if (ea < eb) std::swap(a, b), std::swap(ea, eb);
  const int d = ea - eb;
  return fixed_ln_q16(a + (d >= 63 ? 0 : b >> d), ea);
}

// One column: log-mels in Q16 into col[n_mels].
void fixed_column(const FixedLogMelPlan& p, const int16_t* x, int64_t valid, int64_t t, int32_t* s32, uint64_t* power,
                  int32_t* col) {
  const LogMelPlan& g = p.geometry;
  const int h = g.options.n_fft / 2;
  const int pexp = fixed_frame_power(p, x, valid, t, s32, s32 + h, power);
  uint64_t pmax = 0;
  for (int k = 0; k < g.bins; ++k) pmax = std::max(pmax, power[k]);
  const int ps = pmax ? std::max(0, msb64(pmax) - 31) : 0;  // power >> ps < 2^32
  const int e = pexp + ps - p.mel_scale;
  for (int m = 0; m < g.options.n_mels; ++m) {
    const uint16_t* w = p.mel_weights_q.data() + g.mel_offset[size_t(m)];
    const uint64_t* pm = power + g.mel_start[size_t(m)];
    uint64_t acc = 0;
    for (int b = 0, len = g.mel_len[size_t(m)]; b < len; ++b) acc += uint64_t(w[b]) * uint32_t(pm[b] >> ps);
    col[m] = int32_t(acc ? ln_sum_q16(acc, e, kFloorMantissa, kFloorExponent)
                         : fixed_ln_q16(kFloorMantissa, kFloorExponent));
  }
}

template <class Out>
void features(const FixedLogMelPlan& p, const int16_t* x, int64_t n, int32_t* s32, uint64_t* s64, Out* out) {
  const LogMelPlan& g = p.geometry;
  const int64_t clip = g.options.clip_samples;
  if (n < 0) n = 0;
  const int16_t* src = x + (n > clip ? (n - clip) / 2 : 0);
  const int64_t valid = std::min(n, clip);
  const int nm = g.options.n_mels, nq = g.options.n_mfcc;
  int32_t* col = s32 + g.options.n_fft;
  for (int64_t t = 0; t < g.frames; ++t) {
    fixed_column(p, src, valid, t, s32, s64, col);
    if (nq == 0) {
      for (int m = 0; m < nm; ++m)
        out[m * g.frames + t] = Out(fixed::saturate(fixed::rounding_shift(col[m], 16 - p.frac_bits), p.word_length));
      continue;
    }
    for (int q = 0; q < nq; ++q) {  // Q15 · Q16 = Q31
      const int32_t* d = p.dct_q15.data() + size_t(q) * size_t(nm);
      int64_t acc = 0;
      for (int m = 0; m < nm; ++m) acc += int64_t(d[m]) * col[m];
      out[q * g.frames + t] = Out(fixed::saturate(fixed::rounding_shift(acc, 31 - p.frac_bits), p.word_length));
    }
  }
}

}  // namespace

int64_t fixed_ln_q16(uint64_t v, int exponent) {
  const int m = msb64(v);
  // The 23 bits below the leading one: 7 index the table, 16 interpolate.
  const uint64_t rest = (m >= 23 ? v >> (m - 23) : v << (23 - m)) & ((uint64_t(1) << 23) - 1);
  const int idx = int(rest >> 16);
  const int64_t frac = int64_t(rest & 0xFFFF);
  const int64_t mant = kLog2Table[idx] + round_shift((kLog2Table[idx + 1] - kLog2Table[idx]) * frac, 16);
  const int64_t log2_q16 = int64_t(m + exponent) * 65536 + mant;
  return round_shift(log2_q16 * kLn2Q30, 30);
}

FixedLogMelPlan prepare_fixed_log_mel(const LogMelOptions& options, int word_length, int frac_bits) {
  FixedLogMelPlan p;
  p.geometry = prepare_log_mel(options);
  const LogMelPlan& g = p.geometry;
  if (!g.fft.n) bad_option("LogMelOptions", "n_fft", std::to_string(options.n_fft) +
                                                     " is not a power of two (the fixed-point front end has no direct DFT)");
  if (word_length < 2 || word_length > 16 || frac_bits < 0 || frac_bits >= word_length)
    throw std::invalid_argument("fixed-point front end: output format ⟨" + std::to_string(word_length - frac_bits) +
                                ", " + std::to_string(frac_bits) + "⟩ needs 2 ≤ WL ≤ 16 and 0 ≤ FL < WL");
  p.word_length = word_length;
  p.frac_bits = frac_bits;
  for (float w : g.window) p.window_q15.push_back(int32_t(std::lround(double(w) * 32768.0)));
  // Twiddles from their exact angles (full Q30 precision, not the float tables):
  // stage [H + j] = e^{−iπj/H}, split [k] = e^{−2πik/n}.
  const int n = options.n_fft;
  p.stage_re.assign(g.fft.stage_re.size(), 0);
  p.stage_im.assign(g.fft.stage_im.size(), 0);
  for (int half = 1; half < n / 2; half *= 2)
    for (int j = 0; j < half; ++j) {
      p.stage_re[size_t(half + j)] = q30(std::cos(-kPi * j / half));
      p.stage_im[size_t(half + j)] = q30(std::sin(-kPi * j / half));
    }
  for (int k = 0; k <= n / 2; ++k) {
    p.split_re.push_back(q30(std::cos(-2.0 * kPi * k / n)));
    p.split_im.push_back(q30(std::sin(-2.0 * kPi * k / n)));
  }
  float wmax = 0;
  for (float w : g.mel_weights) wmax = std::max(wmax, w);
  p.mel_scale = wmax > 0 ? int(std::floor(std::log2(65535.0 / wmax))) : 0;
  for (float w : g.mel_weights) p.mel_weights_q.push_back(uint16_t(std::lround(std::ldexp(double(w), p.mel_scale))));
  for (float d : g.dct) p.dct_q15.push_back(int32_t(std::lround(double(d) * 32768.0)));
  p.log2_q16.assign(std::begin(kLog2Table), std::end(kLog2Table));
  p.scratch32 = size_t(n) + size_t(options.n_mels);  // re, im (n/2 each), column
  p.scratch64 = size_t(g.bins);
  return p;
}

void fixed_log_mel_features(const FixedLogMelPlan& p, const int16_t* x, int64_t n, int32_t* s32, uint64_t* s64,
                            int16_t* out) {
  features(p, x, n, s32, s64, out);
}

void fixed_log_mel_features(const FixedLogMelPlan& p, const int16_t* x, int64_t n, int32_t* s32, uint64_t* s64,
                            int8_t* out) {
  features(p, x, n, s32, s64, out);
}

}  // namespace slimrt::frontend
