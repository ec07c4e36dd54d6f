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

// Softmax over rows: one work-item per row.
__kernel void softmax_f32(__global const float* x, __global float* y, int rows, int cols) {
  const int r = get_global_id(0);
  if (r >= rows) return;
  __global const float* xr = x + (size_t)r * cols;
  __global float* yr = y + (size_t)r * cols;
  float m = -INFINITY;
  for (int i = 0; i < cols; ++i) m = max(m, xr[i]);
  float sum = 0.0f;
  for (int i = 0; i < cols; ++i) sum += exp(xr[i] - m);
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

// Float unary ops (kernels/unary.inc), one line each: <ir_name>_f32 computes `expr` of v.
#define UNARY_F32(name, expr)                                                         \
  __kernel void name##_f32(__global const float* x, __global float* y, long n) {      \
    const size_t i = get_global_id(0);                                                \
    if ((long)i >= n) return;                                                         \
    const float v = x[i];                                                             \
    y[i] = (expr);                                                                    \
  }
UNARY_F32(sigmoid, v < 0.0f ? exp(v) / (1.0f + exp(v)) : 1.0f / (1.0f + exp(-v)))
UNARY_F32(hard_swish, v * clamp(v + 3.0f, 0.0f, 6.0f) / 6.0f)
