/* slim_mcu: the fixed-point GRU and LSTM of kernels/ref/rnn_ref.cpp, integer only: the
 * gate non-linearities are tables the generator filled with slimrt's fixed::sigmoid and
 * fixed::tanh over every pre-activation value that does not saturate. */
#include "slim_mcu.h"

static int64_t smcu_sat(int64_t v, int32_t lo, int32_t hi) { return v < lo ? lo : (v > hi ? hi : v); }
static int64_t smcu_gate(const smcu_gate_table* t, int64_t q) {
  int64_t i = q - t->lo;
  if (i < 0) i = 0;
  if (i >= t->n) i = t->n - 1;
  return t->v[i];
}

/* The pre-activations of gate row `row`: requantized W x + b and U h + b (h null: 0). */
#define SMCU_GATE_PRE(T, ACC, row, gi_out, gh_out)                                                  \
  {                                                                                                 \
    ACC si = 0, sh = 0;                                                                             \
    for (k = 0; k < F; ++k) si += (ACC)xt[k] * wi[(row) * F + k];                                   \
    if (h)                                                                                          \
      for (k = 0; k < H; ++k) sh += (ACC)h[k] * wh[(row) * H + k];                                  \
    gi_out = smcu_sat(smcu_rounding_shift((int64_t)si + (p->b_ih ? p->b_ih[row] : 0), p->sh_i),     \
                      p->pre_lo, p->pre_hi);                                                        \
    gh_out = smcu_sat(smcu_rounding_shift((int64_t)sh + (p->b_hh ? p->b_hh[row] : 0), p->sh_h),     \
                      p->pre_lo, p->pre_hi);                                                        \
  }

#define SMCU_GRU(T, ACC)                                                                            \
  const int32_t H = p->hidden, F = p->input;                                                        \
  const T* wi = (const T*)p->w_ih;                                                                  \
  const T* wh = (const T*)p->w_hh;                                                                  \
  const int64_t one = (int64_t)1 << p->fl_gate;                                                     \
  int32_t t, u, g, k;                                                                               \
  for (t = 0; t < p->steps; ++t) {                                                                  \
    const T* xt = x + t * F;                                                                        \
    const T* h = t > 0 ? y + (t - 1) * H : 0;                                                       \
    T* hn = y + t * H;                                                                              \
    for (u = 0; u < H; ++u) {                                                                       \
      int64_t gi[3], gh[3], r, z, n, hp, acc;                                                       \
      for (g = 0; g < 3; ++g) SMCU_GATE_PRE(T, ACC, g * H + u, gi[g], gh[g])                      \
      r = smcu_gate(&p->sigmoid, smcu_sat(gi[0] + gh[0], p->pre_lo, p->pre_hi));                    \
      z = smcu_gate(&p->sigmoid, smcu_sat(gi[1] + gh[1], p->pre_lo, p->pre_hi));                    \
      n = smcu_gate(&p->tanh_, smcu_sat(smcu_rounding_shift(gi[2] * one + r * gh[2], p->fl_gate),   \
                                        p->pre_lo, p->pre_hi));                                     \
      hp = h ? (int64_t)h[u] : 0;                                                                   \
      acc = smcu_rounding_shift((one - z) * n, p->sh_a) + smcu_rounding_shift(z * hp, p->sh_b);     \
      hn[u] = (T)smcu_sat(smcu_rounding_shift(acc, p->sh_out), p->h_lo, p->h_hi);                   \
    }                                                                                               \
  }

void smcu_gru_i8(const smcu_gru* p, const int8_t* x, int8_t* y) { SMCU_GRU(int8_t, int32_t) }
void smcu_gru_i16(const smcu_gru* p, const int16_t* x, int16_t* y) { SMCU_GRU(int16_t, int64_t) }

#define SMCU_LSTM(T, ACC)                                                                           \
  const int32_t H = p->hidden, F = p->input;                                                        \
  const T* wi = (const T*)p->w_ih;                                                                  \
  const T* wh = (const T*)p->w_hh;                                                                  \
  int32_t t, u, g, k;                                                                               \
  for (u = 0; u < H; ++u) c[u] = 0;                                                                 \
  for (t = 0; t < p->steps; ++t) {                                                                  \
    const T* xt = x + t * F;                                                                        \
    const T* h = t > 0 ? y + (t - 1) * H : 0;                                                       \
    T* hn = y + t * H;                                                                              \
    for (u = 0; u < H; ++u) {                                                                       \
      int64_t gate[4], gi, gh, acc, tc;                                                             \
      for (g = 0; g < 4; ++g) {                                                                     \
        SMCU_GATE_PRE(T, ACC, g * H + u, gi, gh)                                                    \
        gate[g] = smcu_gate(g == 2 ? &p->tanh_ : &p->sigmoid, smcu_sat(gi + gh, p->pre_lo, p->pre_hi)); \
      }                                                                                             \
      acc = smcu_rounding_shift(gate[1] * c[u], p->sh_fc) + smcu_rounding_shift(gate[0] * gate[2], p->sh_ig); \
      c[u] = (int32_t)smcu_sat(smcu_rounding_shift(acc, p->sh_c), p->c_lo, p->c_hi);                \
      tc = smcu_gate(&p->tanh_cell, c[u]);                                                          \
      hn[u] = (T)smcu_sat(smcu_rounding_shift(gate[3] * tc, p->sh_out), p->h_lo, p->h_hi);          \
    }                                                                                               \
  }

void smcu_lstm_i8(const smcu_lstm* p, const int8_t* x, int8_t* y, int32_t* c) { SMCU_LSTM(int8_t, int32_t) }
void smcu_lstm_i16(const smcu_lstm* p, const int16_t* x, int16_t* y, int32_t* c) { SMCU_LSTM(int16_t, int64_t) }
