// Element-wise ops, conversions and data movement: one work-item per element.

// The clamps (ReLU, hard-tanh, the constant clamps) as one clamp to [lo, hi] (the host quantizes the bounds of
// fixed-point ones with fixed::quantize); Sign writes pos / neg.
#define CLAMP_KERNEL(NAME, T, BOUND)                                              \
  __kernel void NAME(__global const T* x, __global T* y, long count, BOUND lo, BOUND hi) { \
    const size_t i = get_global_id(0);                                            \
    if (i >= (size_t)count) return;                                               \
    const T v = x[i];                                                             \
    const T a = v > (T)lo ? v : (T)lo;                                            \
    y[i] = a < (T)hi ? a : (T)hi;                                                 \
  }
CLAMP_KERNEL(clamp_f32, float, float)
CLAMP_KERNEL(clamp_i8, char, long)
CLAMP_KERNEL(clamp_i16, short, long)
#define SIGN_KERNEL(NAME, T, BOUND)                                               \
  __kernel void NAME(__global const T* x, __global T* y, long count, BOUND neg, BOUND pos) { \
    const size_t i = get_global_id(0);                                            \
    if (i >= (size_t)count) return;                                               \
    y[i] = x[i] < (T)0 ? (T)neg : (T)pos;                                         \
  }
SIGN_KERNEL(sign_f32, float, float)
SIGN_KERNEL(sign_i8, char, long)
SIGN_KERNEL(sign_i16, short, long)

// y = x + x2 with the fused activation; fixed point: exact sum at f = max(fl_x, fl_x2)
// (the host passes the two left shifts), one rounding shift to fl_y, clamp.
__kernel void add_f32(__global const float* x, __global const float* x2, __global float* y, long count, float lo,
                      float hi, int s1, int s2, int shift, long llo, long lhi) {
  const size_t i = get_global_id(0);
  if (i >= (size_t)count) return;
  y[i] = f_clamp(x[i] + x2[i], lo, hi);
}
#define ADD_FIXED(NAME, T)                                                                         \
  __kernel void NAME(__global const T* x, __global const T* x2, __global T* y, long count, float lo, \
                     float hi, int s1, int s2, int shift, long llo, long lhi) {                     \
    const size_t i = get_global_id(0);                                                             \
    if (i >= (size_t)count) return;                                                                \
    const long s = (long)x[i] * ((long)1 << s1) + (long)x2[i] * ((long)1 << s2);                    \
    y[i] = (T)fx_clamp(fx_rounding_shift(s, shift), llo, lhi);                                     \
  }
ADD_FIXED(add_i8, char)
ADD_FIXED(add_i16, short)

// Sub, Mul, Div: the same arguments as add (kernels.h AddArgs; ops/opencl/add.cpp).
#define BINARY_F32(NAME, OP)                                                                        \
  __kernel void NAME(__global const float* x, __global const float* x2, __global float* y, long count, \
                     float lo, float hi, int s1, int s2, int shift, long llo, long lhi) {            \
    const size_t i = get_global_id(0);                                                              \
    if (i >= (size_t)count) return;                                                                 \
    y[i] = f_clamp(x[i] OP x2[i], lo, hi);                                                          \
  }
BINARY_F32(sub_f32, -)
BINARY_F32(mul_f32, *)
BINARY_F32(div_f32, /)
// Fixed point: Sub the exact aligned difference, Mul the exact product (s1 = s2 = 0), each
// requantized by `shift`; Div: fixed::divide with y·2^fl_y = (q / q2)·2^s1 (|s1| ≤ 45: the
// glue checks), rounded half up, ±2^62 for q2 = 0 (0 for 0 / 0), then the epilogue.
#define SUB_MUL_FIXED(NAME, T, EXPR)                                                               \
  __kernel void NAME(__global const T* x, __global const T* x2, __global T* y, long count, float lo, \
                     float hi, int s1, int s2, int shift, long llo, long lhi) {                     \
    const size_t i = get_global_id(0);                                                             \
    if (i >= (size_t)count) return;                                                                \
    const long a = x[i], b = x2[i];                                                                \
    y[i] = (T)fx_clamp(fx_rounding_shift(EXPR, shift), llo, lhi);                                  \
  }
SUB_MUL_FIXED(sub_i8, char, a * ((long)1 << s1) - b * ((long)1 << s2))
SUB_MUL_FIXED(sub_i16, short, a * ((long)1 << s1) - b * ((long)1 << s2))
SUB_MUL_FIXED(mul_i8, char, a * b)
SUB_MUL_FIXED(mul_i16, short, a * b)
inline long fx_divide(long num, long den, int s) {
  if (den == 0) return num > 0 ? (long)1 << 62 : (num < 0 ? -((long)1 << 62) : 0);
  if (den < 0) {
    num = -num;
    den = -den;
  }
  if (s >= 0) num *= (long)1 << s;
  else den *= (long)1 << -s;
  const long n2 = 2 * num + den, d2 = 2 * den;
  long q = n2 / d2;
  if (n2 % d2 != 0 && n2 < 0) --q;  // floor division
  return q;
}
SUB_MUL_FIXED(div_i8, char, fx_divide(a, b, s1))
SUB_MUL_FIXED(div_i16, short, fx_divide(a, b, s1))

// Softmax over rows: one work-item per row.
__kernel void softmax_f32(__global const float* x, __global float* y, int rows, int cols, int log_out) {
  const int r = get_global_id(0);
  if (r >= rows) return;
  __global const float* xr = x + (size_t)r * cols;
  __global float* yr = y + (size_t)r * cols;
  float m = -INFINITY;
  for (int i = 0; i < cols; ++i) m = max(m, xr[i]);
  float sum = 0.0f;
  for (int i = 0; i < cols; ++i) sum += exp(xr[i] - m);
  if (log_out) {  // LogSoftmax
    const float ls = log(sum);
    for (int i = 0; i < cols; ++i) yr[i] = xr[i] - m - ls;
    return;
  }
  const float inv = 1.0f / sum;
  for (int i = 0; i < cols; ++i) yr[i] = exp(xr[i] - m) * inv;
}

// Conversions.
#define QUANTIZE(NAME, T)                                                                  \
  __kernel void NAME(__global const float* x, __global T* y, long count, int wl, int fl) { \
    const size_t i = get_global_id(0);                                                     \
    if (i >= (size_t)count) return;                                                        \
    y[i] = (T)fx_quantize_f(x[i], wl, fl);                                                 \
  }
QUANTIZE(quantize_i8, char)
QUANTIZE(quantize_i16, short)
// q·2^−fl is exact in float for 16-bit q and the allowed FL range; step = 2^−fl.
#define DEQUANTIZE(NAME, T)                                                                \
  __kernel void NAME(__global const T* x, __global float* y, long count, float step) {     \
    const size_t i = get_global_id(0);                                                     \
    if (i >= (size_t)count) return;                                                        \
    y[i] = (float)x[i] * step;                                                             \
  }
DEQUANTIZE(dequantize_i8, char)
DEQUANTIZE(dequantize_i16, short)
#define REQUANTIZE(NAME, TX, TY)                                                                   \
  __kernel void NAME(__global const TX* x, __global TY* y, long count, int fl_x, int wl, int fl_y) { \
    const size_t i = get_global_id(0);                                                             \
    if (i >= (size_t)count) return;                                                                \
    y[i] = (TY)fx_requantize((long)x[i], fl_x, wl, fl_y);                                          \
  }
REQUANTIZE(requantize_i8_i8, char, char)
REQUANTIZE(requantize_i8_i16, char, short)
REQUANTIZE(requantize_i16_i8, short, char)
REQUANTIZE(requantize_i16_i16, short, short)

// [batch][C][S] → [batch][S][words(C)] sign bits (0 ↦ +1), one work-item per word.
#define PACK_BITS(NAME, T)                                                                  \
  __kernel void NAME(__global const T* x, __global ulong* y, int channels, int spatial) {   \
    const int s = get_global_id(0), k = get_global_id(1), b = get_global_id(2);             \
    const int cw = (channels + 63) / 64;                                                    \
    if (s >= spatial || k >= cw) return;                                                    \
    ulong bits = 0;                                                                         \
    for (int j = 0; j < 64; ++j) {                                                          \
      const int c = k * 64 + j;                                                             \
      if (c >= channels) break;                                                             \
      if (x[((size_t)b * channels + c) * spatial + s] < (T)0) bits |= 1UL << j;              \
    }                                                                                       \
    y[((size_t)b * spatial + s) * cw + k] = bits;                                           \
  }
PACK_BITS(pack_bits_f32, float)
PACK_BITS(pack_bits_i8, char)
PACK_BITS(pack_bits_i16, short)
__kernel void unpack_bits(__global const ulong* x, __global float* y, int channels, int spatial) {
  const int s = get_global_id(0), c = get_global_id(1), b = get_global_id(2);
  if (s >= spatial || c >= channels) return;
  const int cw = (channels + 63) / 64;
  const ulong w = x[((size_t)b * spatial + s) * cw + c / 64];
  y[((size_t)b * channels + c) * spatial + s] = ((w >> (c % 64)) & 1UL) ? -1.0f : 1.0f;
}

// Data movement in units of `unit` bytes (the host picks the widest that divides every
// size): y[r·y_stride + y_off + i] = x[r·x_stride + x_off + i] for i < cols.
__kernel void copy_rows(__global const uchar* x, __global uchar* y, long rows, long cols, long x_stride, long x_off,
                        long y_stride, long y_off, int unit) {
  const size_t i = get_global_id(0), r = get_global_id(1);
  if ((long)i >= cols || (long)r >= rows) return;
  __global const uchar* s = x + (r * x_stride + x_off + i) * unit;
  __global uchar* d = y + (r * y_stride + y_off + i) * unit;
  for (int k = 0; k < unit; ++k) d[k] = s[k];
}
// Transpose of up to 6 axes: output element n gathers input element Σ idx_i·stride[i]
// where idx is n's index in the output shape (out_shape) and stride the input stride of
// the axis perm[i] (both passed by the host, rank padded to 6 with 1 / 0).
__kernel void transpose_gather(__global const uchar* x, __global uchar* y, long count, int unit, long d0, long d1,
                               long d2, long d3, long d4, long d5, long s0, long s1, long s2, long s3, long s4, long s5) {
  const size_t n = get_global_id(0);
  if ((long)n >= count) return;
  long r = (long)n, src = 0;
  src += (r % d5) * s5; r /= d5;
  src += (r % d4) * s4; r /= d4;
  src += (r % d3) * s3; r /= d3;
  src += (r % d2) * s2; r /= d2;
  src += (r % d1) * s1; r /= d1;
  src += r * s0;
  for (int k = 0; k < unit; ++k) y[n * unit + k] = x[src * unit + k];
}

// Fixed-point unary ops (kernels/unary.inc): y = table[x − min], the table computed on
// the host with the op's fixed-point function over every input integer.
__kernel void lookup_i8(__global const char* x, __global char* y, __global const char* table, long n) {
  const size_t i = get_global_id(0);
  if ((long)i < n) y[i] = table[(int)x[i] + 128];
}
__kernel void lookup_i16(__global const short* x, __global short* y, __global const short* table, long n) {
  const size_t i = get_global_id(0);
  if ((long)i < n) y[i] = table[(int)x[i] + 32768];
}

// Float unary ops (kernels/unary.inc), one line each: <ir_name>_f32 computes `expr` of v
// (and of the op's attributes alpha, beta where it has them).
#define UNARY_F32(name, expr)                                                         \
  __kernel void name##_f32(__global const float* x, __global float* y, long n,        \
                           float alpha, float beta) {                                 \
    const size_t i = get_global_id(0);                                                \
    if ((long)i >= n) return;                                                         \
    const float v = x[i];                                                             \
    y[i] = (expr);                                                                    \
  }
UNARY_F32(sigmoid, v < 0.0f ? exp(v) / (1.0f + exp(v)) : 1.0f / (1.0f + exp(-v)))
UNARY_F32(hard_swish, v * clamp(v + 3.0f, 0.0f, 6.0f) / 6.0f)
UNARY_F32(tanh, tanh(v))
UNARY_F32(leaky_relu, v < 0.0f ? alpha * v : v)
UNARY_F32(hard_sigmoid, clamp(alpha * v + beta, 0.0f, 1.0f))
