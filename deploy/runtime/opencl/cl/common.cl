// slimrt OpenCL kernels: shared definitions. The OpenCL C twin of
// slimrt/fixed_point.h and slimrt/bitpack.h — the same integer arithmetic, so the
// device's fixed-point and binary results are bit for bit the CPU's
// (tests/runtime/test_opencl.cpp checks these helpers exhaustively against the headers).
#pragma OPENCL FP_CONTRACT OFF
#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif
#ifdef cl_khr_fp16
#pragma OPENCL EXTENSION cl_khr_fp16 : enable
#endif

// ---- fixed point ---------------------------------------------------------------------
// Arithmetic shift right with round-to-nearest, ties up: ⌊acc / 2^shift + ½⌋; a negative
// shift multiplies by 2^−shift, saturating at the int64 range (fixed::rounding_shift).
inline long fx_rounding_shift(long acc, int shift) {
  if (shift <= 0) {
    const int s = -shift;
    if (s >= 62) return acc == 0 ? 0 : (acc > 0 ? LONG_MAX : LONG_MIN);
    const long limit = LONG_MAX >> s;
    if (acc > limit) return limit << s;
    if (acc < -limit) return -(limit << s);
    return acc * ((long)1 << s);
  }
  if (shift >= 63) return 0;
  return (acc + ((long)1 << (shift - 1))) >> shift;
}
inline long fx_qmin(int wl) { return -((long)1 << (wl - 1)); }
inline long fx_qmax(int wl) { return ((long)1 << (wl - 1)) - 1; }
inline long fx_clamp(long v, long lo, long hi) { return v < lo ? lo : (v > hi ? hi : v); }
inline long fx_saturate(long q, int wl) { return fx_clamp(q, fx_qmin(wl), fx_qmax(wl)); }
inline long fx_requantize(long acc, int fl_acc, int wl, int fl_out) {
  return fx_saturate(fx_rounding_shift(acc, fl_acc - fl_out), wl);
}

// ⌊x·2^fl + ½⌋ saturated to wl bits (fixed::quantize), exactly and without doubles:
// a finite float is m·2^(e−24) with an integer |m| < 2^24, so the rounding is an
// integer rounding shift of m.
inline long fx_quantize_f(float x, int wl, int fl) {
  if (isnan(x)) return 0;
  if (isinf(x)) return x > 0 ? fx_qmax(wl) : fx_qmin(wl);
  if (x == 0.0f) return 0;
  int e;
  const float m = frexp(x, &e);          // x = m·2^e, ½ ≤ |m| < 1
  const long mi = (long)(m * 16777216.0f);  // exact: 24 significant bits
  return fx_saturate(fx_rounding_shift(mi, 24 - e - fl), wl);
}

// ⌊(sum·2^−fl_x / n)·2^fl_y + ½⌋ saturated (the fixed-point mean of the pooling and
// reduction kernels), as an exact rational rounding: with k = fl_y − fl_x,
// ⌊(2·sum·2^k + n) / (2n)⌋ for k ≥ 0 and ⌊(2·sum + n·2^−k) / (2·n·2^−k)⌋ for k < 0.
// The host only routes shapes here whose terms fit in int64 (opencl kernels' supports()).
inline long fx_floor_div(long a, long b) {  // b > 0
  const long q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}
inline long fx_mean(long sum, int n, int k, int wl) {
  if (n <= 0) return 0;
  long num, den;
  if (k >= 0) { num = 2 * (sum << k) + n; den = 2 * (long)n; }
  else { const long d = (long)n << (-k); num = 2 * sum + d; den = 2 * d; }
  return fx_saturate(fx_floor_div(num, den), wl);
}

// ---- floats ----------------------------------------------------------------------------
inline float f_clamp(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }

// ---- binary (bitpack.h) ---------------------------------------------------------------
// +1 ↦ bit 0, −1 ↦ bit 1; element i in bit i%64 of word i/64; padding bits 0.
inline int bit_of(__global const ulong* row, int i) { return (int)((row[i >> 6] >> (i & 63)) & 1UL); }
// BN + sign folded into integer thresholds (host: ⌈t⌉ for direction +1, ⌊t⌋ for −1):
// th = [threshold[out], direction[out], constant[out]]. Returns 1 for −1 (the set bit).
inline int bnn_negative(__global const int* th, int out, int o, int dot) {
  const int dir = th[out + o];
  if (dir == 0) return th[2 * out + o] < 0;
  return dir > 0 ? !(dot >= th[o]) : !(dot <= th[o]);
}
