/* slim_mcu: BNN (XOR + popcount) conv / dense, packed max pooling and sign packing.
 * Packed rows are slimrt's uint64 words read as little-endian uint32 pairs. */
#include "slim_mcu.h"

static int smcu_popcount32(uint32_t v) {
  v = v - ((v >> 1) & 0x55555555u);
  v = (v & 0x33333333u) + ((v >> 2) & 0x33333333u);
  v = (v + (v >> 4)) & 0x0F0F0F0Fu;
  return (int)((v * 0x01010101u) >> 24);
}

static int smcu_xor_ones(const uint32_t* a, const uint32_t* b, int32_t n32) {
  int ones = 0;
  int32_t i;
  for (i = 0; i < n32; ++i) ones += smcu_popcount32(a[i] ^ b[i]);
  return ones;
}

/* +1 or −1 under an integer threshold (bitpack.h apply_threshold on an integer dot). */
static int smcu_sign_of(const smcu_threshold* t, int32_t dot) {
  if (t->direction == 0) return t->constant;
  if (t->direction > 0) return dot >= t->threshold ? 1 : -1;
  return dot <= t->threshold ? 1 : -1;
}

/* Stores one channel's dot: a bit (set for −1) at bits[channel], or int32 / float at index. */
static void smcu_bnn_store(const smcu_bnn_out* o, void* y, uint32_t* bits, int c, int32_t dot, int32_t index) {
  if (o->kind == SMCU_BNN_BITS) {
    if (smcu_sign_of(&o->thresholds[c], dot) < 0) bits[c >> 5] |= (uint32_t)1 << (c & 31);
  } else if (o->kind == SMCU_BNN_INT32) {
    ((int32_t*)y)[index] = dot;
  } else {
    ((float*)y)[index] = (float)dot * (o->scale ? o->scale[c] : 1.0f) + (o->bias ? o->bias[c] : 0.0f);
  }
}

void smcu_dense_bnn(const smcu_dense_bnn_p* p, const uint32_t* x, void* y) {
  const int32_t n32 = p->in_words * 2, out32 = ((p->out + 63) / 64) * 2;
  uint32_t* bits = (uint32_t*)y;
  int32_t o;
  if (p->out_.kind == SMCU_BNN_BITS)
    for (o = 0; o < out32; ++o) bits[o] = 0;
  for (o = 0; o < p->out; ++o) {
    const int32_t dot = p->in - 2 * smcu_xor_ones(x, p->w + o * n32, n32);
    smcu_bnn_store(&p->out_, y, bits, (int)o, dot, o);
  }
}

void smcu_conv_bnn(const smcu_conv_bnn_p* p, const uint32_t* x, void* y) {
  const smcu_conv_geom* g = &p->g;
  const int32_t cw = ((g->in_c + 63) / 64) * 2, ow32 = ((g->out_c + 63) / 64) * 2;
  const int32_t plane = (int32_t)g->out_h * g->out_w;
  int oy, ox, o, ky, kx, ky0, ky1, kx0, kx1;
  for (oy = 0; oy < g->out_h; ++oy)
    for (ox = 0; ox < g->out_w; ++ox) {
      const int32_t pix = (int32_t)oy * g->out_w + ox;
      const int iy0 = oy * g->s_h - g->pad_t, ix0 = ox * g->s_w - g->pad_l;
      uint32_t* bits = (uint32_t*)y + pix * ow32;
      smcu_tap_range(iy0, g->d_h, g->k_h, g->in_h, &ky0, &ky1);
      smcu_tap_range(ix0, g->d_w, g->k_w, g->in_w, &kx0, &kx1);
      if (p->out.kind == SMCU_BNN_BITS)
        for (o = 0; o < ow32; ++o) bits[o] = 0;
      for (o = 0; o < g->out_c; ++o) {
        int ones = 0, n = 0;
        for (ky = ky0; ky < ky1; ++ky)
          for (kx = kx0; kx < kx1; ++kx) {
            ones += smcu_xor_ones(x + ((int32_t)(iy0 + ky * g->d_h) * g->in_w + ix0 + kx * g->d_w) * cw,
                                  p->w + (((int32_t)o * g->k_h + ky) * g->k_w + kx) * cw, cw);
            n += g->in_c;
          }
        smcu_bnn_store(&p->out, y, bits, o, n - 2 * ones, (int32_t)o * plane + pix);
      }
    }
}

/* Max over ±1 maps: AND of the sign bits over the window (padding bits stay 0). */
void smcu_max_pool_bits(const smcu_pool* p, const uint32_t* x, uint32_t* y) {
  const int32_t cw = ((p->channels + 63) / 64) * 2;
  int oy, ox, iy, ix;
  int32_t k;
  for (oy = 0; oy < p->out_h; ++oy)
    for (ox = 0; ox < p->out_w; ++ox) {
      const int ys = oy * p->s_h - p->pad_t, xs = ox * p->s_w - p->pad_l;
      const int ye = ys + p->k_h < p->in_h + p->pad_b ? ys + p->k_h : p->in_h + p->pad_b;
      const int xe = xs + p->k_w < p->in_w + p->pad_r ? xs + p->k_w : p->in_w + p->pad_r;
      uint32_t* yp = y + ((int32_t)oy * p->out_w + ox) * cw;
      for (k = 0; k < cw; ++k) {
        uint32_t m = ~(uint32_t)0;
        const int32_t valid = p->channels - k * 32;
        for (iy = ys < 0 ? 0 : ys; iy < (ye < p->in_h ? ye : p->in_h); ++iy)
          for (ix = xs < 0 ? 0 : xs; ix < (xe < p->in_w ? xe : p->in_w); ++ix)
            m &= x[((int32_t)iy * p->in_w + ix) * cw + k];
        yp[k] = valid >= 32 ? m : (valid <= 0 ? 0 : (m & (((uint32_t)1 << valid) - 1)));
      }
    }
}

#define SMCU_PACK_BITS(T)                                                        \
  const int32_t cw = ((channels + 63) / 64) * 2;                                 \
  int32_t s, c;                                                                  \
  for (s = 0; s < spatial; ++s) {                                                \
    uint32_t* yp = y + s * cw;                                                   \
    for (c = 0; c < cw; ++c) yp[c] = 0;                                          \
    for (c = 0; c < channels; ++c)                                               \
      if (x[c * spatial + s] < (T)0) yp[c >> 5] |= (uint32_t)1 << (c & 31);      \
  }

void smcu_pack_bits_f32(int32_t channels, int32_t spatial, const float* x, uint32_t* y) { SMCU_PACK_BITS(float) }
void smcu_pack_bits_i8(int32_t channels, int32_t spatial, const int8_t* x, uint32_t* y) { SMCU_PACK_BITS(int8_t) }
void smcu_pack_bits_i16(int32_t channels, int32_t spatial, const int16_t* x, uint32_t* y) {
  SMCU_PACK_BITS(int16_t)
}

void smcu_scale_f32(int32_t channels, int32_t inner, const float* scale, const float* shift, const float* x,
                    float* y) {
  int32_t c, i;
  for (c = 0; c < channels; ++c)
    for (i = 0; i < inner; ++i) y[c * inner + i] = x[c * inner + i] * scale[c] + shift[c];
}

void smcu_relu_f32(int32_t count, const float* x, float* y) {
  int32_t i;
  for (i = 0; i < count; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void smcu_clamp_f32(int32_t count, float lo, float hi, const float* x, float* y) {
  int32_t i;
  for (i = 0; i < count; ++i) {
    const float v = x[i] < lo ? lo : x[i]; /* std::min(std::max(x, lo), hi), as slimrt */
    y[i] = hi < v ? hi : v;
  }
}
