/* slim_mcu: pooling, means, clamps and data movement (kernels/ref/pool_ref.cpp,
 * elementwise_ref.cpp). */
#include "slim_mcu.h"

/* The window of output (oy, ox), clipped to the image; *padded: its size clipped to the
 * padded extent (count_include_pad). */
typedef struct {
  int y0, y1, x0, x1, padded;
} smcu_window;
static smcu_window smcu_win(const smcu_pool* p, int oy, int ox) {
  smcu_window w;
  const int ys = oy * p->s_h - p->pad_t, xs = ox * p->s_w - p->pad_l;
  const int ye = ys + p->k_h < p->in_h + p->pad_b ? ys + p->k_h : p->in_h + p->pad_b;
  const int xe = xs + p->k_w < p->in_w + p->pad_r ? xs + p->k_w : p->in_w + p->pad_r;
  w.padded = (ye - ys) * (xe - xs);
  w.y0 = ys < 0 ? 0 : ys;
  w.x0 = xs < 0 ? 0 : xs;
  w.y1 = ye < p->in_h ? ye : p->in_h;
  w.x1 = xe < p->in_w ? xe : p->in_w;
  return w;
}

/* y[c][oy][ox] = BODY over the window w of map xc. */
#define SMCU_EACH_WINDOW(T, BODY)                                                  \
  int c, oy, ox, iy, ix;                                                           \
  for (c = 0; c < p->channels; ++c) {                                              \
    const T* xc = x + (int32_t)c * p->in_h * p->in_w;                              \
    T* yc = y + (int32_t)c * p->out_h * p->out_w;                                  \
    for (oy = 0; oy < p->out_h; ++oy)                                              \
      for (ox = 0; ox < p->out_w; ++ox) {                                          \
        const smcu_window w = smcu_win(p, oy, ox);                                 \
        BODY                                                                       \
      }                                                                            \
  }

#define SMCU_MAX_BODY(T, LOWEST)                                                   \
  T m = LOWEST;                                                                    \
  for (iy = w.y0; iy < w.y1; ++iy)                                                 \
    for (ix = w.x0; ix < w.x1; ++ix) {                                             \
      const T v = xc[(int32_t)iy * p->in_w + ix];                                  \
      if (m < v) m = v;                                                            \
    }                                                                              \
  yc[(int32_t)oy * p->out_w + ox] = m;

#define SMCU_AVG_BODY(T)                                                           \
  int32_t sum = 0;                                                                 \
  for (iy = w.y0; iy < w.y1; ++iy)                                                 \
    for (ix = w.x0; ix < w.x1; ++ix) sum += xc[(int32_t)iy * p->in_w + ix];        \
  yc[(int32_t)oy * p->out_w + ox] =                                                \
      (T)(w.padded > 0 ? smcu_mean(sum, w.padded, p->shift, p->lo, p->hi) : 0);

void smcu_max_pool_i8(const smcu_pool* p, const int8_t* x, int8_t* y) {
  SMCU_EACH_WINDOW(int8_t, SMCU_MAX_BODY(int8_t, INT8_MIN))
}
void smcu_max_pool_i16(const smcu_pool* p, const int16_t* x, int16_t* y) {
  SMCU_EACH_WINDOW(int16_t, SMCU_MAX_BODY(int16_t, INT16_MIN))
}
void smcu_max_pool_f32(const smcu_pool* p, const float* x, float* y) {
  SMCU_EACH_WINDOW(float, SMCU_MAX_BODY(float, -__builtin_inff()))
}
void smcu_avg_pool_i8(const smcu_pool* p, const int8_t* x, int8_t* y) { SMCU_EACH_WINDOW(int8_t, SMCU_AVG_BODY(int8_t)) }
void smcu_avg_pool_i16(const smcu_pool* p, const int16_t* x, int16_t* y) {
  SMCU_EACH_WINDOW(int16_t, SMCU_AVG_BODY(int16_t))
}

/* GlobalAvgPool (mean of each row of [outer][inner]) or MeanOverTime (of each column). */
#define SMCU_MEAN(T)                                                                              \
  const int32_t n_out = p->over_inner ? p->outer : p->inner, n = p->over_inner ? p->inner : p->outer; \
  int32_t j, i;                                                                                   \
  for (j = 0; j < n_out; ++j) {                                                                   \
    int32_t sum = 0;                                                                              \
    for (i = 0; i < n; ++i) sum += p->over_inner ? x[j * p->inner + i] : x[i * p->inner + j];     \
    y[j] = (T)(n > 0 ? smcu_mean(sum, n, p->shift, p->lo, p->hi) : 0);                            \
  }
void smcu_mean_i8(const smcu_mean_p* p, const int8_t* x, int8_t* y) { SMCU_MEAN(int8_t) }
void smcu_mean_i16(const smcu_mean_p* p, const int16_t* x, int16_t* y) { SMCU_MEAN(int16_t) }

/* std::min(std::max(x, lo), hi) as the reference's clamps. */
#define SMCU_CLAMP(T)                                      \
  int32_t i;                                               \
  for (i = 0; i < count; ++i) {                            \
    const T v = x[i] < (T)lo ? (T)lo : x[i];               \
    y[i] = (T)hi < v ? (T)hi : v;                          \
  }
void smcu_clamp_i8(int32_t count, int32_t lo, int32_t hi, const int8_t* x, int8_t* y) { SMCU_CLAMP(int8_t) }
void smcu_clamp_i16(int32_t count, int32_t lo, int32_t hi, const int16_t* x, int16_t* y) { SMCU_CLAMP(int16_t) }

void smcu_copy(int32_t bytes, const void* x, void* y) {
  const uint8_t* s = (const uint8_t*)x;
  uint8_t* d = (uint8_t*)y;
  int32_t i;
  if (d == s) return;
  for (i = 0; i < bytes; ++i) d[i] = s[i];
}

void smcu_slice(int32_t outer, int32_t axis, int32_t begin, int32_t end, int32_t inner, int32_t elem,
                const void* x, void* y) {
  const int32_t len = (end - begin) * inner * elem;
  int32_t o;
  for (o = 0; o < outer; ++o)
    smcu_copy(len, (const uint8_t*)x + (o * axis + begin) * inner * elem, (uint8_t*)y + o * len);
}

void smcu_reverse(int32_t outer, int32_t axis, int32_t inner, int32_t elem, const void* x, void* y) {
  const int32_t row = inner * elem;
  int32_t o, j;
  for (o = 0; o < outer; ++o)
    for (j = 0; j < axis; ++j)
      smcu_copy(row, (const uint8_t*)x + (o * axis + axis - 1 - j) * row, (uint8_t*)y + (o * axis + j) * row);
}

void smcu_concat(int32_t outer, int32_t inputs, const int32_t* inner, int32_t elem, const void* const* x, void* y) {
  int32_t total = 0, o, k;
  for (k = 0; k < inputs; ++k) total += inner[k];
  for (o = 0; o < outer; ++o) {
    int32_t at = 0;
    for (k = 0; k < inputs; ++k) {
      smcu_copy(inner[k] * elem, (const uint8_t*)x[k] + o * inner[k] * elem, (uint8_t*)y + (o * total + at) * elem);
      at += inner[k];
    }
  }
}

void smcu_transpose(int32_t rank, const int32_t* shape, const int32_t* perm, int32_t elem, const void* x, void* y) {
  int32_t in_stride[6], out_shape[6], idx[6], count = 1, n, i, s = 1;
  for (i = rank - 1; i >= 0; --i) {
    in_stride[i] = s;
    s *= shape[i];
  }
  for (i = 0; i < rank; ++i) {
    out_shape[i] = shape[perm[i]];
    count *= out_shape[i];
    idx[i] = 0;
  }
  for (n = 0; n < count; ++n) {
    int32_t src = 0;
    for (i = 0; i < rank; ++i) src += idx[i] * in_stride[perm[i]];
    smcu_copy(elem, (const uint8_t*)x + src * elem, (uint8_t*)y + n * elem);
    for (i = rank - 1; i >= 0; --i) {
      if (++idx[i] < out_shape[i]) break;
      idx[i] = 0;
    }
  }
}

void smcu_requantize(int32_t count, int32_t x_bits, int32_t y_bits, int32_t shift, int32_t lo, int32_t hi,
                     const void* x, void* y) {
  int32_t i;
  for (i = 0; i < count; ++i) {
    const int64_t q = x_bits == 8 ? ((const int8_t*)x)[i] : ((const int16_t*)x)[i];
    int64_t v = smcu_rounding_shift(q, shift);
    v = v < lo ? lo : (v > hi ? hi : v);
    if (y_bits == 8) ((int8_t*)y)[i] = (int8_t)v;
    else ((int16_t*)y)[i] = (int16_t)v;
  }
}

/* Add / Sub / Mul at int8 or int16 (slimrt's ref add / sub / mul): Add and Sub take the
 * exact sum at max(fl_a, fl_b), each operand shifted up to it; Mul the exact product at
 * fl_a + fl_b (shifts unused); then one requantization (rq: shift, bounds with the fused
 * activation). mode: 0 add, 1 sub, 2 mul. */
void smcu_add(int32_t count, int32_t bits, int32_t mode, int32_t shift_a, int32_t shift_b, const smcu_rq* rq,
              const void* a, const void* b, void* y) {
  int32_t i;
  for (i = 0; i < count; ++i) {
    const int64_t va = bits == 8 ? ((const int8_t*)a)[i] : ((const int16_t*)a)[i];
    const int64_t vb = bits == 8 ? ((const int8_t*)b)[i] : ((const int16_t*)b)[i];
    const int64_t sa = va * ((int64_t)1 << shift_a), sb = vb * ((int64_t)1 << shift_b);
    const int32_t v = smcu_requant(rq, mode == 2 ? va * vb : mode == 1 ? sa - sb : sa + sb, 0);
    if (bits == 8) ((int8_t*)y)[i] = (int8_t)v;
    else ((int16_t*)y)[i] = (int16_t)v;
  }
}
