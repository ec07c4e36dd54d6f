#pragma once
// Fixed-point arithmetic shared by the runtime kernels and the training-side fake
// quantizers (compress/quant). One definition of rounding, requantization and
// saturation, so a fixed-point model predicts bit for bit the same in slimrt and
// in the workbench's fake-quantized evaluation. Header-only, C++17, no dependencies.
//
// A value in ⟨IL, FL⟩ is stored as a signed integer q with real value q · 2^−FL,
// word length WL = IL + FL (sign bit included in IL), so
//   q ∈ [−2^(WL−1), 2^(WL−1) − 1]  ⇔  x ∈ [−2^(IL−1), 2^(IL−1) − 2^−FL].
// FL may be negative (a coarse step) or exceed WL (a small range); only WL is bounded.
#include <cmath>
#include <cstdint>
#include <limits>

namespace slimrt::fixed {

constexpr int kMinWordLength = 2;
constexpr int kMaxWordLength = 16;   // storage; accumulators are 32- or 64-bit
constexpr int kMinFractionalBits = -16;
constexpr int kMaxFractionalBits = 30;

inline bool valid_format(int word_length, int fl) {
  return word_length >= kMinWordLength && word_length <= kMaxWordLength && fl >= kMinFractionalBits &&
         fl <= kMaxFractionalBits;
}

// Integer limits of a signed word of `word_length` bits (2..32).
inline constexpr int64_t qmin(int word_length) { return -(int64_t(1) << (word_length - 1)); }
inline constexpr int64_t qmax(int word_length) { return (int64_t(1) << (word_length - 1)) - 1; }

inline constexpr int64_t saturate(int64_t q, int word_length) {
  const int64_t lo = qmin(word_length), hi = qmax(word_length);
  return q < lo ? lo : (q > hi ? hi : q);
}

// Round to nearest as ALGORITHMS.md defines it: ⌊x⌋ if x − ⌊x⌋ < ε/2, else ⌊x⌋ + ε,
// i.e. ties go up (towards +∞): q = ⌊x · 2^FL + 1/2⌋. Computed in double, where
// scaling by a power of two is exact, so every caller gets the same integer.
inline int64_t quantize(double x, int word_length, int fl) {
  if (std::isnan(x)) return 0;
  const double scaled = std::floor(std::ldexp(x, fl) + 0.5);
  if (scaled <= double(qmin(word_length))) return qmin(word_length);
  if (scaled >= double(qmax(word_length))) return qmax(word_length);
  return int64_t(scaled);
}

// Stochastic rounding: ⌊x⌋ + ε with probability (x − ⌊x⌋)/ε, else ⌊x⌋ (unbiased).
// `u` is a uniform draw in [0, 1) supplied by the caller (training only).
inline int64_t quantize_stochastic(double x, double u, int word_length, int fl) {
  if (std::isnan(x)) return 0;
  const double scaled = std::floor(std::ldexp(x, fl) + u);
  if (scaled <= double(qmin(word_length))) return qmin(word_length);
  if (scaled >= double(qmax(word_length))) return qmax(word_length);
  return int64_t(scaled);
}

inline double dequantize(int64_t q, int fl) { return std::ldexp(double(q), -fl); }

// The fake quantizer's value: x rounded to the ⟨WL, FL⟩ grid and saturated, as a float.
inline float fake_quantize(float x, int word_length, int fl) {
  return float(dequantize(quantize(double(x), word_length, fl), fl));
}

// Arithmetic shift right by `shift` ≥ 0 with round-to-nearest, ties up:
// ⌊acc / 2^shift + 1/2⌋ — the integer form of quantize() above. shift < 0 shifts left.
inline int64_t rounding_shift(int64_t acc, int shift) {
  if (shift <= 0) {
    const int s = -shift;
    // Saturate instead of overflowing (callers saturate to a word length afterwards).
    if (s >= 62) return acc == 0 ? 0 : (acc > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min());
    const int64_t limit = std::numeric_limits<int64_t>::max() >> s;
    if (acc > limit) return limit << s;
    if (acc < -limit) return -(limit << s);
    return acc * (int64_t(1) << s);
  }
  if (shift >= 63) return 0;  // |acc| < 2^62 in every kernel, so the rounded quotient is 0
  // Floor division by 2^shift after adding half: >> on a negative int64 is an
  // arithmetic shift with GCC/Clang (and in C++20 by definition).
  return (acc + (int64_t(1) << (shift - 1))) >> shift;
}

// An accumulator holding Σ x_q · w_q (+ bias_q) with fl_acc = fl_x + fl_w fractional
// bits, requantized to the output format ⟨word_length, fl_out⟩.
inline int64_t requantize(int64_t acc, int fl_acc, int word_length, int fl_out) {
  return saturate(rounding_shift(acc, fl_acc - fl_out), word_length);
}

// A batch norm folded into the requantization of one output channel of a conv / dense:
// the accumulator (bias included, at fl_acc) times the channel's multiplier (the BN
// scale γ/√(σ²+ε) quantized at fl_mult) plus its offset (β − μ·scale as an int32 at
// fl_acc + fl_mult), rounded once to ⟨word_length, fl_out⟩ — one rounding where a
// separate batch norm would round twice. |acc| < 2^33 and |mult| < 2^16 keep it in int64.
inline int64_t requantize_channel(int64_t acc, int32_t mult, int32_t offset, int fl_acc, int fl_mult, int word_length,
                                  int fl_out) {
  return requantize(acc * int64_t(mult) + int64_t(offset), fl_acc + fl_mult, word_length, fl_out);
}

// A bias in the accumulator's format (fl_x + fl_w), saturated to 32 bits.
inline int32_t quantize_bias(double b, int fl_acc) { return int32_t(quantize(b, 32, fl_acc)); }

// Smallest FL such that |x| ≤ max_abs fits a signed word of `word_length` bits:
// IL = ⌈log2(max_abs)⌉ + 1 (sign), FL = WL − IL. Calibration picks FL per tensor
// from its observed range with this. max_abs ≤ 0 gives the largest allowed FL.
inline int fractional_bits_for_range(double max_abs, int word_length) {
  if (!(max_abs > 0) || std::isinf(max_abs)) return kMaxFractionalBits < word_length ? kMaxFractionalBits : word_length - 1;
  int il = int(std::ceil(std::log2(max_abs))) + 1;
  // A value exactly 2^(IL-1) does not fit the positive side: one more integer bit.
  if (std::ldexp(1.0, il - 1) <= max_abs) il += 1;
  int fl = word_length - il;
  if (fl < kMinFractionalBits) fl = kMinFractionalBits;
  if (fl > kMaxFractionalBits) fl = kMaxFractionalBits;
  return fl;
}

// Non-linearities on fixed-point values (GRU / LSTM gates): the input q · 2^−fl_in
// goes through the function in double and is quantized to ⟨word_length, fl_out⟩.
// Both sides call these, so any libm difference would have to flip a rounding at
// 2^−fl_out to matter (documented in docs/DESIGN-NOTES.md).
inline int64_t sigmoid(int64_t q, int fl_in, int word_length, int fl_out) {
  const double v = dequantize(q, fl_in);
  return quantize(1.0 / (1.0 + std::exp(-v)), word_length, fl_out);
}
inline int64_t tanh(int64_t q, int fl_in, int word_length, int fl_out) {
  return quantize(std::tanh(dequantize(q, fl_in)), word_length, fl_out);
}

// hard-swish on a fixed-point value: x = q · 2^−fl_in, y = x · min(max(x + 3, 0), 6) / 6, rounded
// to nearest with ties up (as quantize) into ⟨word_length, fl_out⟩ and saturated.
// Exact: integer arithmetic on 128 bits (x aligned to F = max(fl_in, 0) fractional bits
// so 3 and 6 are integers; y · 2^fl_out = x·r · 2^(fl_out − 2F) / 6 with r = min(max(x + 3, 0), 6)
// at F, rounded as ⌊(2·num + den) / (2·den)⌋), valid for |q| < 2^31 and FLs within
// [kMinFractionalBits, kMaxFractionalBits]. slimrt's HardSwish kernels and the
// workbench's fixed-point evaluation both call this.
inline int64_t hard_swish(int64_t q, int fl_in, int word_length, int fl_out) {
  const int s = fl_in < 0 ? -fl_in : 0, f = fl_in + s;
  const __int128 x = __int128(q) * (__int128(1) << s);
  const __int128 six = __int128(6) << f;
  __int128 r = x + (__int128(3) << f);
  r = r < 0 ? 0 : (r > six ? six : r);
  __int128 num = x * r, den = 6;
  const int e = fl_out - 2 * f;
  if (e >= 0) num *= __int128(1) << e;
  else den <<= -e;
  const __int128 n2 = 2 * num + den, d2 = 2 * den;  // d2 > 0
  __int128 y = n2 / d2;
  if (n2 % d2 != 0 && n2 < 0) --y;  // floor division
  const __int128 lo = qmin(word_length), hi = qmax(word_length);
  return int64_t(y < lo ? lo : (y > hi ? hi : y));
}

// x / x2 for x = q·2^−fl_x, x2 = q2·2^−fl_x2, rounded to nearest with ties up (as quantize)
// at fl_out fractional bits, not saturated (the caller's requantize / epilogue saturates).
// Exact: 128-bit integers, y·2^fl_out = (q / q2)·2^s with s = fl_out − fl_x + fl_x2, valid for
// |q|, |q2| < 2^31 and |s| < 64. Division by zero gives ±2^62 by the sign of q (saturates in
// any format), and 0 for 0 / 0. slimrt's Div kernels and the workbench both call this.
inline int64_t divide(int64_t q, int fl_x, int64_t q2, int fl_x2, int fl_out) {
  if (q2 == 0) return q > 0 ? int64_t(1) << 62 : (q < 0 ? -(int64_t(1) << 62) : 0);
  __int128 num = q, den = q2;
  if (den < 0) {
    num = -num;
    den = -den;
  }
  const int s = fl_out - fl_x + fl_x2;
  if (s >= 0) num *= __int128(1) << s;
  else den *= __int128(1) << -s;
  const __int128 n2 = 2 * num + den, d2 = 2 * den;  // d2 > 0
  __int128 y = n2 / d2;
  if (n2 % d2 != 0 && n2 < 0) --y;  // floor division
  const __int128 cap = __int128(1) << 62;
  return int64_t(y > cap ? cap : (y < -cap ? -cap : y));
}

}  // namespace slimrt::fixed
