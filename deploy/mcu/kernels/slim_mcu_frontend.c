/* slim_mcu kernels: the fixed-point audio front end (int16 PCM → log-mel / MFCC).
 * Integer only, no allocation: the per-frame path of slimrt's fixed_log_mel_features
 * (deploy/runtime/frontend/fixed_log_mel.cpp) step by step — Q15 window, int32 radix-2
 * FFT with one block exponent per frame, |X|² in uint64, uint16 mel weights, ln through
 * the Q16 log2 table, the Q15 DCT for MFCC, rounding and saturation to the output word.
 * The tables are slimrt's own (prepare_fixed_log_mel), written by the generator. */
#include "slim_mcu.h"

/* The position of the leading one of v > 0 (CLZ on v7-M; libgcc's __clzdi2 on v6-M). */
static int smcu_msb64(uint64_t v) {
#if defined(__GNUC__)
  return 63 - __builtin_clzll(v);
#else
  int r = 0, s;
  for (s = 32; s > 0; s >>= 1)
    if (v >> s) {
      v >>= s;
      r += s;
    }
  return r;
#endif
}

static uint32_t smcu_abs32(int32_t v) { return v < 0 ? 0u - (uint32_t)v : (uint32_t)v; }
static uint32_t smcu_max_u32(uint32_t a, uint32_t b) { return a > b ? a : b; }
/* (v + 2^(s−1)) >> s, s ≥ 1: round to nearest, ties up. */
static int64_t smcu_round_shift(int64_t v, int s) { return (v + ((int64_t)1 << (s - 1))) >> s; }

/* Shifts the block right by s ≥ 1 bits (rounded) or left by −s; returns the new peak. */
static uint32_t smcu_rescale(int32_t* re, int32_t* im, int h, int s) {
  uint32_t peak = 0;
  int i;
  for (i = 0; i < h; ++i) {
    re[i] = (int32_t)(s > 0 ? smcu_round_shift(re[i], s) : (int64_t)re[i] * ((int64_t)1 << -s));
    im[i] = (int32_t)(s > 0 ? smcu_round_shift(im[i], s) : (int64_t)im[i] * ((int64_t)1 << -s));
    peak = smcu_max_u32(peak, smcu_max_u32(smcu_abs32(re[i]), smcu_abs32(im[i])));
  }
  return peak;
}

/* Keeps the block below 2^block_bits (at the start also ≥ 2^(block_bits−1)); returns the exponent change. */
static int smcu_headroom(const smcu_log_mel_p* p, int32_t* re, int32_t* im, int h, uint32_t* peak, int grow) {
  int s;
  if (*peak == 0) return 0;
  s = smcu_msb64(*peak) - (p->block_bits - 1);
  if (s > 0 || (grow && s < 0)) {
    *peak = smcu_rescale(re, im, h, s);
    return s;
  }
  return 0;
}

/* One radix-2 stage with Q30 twiddles; returns the output peak. */
static uint32_t smcu_fft_stage(const smcu_log_mel_p* p, int32_t* re, int32_t* im, int h, int half) {
  const int32_t* wr = p->stage_re + half;
  const int32_t* wi = p->stage_im + half;
  uint32_t peak = 0;
  int start, j;
  for (start = 0; start < h; start += 2 * half)
    for (j = 0; j < half; ++j) {
      const int a = start + j, b = a + half;
      const int64_t vr = smcu_round_shift((int64_t)re[b] * wr[j] - (int64_t)im[b] * wi[j], 30);
      const int64_t vi = smcu_round_shift((int64_t)re[b] * wi[j] + (int64_t)im[b] * wr[j], 30);
      const int64_t ar = re[a], ai = im[a];
      re[a] = (int32_t)(ar + vr);
      im[a] = (int32_t)(ai + vi);
      re[b] = (int32_t)(ar - vr);
      im[b] = (int32_t)(ai - vi);
      peak = smcu_max_u32(peak, smcu_max_u32(smcu_max_u32(smcu_abs32(re[a]), smcu_abs32(im[a])),
                                             smcu_max_u32(smcu_abs32(re[b]), smcu_abs32(im[b]))));
    }
  return peak;
}

static uint64_t smcu_sq(int64_t a, int64_t b) { return (uint64_t)(a * a) + (uint64_t)(b * b); }

/* Windowed frame t into z[j] = frame[2j] + i·frame[2j+1] (bit-reversed); returns the peak. */
static uint32_t smcu_load_frame(const smcu_log_mel_p* p, const int16_t* x, int32_t t, int32_t* re, int32_t* im) {
  const int h = p->n_fft / 2, win = p->win_length;
  const int32_t first = t * p->hop_length - h + p->win_offset;
  const int32_t i_lo = first < 0 ? (-first < win ? -first : win) : 0;
  int32_t i_hi = p->clip - first, i;
  uint32_t peak = 0;
  if (i_hi > win) i_hi = win;
  if (i_hi < i_lo) i_hi = i_lo;
  for (i = 0; i < h; ++i) re[i] = im[i] = 0;
  for (i = i_lo; i < i_hi; ++i) {
    const int pos = p->win_offset + (int)i;
    const int32_t v = (int32_t)x[first + i] * (int32_t)p->window[i]; /* |v| ≤ 2^30 */
    (pos & 1 ? im : re)[p->bitrev[pos >> 1]] = v;
    peak = smcu_max_u32(peak, smcu_abs32(v));
  }
  return peak;
}

/* Power spectrum of frame t as power[k] · 2^exponent (the return value). */
static int smcu_frame_power(const smcu_log_mel_p* p, const int16_t* x, int32_t t, int32_t* re, int32_t* im,
                            uint64_t* power) {
  const int h = p->n_fft / 2;
  uint32_t peak = smcu_load_frame(p, x, t, re, im);
  int exponent, half, k;
  if (peak == 0) {
    for (k = 0; k <= h; ++k) power[k] = 0;
    return 0;
  }
  exponent = -30 + smcu_headroom(p, re, im, h, &peak, 1);
  for (half = 1; half < h; half *= 2) {
    exponent += smcu_headroom(p, re, im, h, &peak, 0);
    peak = smcu_fft_stage(p, re, im, h, half);
  }
  exponent += smcu_headroom(p, re, im, h, &peak, 0);
  /* The real spectrum from the half-length complex one, scaled by 2. */
  power[0] = smcu_sq(2 * ((int64_t)re[0] + im[0]), 0);
  power[h] = smcu_sq(2 * ((int64_t)re[0] - im[0]), 0);
  for (k = 1; 2 * k <= h; ++k) {
    const int kb = h - k;
    const int64_t ar = re[k], ai = im[k], br = re[kb], bi = im[kb];
    const int64_t er = ar + br, ei = ai - bi, orr = ai + bi, oi = br - ar;
    const int64_t wr = p->split_re[k], wi = p->split_im[k];
    const int64_t pr = smcu_round_shift(wr * orr - wi * oi, 30), pi = smcu_round_shift(wr * oi + wi * orr, 30);
    power[k] = smcu_sq(er + pr, ei + pi);
    power[kb] = smcu_sq(er - pr, pi - ei);
  }
  return 2 * exponent - 2;
}

/* ln(v · 2^exponent) in Q16, v > 0: leading one + the table, linearly interpolated. */
static int32_t smcu_ln_q16(const smcu_log_mel_p* p, uint64_t v, int exponent) {
  const int m = smcu_msb64(v);
  const uint64_t rest = (m >= 23 ? v >> (m - 23) : v << (23 - m)) & (((uint64_t)1 << 23) - 1);
  const int idx = (int)(rest >> 16);
  const int64_t frac = (int64_t)(rest & 0xFFFF);
  const int64_t mant = p->log2_q16[idx] + smcu_round_shift((int64_t)(p->log2_q16[idx + 1] - p->log2_q16[idx]) * frac, 16);
  const int64_t log2_q16 = (int64_t)(m + exponent) * 65536 + mant;
  return (int32_t)smcu_round_shift(log2_q16 * p->ln2_q30, 30);
}

/* Normalises m · 2^e to a leading one at bit 61 (rounded when shifted right). */
static void smcu_normalise(uint64_t* m, int* e) {
  const int s = 61 - smcu_msb64(*m);
  if (s >= 0) *m <<= s;
  else *m = (*m + ((uint64_t)1 << (-s - 1))) >> -s;
  *e -= s;
}

/* ln(a · 2^ea + floor) in Q16: both aligned on the larger exponent, added exactly. */
static int32_t smcu_ln_plus_floor(const smcu_log_mel_p* p, uint64_t a, int ea) {
  uint64_t b = p->floor_mantissa, tm;
  int eb = p->floor_exponent, d, te;
  smcu_normalise(&a, &ea);
  smcu_normalise(&b, &eb);
  if (ea < eb) {
    tm = a, a = b, b = tm;
    te = ea, ea = eb, eb = te;
  }
  d = ea - eb;
  return smcu_ln_q16(p, a + (d >= 63 ? 0 : b >> d), ea);
}

/* One column: the log-mels of frame t in Q16 into col[n_mels]. */
static void smcu_mel_column(const smcu_log_mel_p* p, const int16_t* x, int32_t t, int32_t* s32, uint64_t* power,
                            int32_t* col) {
  const int h = p->n_fft / 2;
  const int pexp = smcu_frame_power(p, x, t, s32, s32 + h, power);
  uint64_t pmax = 0;
  int k, m, ps, e;
  for (k = 0; k <= h; ++k)
    if (power[k] > pmax) pmax = power[k];
  ps = pmax ? smcu_msb64(pmax) - 31 : 0; /* power >> ps < 2^32 */
  if (ps < 0) ps = 0;
  e = pexp + ps - p->mel_scale;
  for (m = 0; m < p->n_mels; ++m) {
    const uint16_t* w = p->mel_w + p->mel_offset[m];
    const uint64_t* pm = power + p->mel_start[m];
    uint64_t acc = 0;
    int b;
    for (b = 0; b < (int)p->mel_len[m]; ++b) acc += (uint64_t)w[b] * (uint32_t)(pm[b] >> ps);
    col[m] = acc ? smcu_ln_plus_floor(p, acc, e) : p->floor_ln;
  }
}

static void smcu_store(const smcu_log_mel_p* p, void* y, int32_t i, int64_t v) {
  v = smcu_rounding_shift(v, p->out_shift);
  v = v < p->lo ? p->lo : (v > p->hi ? p->hi : v);
  if (p->out_bits == 8) ((int8_t*)y)[i] = (int8_t)v;
  else ((int16_t*)y)[i] = (int16_t)v;
}

void smcu_log_mel(const smcu_log_mel_p* p, const int16_t* x, void* y, int32_t* s32, uint64_t* s64) {
  int32_t* col = s32 + p->n_fft;
  int32_t t;
  int m, q;
  for (t = 0; t < p->frames; ++t) {
    smcu_mel_column(p, x, t, s32, s64, col);
    if (p->n_mfcc == 0) {
      for (m = 0; m < p->n_mels; ++m) smcu_store(p, y, m * p->frames + t, col[m]);
      continue;
    }
    for (q = 0; q < p->n_mfcc; ++q) { /* Q15 · Q16 = Q31 */
      const int16_t* d = p->dct_q15 + q * p->n_mels;
      int64_t acc = 0;
      for (m = 0; m < p->n_mels; ++m) acc += (int64_t)d[m] * col[m];
      smcu_store(p, y, q * p->frames + t, acc);
    }
  }
}
