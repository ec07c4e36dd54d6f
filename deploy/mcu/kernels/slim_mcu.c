/* slim_mcu kernels: conv / dense (fixed point, BinaryConnect), requantization, means.
 * See slim_mcu.h for the contract; each loop mirrors the reference kernel it is
 * bit-exact with (deploy/runtime/kernels/ref). */
#include "slim_mcu.h"

#include <string.h>

/* Dot products of the dense layers. Cores with the DSP extension (Cortex-M4, M7, M33)
 * multiply two 16-bit lanes per instruction: SXTB16 widens bytes 0/2 and (rotated) 1/3
 * of a word of int8, SMLAD adds both products to a 32-bit sum; int16 pairs go straight
 * to SMLALD's 64-bit sum. Integer sums are exact, so the result is the plain loop's. */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
static int32_t smcu_dot_i8(const int8_t* a, const int8_t* b, int32_t n) {
  int32_t acc = 0, i = 0;
  for (; i + 4 <= n; i += 4) {
    uint32_t xa, wa;
    memcpy(&xa, a + i, 4); /* unaligned word loads: LDR on M4 / M33 */
    memcpy(&wa, b + i, 4);
    acc = __smlad(__sxtb16(xa), __sxtb16(wa), acc);
    acc = __smlad(__sxtb16((xa >> 8) | (xa << 24)), __sxtb16((wa >> 8) | (wa << 24)), acc);
  }
  for (; i < n; ++i) acc += (int32_t)a[i] * b[i];
  return acc;
}
static int64_t smcu_dot_i16(const int16_t* a, const int16_t* b, int32_t n) {
  int64_t acc = 0;
  int32_t i = 0;
  for (; i + 2 <= n; i += 2) {
    uint32_t xa, wa;
    memcpy(&xa, a + i, 4);
    memcpy(&wa, b + i, 4);
    acc = (int64_t)__smlald((int16x2_t)xa, (int16x2_t)wa, (uint64_t)acc);
  }
  for (; i < n; ++i) acc += (int32_t)a[i] * b[i];
  return acc;
}
#else
static int32_t smcu_dot_i8(const int8_t* a, const int8_t* b, int32_t n) {
  int32_t acc = 0, i;
  for (i = 0; i < n; ++i) acc += (int32_t)a[i] * b[i];
  return acc;
}
static int64_t smcu_dot_i16(const int16_t* a, const int16_t* b, int32_t n) {
  int64_t acc = 0;
  int32_t i;
  for (i = 0; i < n; ++i) acc += (int32_t)a[i] * b[i];
  return acc;
}
#endif

int64_t smcu_rounding_shift(int64_t acc, int shift) {
  if (shift <= 0) {
    const int s = -shift;
    int64_t limit;
    if (acc == 0) return 0;
    if (s >= 62) return acc > 0 ? INT64_MAX : INT64_MIN;
    limit = INT64_MAX >> s;
    if (acc > limit) return limit << s;
    if (acc < -limit) return -(limit << s);
    return acc * ((int64_t)1 << s);
  }
  if (shift >= 63) return 0;
  /* Arithmetic right shift of a negative value: GCC and Clang define it (as slimrt). */
  return (acc + ((int64_t)1 << (shift - 1))) >> shift;
}

int32_t smcu_requant(const smcu_rq* q, int64_t acc, int c) {
  int64_t v;
  if (q->mult) acc = acc * q->mult[c] + (q->offset ? q->offset[c] : 0);
  v = smcu_rounding_shift(acc, q->shift);
  return (int32_t)(v < q->lo ? q->lo : (v > q->hi ? q->hi : v));
}

int32_t smcu_mean(int64_t sum, int32_t n, int k, int32_t lo, int32_t hi) {
  int64_t num, den, y;
  if (k > 40) k = 40; /* |sum| < 2^22: the result saturates long before */
  if (k < -40) return 0;
  if (k >= 0) {
    num = 2 * sum * ((int64_t)1 << k) + n;
    den = 2 * (int64_t)n;
  } else {
    num = 2 * sum + (int64_t)n * ((int64_t)1 << -k);
    den = 2 * (int64_t)n * ((int64_t)1 << -k);
  }
  y = num / den;
  if (num % den != 0 && num < 0) --y; /* floor division */
  return (int32_t)(y < lo ? lo : (y > hi ? hi : y));
}

void smcu_tap_range(int i0, int d, int k, int n, int* lo, int* hi) {
  int a = i0 < 0 ? (-i0 + d - 1) / d : 0, b = n - i0 > 0 ? (n - i0 + d - 1) / d : 0;
  *lo = a;
  *hi = b < k ? b : k;
}

/* For every in-image tap of output pixel (oy, ox) of output channel o: acc += x · w, with
 * TAP(xv, k) the term for input value xv and filter-row index k. Integer sums are exact,
 * so only the set of taps matters (the reference's order is kept anyway). */
#define SMCU_CONV_LOOP(T, ACC, SETUP, TAP)                                                            \
  const smcu_conv_geom* g = &p->g;                                                               \
  const int cpg = g->in_c / g->groups, opg = g->out_c / g->groups;                               \
  const int32_t row = (int32_t)cpg * g->k_h * g->k_w;                                            \
  int o, oy, ox, c, ky, kx, ky0, ky1, kx0, kx1;                                                  \
  (void)row;                                                                                     \
  for (o = 0; o < g->out_c; ++o) {                                                               \
    const int c0 = (o / opg) * cpg;                                                              \
    SETUP                                                                                        \
    for (oy = 0; oy < g->out_h; ++oy) {                                                          \
      const int iy0 = oy * g->s_h - g->pad_t;                                                    \
      smcu_tap_range(iy0, g->d_h, g->k_h, g->in_h, &ky0, &ky1);                                  \
      for (ox = 0; ox < g->out_w; ++ox) {                                                        \
        const int ix0 = ox * g->s_w - g->pad_l;                                                  \
        ACC acc = 0;                                                                             \
        smcu_tap_range(ix0, g->d_w, g->k_w, g->in_w, &kx0, &kx1);                                \
        for (c = 0; c < cpg; ++c) {                                                              \
          const T* xc = x + (int32_t)(c0 + c) * g->in_h * g->in_w + ix0;                         \
          for (ky = ky0; ky < ky1; ++ky) {                                                       \
            const T* xr = xc + (int32_t)(iy0 + ky * g->d_h) * g->in_w;                           \
            const int32_t kr = ((int32_t)c * g->k_h + ky) * g->k_w;                              \
            for (kx = kx0; kx < kx1; ++kx) TAP(xr[kx * g->d_w], kr + kx);                        \
          }                                                                                      \
        }                                                                                        \
        y[((int32_t)o * g->out_h + oy) * g->out_w + ox] =                                        \
            (T)smcu_requant(&p->rq, (int64_t)acc + (p->bias ? p->bias[o] : 0), o);               \
      }                                                                                          \
    }                                                                                            \
  }

#define SMCU_MUL_SETUP(T) const T* wo = w + (int32_t)o * row;
#define SMCU_MUL_TAP(xv, k) acc += (xv) * wo[k]
#define SMCU_BC_SETUP const uint32_t* wo = w + (int32_t)o * words;
/* BinaryConnect: bit 1 is −1 (slimrt/bitpack.h); rows of words64(row) 64-bit words. */
#define SMCU_BC_TAP(xv, k)                                                                       \
  {                                                                                              \
    const int32_t k_ = (k);                                                                      \
    acc += ((wo[k_ >> 5] >> (k_ & 31)) & 1u) ? -(xv) : (xv);                        \
  }
#define SMCU_BC_WORDS(n) ((((n) + 63) / 64) * 2)

void smcu_conv_i8(const smcu_conv* p, const int8_t* x, int8_t* y) {
  const int8_t* w = (const int8_t*)p->w;
  SMCU_CONV_LOOP(int8_t, int32_t, SMCU_MUL_SETUP(int8_t), SMCU_MUL_TAP)
}
void smcu_conv_i16(const smcu_conv* p, const int16_t* x, int16_t* y) {
  const int16_t* w = (const int16_t*)p->w;
  SMCU_CONV_LOOP(int16_t, int64_t, SMCU_MUL_SETUP(int16_t), SMCU_MUL_TAP)
}
void smcu_conv_bc_i8(const smcu_conv* p, const int8_t* x, int8_t* y) {
  const uint32_t* w = (const uint32_t*)p->w;
  const int32_t words = SMCU_BC_WORDS((int32_t)(p->g.in_c / p->g.groups) * p->g.k_h * p->g.k_w);
  SMCU_CONV_LOOP(int8_t, int32_t, SMCU_BC_SETUP, SMCU_BC_TAP)
}
void smcu_conv_bc_i16(const smcu_conv* p, const int16_t* x, int16_t* y) {
  const uint32_t* w = (const uint32_t*)p->w;
  const int32_t words = SMCU_BC_WORDS((int32_t)(p->g.in_c / p->g.groups) * p->g.k_h * p->g.k_w);
  SMCU_CONV_LOOP(int16_t, int64_t, SMCU_BC_SETUP, SMCU_BC_TAP)
}

/* Dense: y[r][o] over rows r of x [rows][in]. */
#define SMCU_DENSE_LOOP(T, ACC, SETUP, TERM)                                                          \
  int32_t r, o, i;                                                                               \
  for (r = 0; r < p->rows; ++r) {                                                                \
    const T* xr = x + r * p->in;                                                                 \
    for (o = 0; o < p->out; ++o) {                                                               \
      SETUP                                                                                      \
      ACC acc = 0;                                                                               \
      for (i = 0; i < p->in; ++i) TERM;                                                          \
      y[r * p->out + o] = (T)smcu_requant(&p->rq, (int64_t)acc + (p->bias ? p->bias[o] : 0), o); \
    }                                                                                            \
  }

/* Dense at int8 / int16: one dot product per output (smcu_dot_*). */
#define SMCU_DENSE_DOT(T, DOT)                                                                   \
  const T* w = (const T*)p->w;                                                                   \
  int32_t r, o;                                                                                  \
  for (r = 0; r < p->rows; ++r)                                                                  \
    for (o = 0; o < p->out; ++o)                                                                 \
      y[r * p->out + o] = (T)smcu_requant(                                                       \
          &p->rq, (int64_t)DOT(x + r * p->in, w + o * p->in, p->in) + (p->bias ? p->bias[o] : 0), o);

void smcu_dense_i8(const smcu_dense* p, const int8_t* x, int8_t* y) { SMCU_DENSE_DOT(int8_t, smcu_dot_i8) }
void smcu_dense_i16(const smcu_dense* p, const int16_t* x, int16_t* y) { SMCU_DENSE_DOT(int16_t, smcu_dot_i16) }
void smcu_dense_bc_i8(const smcu_dense* p, const int8_t* x, int8_t* y) {
  const uint32_t* w = (const uint32_t*)p->w;
  const int32_t words = SMCU_BC_WORDS(p->in);
  SMCU_DENSE_LOOP(int8_t, int32_t, SMCU_BC_SETUP, SMCU_BC_TAP(xr[i], i))
}
void smcu_dense_bc_i16(const smcu_dense* p, const int16_t* x, int16_t* y) {
  const uint32_t* w = (const uint32_t*)p->w;
  const int32_t words = SMCU_BC_WORDS(p->in);
  SMCU_DENSE_LOOP(int16_t, int64_t, SMCU_BC_SETUP, SMCU_BC_TAP(xr[i], i))
}

/* Float convolution: per output, a double sum in the reference kernel's tap order, then
 * float(acc + bias) and the fused clamp (FloatEpilogue). */
void smcu_conv_f32(const smcu_conv_f32_p* p, const float* x, float* y) {
  const float* w = p->w;
  const smcu_conv_geom* g = &p->g;
  const int cpg = g->in_c / g->groups, opg = g->out_c / g->groups;
  const int32_t row = (int32_t)cpg * g->k_h * g->k_w;
  int o, oy, ox, c, ky, kx, ky0, ky1, kx0, kx1;
  for (o = 0; o < g->out_c; ++o) {
    const int c0 = (o / opg) * cpg;
    for (oy = 0; oy < g->out_h; ++oy)
      for (ox = 0; ox < g->out_w; ++ox) {
        const int iy0 = oy * g->s_h - g->pad_t, ix0 = ox * g->s_w - g->pad_l;
        double acc = 0;
        float v;
        smcu_tap_range(iy0, g->d_h, g->k_h, g->in_h, &ky0, &ky1);
        smcu_tap_range(ix0, g->d_w, g->k_w, g->in_w, &kx0, &kx1);
        for (c = 0; c < cpg; ++c)
          for (ky = ky0; ky < ky1; ++ky)
            for (kx = kx0; kx < kx1; ++kx)
              acc += (double)x[((int32_t)(c0 + c) * g->in_h + iy0 + ky * g->d_h) * g->in_w + ix0 + kx * g->d_w] *
                     (double)w[(int32_t)o * row + ((int32_t)c * g->k_h + ky) * g->k_w + kx];
        v = (float)(acc + (double)(p->bias ? p->bias[o] : 0.0f));
        if (p->act >= 1 && v < 0.0f) v = 0.0f;
        if (p->act == 2 && v > 6.0f) v = 6.0f;
        y[((int32_t)o * g->out_h + oy) * g->out_w + ox] = v;
      }
  }
}
