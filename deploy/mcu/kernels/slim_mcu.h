/* slim_mcu: the C99 kernel library of slimrt's microcontroller export (docs/MCU.md).
 *
 * Every kernel is a plain function of a const parameter block (emitted by the code
 * generator into flash next to the weights), an input pointer and an output pointer
 * into the model's static arena. No malloc, no libc beyond what the compiler itself
 * may call (memcpy/memset), no floating point in the fixed-point kernels.
 *
 * The integer arithmetic is bit-exact with slimrt's reference kernels
 * (deploy/runtime/kernels/ref) and slimrt/fixed_point.h: exact sums (int32 for int8,
 * int64 for int16), the int32 bias, one rounding shift (round to nearest, ties up),
 * saturation to the output word length and the fused activation as a clamp. Every
 * constant that slimrt computes in double (clamp bounds, BNN thresholds,
 * GRU gate non-linearities) is computed at export by the generator with slimrt's own
 * functions and stored as integers (bounds) or tables, so the device does no double.
 *
 * Layouts are slimrt's (kernels/kernels.h): CHW maps, conv weights [O][C/g][kh][kw],
 * binary rows packed as uint64 words (read here as little-endian uint32 pairs),
 * BNN maps HWC with channels packed per pixel. */
#ifndef SLIM_MCU_H
#define SLIM_MCU_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- requantization: acc (bias included) → output integer ------------------------- */
typedef struct {
  int32_t shift;          /* fl_acc − fl_y (+ fl_mult with a folded batch norm) */
  int32_t lo, hi;         /* saturation to the word length ∩ fused activation */
  const int32_t* mult;    /* folded batch norm: per-channel multiplier, or 0 */
  const int32_t* offset;  /* its per-channel offset at fl_acc + fl_mult, or 0 */
} smcu_rq;

/* ⌊acc / 2^shift + 1/2⌋ (shift > 0), saturating left shift (shift ≤ 0): fixed::rounding_shift. */
int64_t smcu_rounding_shift(int64_t acc, int shift);
/* Output channel c of a conv / dense: requantize, saturate and clamp. */
int32_t smcu_requant(const smcu_rq* q, int64_t acc, int c);
/* ⌊sum · 2^k / n + 1/2⌋ saturated to [lo, hi]: a fixed-point mean (n > 0). */
int32_t smcu_mean(int64_t sum, int32_t n, int k, int32_t lo, int32_t hi);

/* The taps k ∈ [*lo, *hi) of a window starting at input index i0 with dilation d and k taps
 * that fall inside [0, n): the reference kernels' bounds checks, hoisted. */
void smcu_tap_range(int i0, int d, int k, int n, int* lo, int* hi);

/* ---- convolution (conv1d: in_h = k_h = 1) and dense ---------------------------------- */
typedef struct {
  int16_t in_c, in_h, in_w, out_c, out_h, out_w;
  int16_t k_h, k_w, s_h, s_w, pad_t, pad_l, d_h, d_w, groups;
} smcu_conv_geom;

typedef struct {
  smcu_conv_geom g;
  const void* w;          /* int8 / int16 [O][C/g][kh][kw]; BinaryConnect: packed bits [O][words] */
  const int32_t* bias;    /* at fl_acc, or 0 */
  smcu_rq rq;
} smcu_conv;

typedef struct {
  int32_t rows, in, out;
  const void* w;          /* [out][in]; BinaryConnect: packed bits [out][words(in)] */
  const int32_t* bias;
  smcu_rq rq;
} smcu_dense;

void smcu_conv_i8(const smcu_conv* p, const int8_t* x, int8_t* y);
void smcu_conv_i16(const smcu_conv* p, const int16_t* x, int16_t* y);
void smcu_conv_bc_i8(const smcu_conv* p, const int8_t* x, int8_t* y);
void smcu_conv_bc_i16(const smcu_conv* p, const int16_t* x, int16_t* y);
void smcu_dense_i8(const smcu_dense* p, const int8_t* x, int8_t* y);
void smcu_dense_i16(const smcu_dense* p, const int16_t* x, int16_t* y);
void smcu_dense_bc_i8(const smcu_dense* p, const int8_t* x, int8_t* y);
void smcu_dense_bc_i16(const smcu_dense* p, const int16_t* x, int16_t* y);

/* ---- BNN: XOR + popcount on packed ±1 rows ------------------------------------------- */
enum { SMCU_BNN_BITS = 0, SMCU_BNN_INT32 = 1, SMCU_BNN_FLOAT = 2 };
typedef struct {
  int32_t threshold;   /* integer form of slimrt's float threshold (generator) */
  int8_t direction;    /* +1: +1 iff dot ≥ threshold; −1: +1 iff dot ≤ threshold; 0: constant */
  int8_t constant;     /* ±1 when direction == 0 */
} smcu_threshold;
typedef struct {
  int32_t kind;                      /* SMCU_BNN_* */
  const smcu_threshold* thresholds;  /* BITS */
  const float* scale;                /* FLOAT: y = (float)dot · scale + bias (null: 1 / 0) */
  const float* bias;
} smcu_bnn_out;
typedef struct {
  smcu_conv_geom g;     /* groups 1 */
  const uint32_t* w;    /* [O][kh][kw][words64(C)·2] */
  smcu_bnn_out out;
} smcu_conv_bnn_p;
typedef struct {
  int32_t in, out, in_words; /* in_words: 64-bit words per input row */
  const uint32_t* w;         /* [out][in_words·2] */
  smcu_bnn_out out_;
} smcu_dense_bnn_p;
void smcu_conv_bnn(const smcu_conv_bnn_p* p, const uint32_t* x, void* y);
void smcu_dense_bnn(const smcu_dense_bnn_p* p, const uint32_t* x, void* y);

/* ---- pooling and means ------------------------------------------------------------- */
typedef struct {
  int16_t channels, in_h, in_w, out_h, out_w, k_h, k_w, s_h, s_w, pad_t, pad_l, pad_b, pad_r;
  int16_t shift;      /* avg: fl_y − fl_x */
  int32_t lo, hi;     /* avg: output word length */
} smcu_pool;
void smcu_max_pool_i8(const smcu_pool* p, const int8_t* x, int8_t* y);
void smcu_max_pool_i16(const smcu_pool* p, const int16_t* x, int16_t* y);
void smcu_max_pool_f32(const smcu_pool* p, const float* x, float* y);
void smcu_max_pool_bits(const smcu_pool* p, const uint32_t* x, uint32_t* y);
void smcu_avg_pool_i8(const smcu_pool* p, const int8_t* x, int8_t* y);
void smcu_avg_pool_i16(const smcu_pool* p, const int16_t* x, int16_t* y);

typedef struct {
  int32_t outer, inner, over_inner; /* GlobalAvgPool: over_inner 1; MeanOverTime: 0 */
  int32_t shift, lo, hi;
} smcu_mean_p;
void smcu_mean_i8(const smcu_mean_p* p, const int8_t* x, int8_t* y);
void smcu_mean_i16(const smcu_mean_p* p, const int16_t* x, int16_t* y);

/* ---- element-wise and data movement --------------------------------------------------- */
/* y = min(max(x, lo), hi): the clamps on fixed point (bounds from the generator). */
void smcu_clamp_i8(int32_t count, int32_t lo, int32_t hi, const int8_t* x, int8_t* y);
void smcu_clamp_i16(int32_t count, int32_t lo, int32_t hi, const int16_t* x, int16_t* y);
/* Add / Sub / Mul (mode 0 / 1 / 2) at 8 or 16 bits: y = requant(a·2^shift_a ± b·2^shift_b)
 * or requant(a·b). */
void smcu_add(int32_t count, int32_t bits, int32_t mode, int32_t shift_a, int32_t shift_b, const smcu_rq* rq,
              const void* a, const void* b, void* y);
/* Sign to packed bits: x [C][spatial] → y [spatial][words64(C)·2]. */
void smcu_pack_bits_f32(int32_t channels, int32_t spatial, const float* x, uint32_t* y);
void smcu_pack_bits_i8(int32_t channels, int32_t spatial, const int8_t* x, uint32_t* y);
void smcu_pack_bits_i16(int32_t channels, int32_t spatial, const int16_t* x, uint32_t* y);
/* Float activations after a BNN's float-output layers, as slimrt's reference: ReLU is
 * x > 0 ? x : 0; the clamps (ReLU6, hard-tanh) min(max(x, lo), hi). */
void smcu_relu_f32(int32_t count, const float* x, float* y);
void smcu_clamp_f32(int32_t count, float lo, float hi, const float* x, float* y);
/* y[c][i] = x[c][i] · scale[c] + shift[c] (float; slimrt's Scale op). */
void smcu_scale_f32(int32_t channels, int32_t inner, const float* scale, const float* shift, const float* x,
                    float* y);
/* Slice along an axis: outer × [axis] × inner elements of `elem` bytes, [begin, end). */
void smcu_slice(int32_t outer, int32_t axis, int32_t begin, int32_t end, int32_t inner, int32_t elem,
                const void* x, void* y);
/* Reverse of an axis: outer × [axis] × inner elements of `elem` bytes, y[o][j] = x[o][axis − 1 − j]. */
void smcu_reverse(int32_t outer, int32_t axis, int32_t inner, int32_t elem, const void* x, void* y);
/* Concat: outer rows of inner[k] elements from each input in turn. */
void smcu_concat(int32_t outer, int32_t inputs, const int32_t* inner, int32_t elem, const void* const* x, void* y);
/* Transpose of a rank ≤ 6 tensor of `elem`-byte elements. */
void smcu_transpose(int32_t rank, const int32_t* shape, const int32_t* perm, int32_t elem, const void* x, void* y);
void smcu_copy(int32_t bytes, const void* x, void* y);
/* Fixed point → fixed point (slimrt's Requantize): y = saturate(rounding_shift(x, shift)) in
 * [lo, hi]; x and y stored in 8 or 16 bits each. */
void smcu_requantize(int32_t count, int32_t x_bits, int32_t y_bits, int32_t shift, int32_t lo, int32_t hi,
                     const void* x, void* y);

/* ---- float conv (the float first layer of a BNN; a float Dense is emitted as a 1×1 conv
 * over a 1×1 image): double sums as slimrt's reference ---- */
typedef struct {
  smcu_conv_geom g;
  const float* w;
  const float* bias;
  int32_t act;          /* fused clamp: the schema's Activation code (0 none) */
} smcu_conv_f32_p;
void smcu_conv_f32(const smcu_conv_f32_p* p, const float* x, float* y);

/* ---- fixed-point GRU ---------------------------------------------------------------------- */
typedef struct {
  int32_t lo, n;          /* the table covers pre-activations [lo, lo + n); outside: the end values */
  const int16_t* v;       /* fixed::sigmoid / fixed::tanh of each, computed at export */
} smcu_gate_table;
typedef struct {
  int32_t steps, input, hidden;
  const void* w_ih;       /* [3H][F] (gates r, z, n as LibTorch) */
  const void* w_hh;       /* [3H][H] */
  const int32_t* b_ih;    /* [3H] or 0 */
  const int32_t* b_hh;
  int32_t sh_i, sh_h;     /* W x + b, U h + b → pre-activation format */
  int32_t fl_gate;        /* 1.0 = 2^fl_gate */
  int32_t sh_a, sh_b, sh_out; /* the h' = (1 − z)·n + z·h sum (kernels/ref/rnn_ref.cpp) */
  int32_t pre_lo, pre_hi, h_lo, h_hi;
  smcu_gate_table sigmoid, tanh_;
} smcu_gru;
typedef struct {
  int32_t steps, input, hidden;
  const void* w_ih;       /* [4H][F] (gates i, f, g, o as LibTorch) */
  const void* w_hh;       /* [4H][H] */
  const int32_t* b_ih;
  const int32_t* b_hh;
  int32_t sh_i, sh_h;     /* W x + b, U h + b → pre-activation format */
  int32_t sh_fc, sh_ig, sh_c; /* c' = f·c + i·g (kernels/ref/rnn_ref.cpp lstm_fixed) */
  int32_t sh_out;         /* h = o · tanh(c') → hidden format */
  int32_t pre_lo, pre_hi, c_lo, c_hi, h_lo, h_hi;
  smcu_gate_table sigmoid, tanh_, tanh_cell; /* tanh_cell: over the cell format */
} smcu_lstm;
/* scratch: `hidden` int32 cell values (in the arena). */
void smcu_lstm_i8(const smcu_lstm* p, const int8_t* x, int8_t* y, int32_t* c);
void smcu_lstm_i16(const smcu_lstm* p, const int16_t* x, int16_t* y, int32_t* c);
void smcu_gru_i8(const smcu_gru* p, const int8_t* x, int8_t* y);
void smcu_gru_i16(const smcu_gru* p, const int16_t* x, int16_t* y);

/* ---- fixed-point audio front end: int16 PCM → log-mel / MFCC (slimrt's
 * fixed_log_mel_features, deploy/runtime/frontend/fixed_log_mel.cpp, loop for loop).
 * Every table is computed at export by slimrt's prepare_fixed_log_mel. ---- */
typedef struct {
  int32_t n_fft, win_length, hop_length, win_offset; /* frame t reads x[t·hop − n_fft/2 + win_offset + i], i < win */
  int32_t clip, frames, n_mels, n_mfcc;  /* n_mfcc 0: log-mel features */
  int32_t block_bits;                    /* butterfly inputs < 2^block_bits */
  int32_t mel_scale;                     /* mel weights are w · 2^mel_scale */
  int32_t out_bits, out_shift, lo, hi;   /* output word (8 / 16), Q16 (Q31 for MFCC) → FL shift, saturation */
  int32_t floor_exponent;                /* the log floor 1e-6 = floor_mantissa · 2^floor_exponent */
  uint32_t floor_mantissa;
  int32_t floor_ln;                      /* ln(floor) in Q16 (an all-zero band) */
  int32_t ln2_q30;
  const uint16_t* window;     /* Q15 Hann, win_length */
  const uint16_t* bitrev;     /* n_fft/2 */
  const int32_t* stage_re;    /* Q30, [H + j] = e^{−iπj/H}, n_fft/2 */
  const int32_t* stage_im;
  const int32_t* split_re;    /* Q30, e^{−2πik/n}, n_fft/2 + 1 */
  const int32_t* split_im;
  const uint16_t* mel_start;  /* filter m: bins mel_start[m] .. + mel_len[m], weights from mel_offset[m] */
  const uint16_t* mel_len;
  const uint16_t* mel_offset;
  const uint16_t* mel_w;
  const int32_t* log2_q16;    /* 129 entries: log2(1 + i/128) in Q16 */
  const int16_t* dct_q15;     /* n_mfcc × n_mels, or 0 */
} smcu_log_mel_p;
/* x: clip int16 samples → y [features][frames] (int8 / int16 by out_bits). Scratch:
 * s32 n_fft + n_mels int32, s64 n_fft/2 + 1 uint64 (in the arena). */
void smcu_log_mel(const smcu_log_mel_p* p, const int16_t* x, void* y, int32_t* s32, uint64_t* s64);

#ifdef __cplusplus
}
#endif
#endif
