// Dense layers: one work-item per output (b, o); contiguous vector loads along the
// row. Uniform argument list (host: opencl_kernels.cpp):
//   x, w, fbias, ibias, scale, y, in, out, in_words, has_bias, has_scale, shift, flo, fhi, llo, lhi
#define DENSE_ARGS(T, W)                                                                          \
  __global const T *x, __global const W *w, __global const float *fbias, __global const int *ibias, \
      __global const float *scale, __global T *y, int in, int out, int in_words, int has_bias,     \
      int has_scale, int shift, float flo, float fhi, long llo, long lhi

__kernel void dense_f32(DENSE_ARGS(float, float)) {
  const int o = get_global_id(0), b = get_global_id(1);
  if (o >= out) return;
  __global const float* xr = x + (size_t)b * in;
  __global const float* wr = w + (size_t)o * in;
  float4 acc4 = (float4)(0.0f);
  int i = 0;
  for (; i + 4 <= in; i += 4) acc4 += vload4(0, xr + i) * vload4(0, wr + i);
  float acc = (acc4.x + acc4.y) + (acc4.z + acc4.w);
  for (; i < in; ++i) acc += xr[i] * wr[i];
  if (has_bias) acc += fbias[o];
  y[(size_t)b * out + o] = f_clamp(acc, flo, fhi);
}

// fp16 weights (DeepMon): half storage read with vload_half (core OpenCL); with
// cl_khr_fp16 the products are half, always accumulated in float.
__kernel void dense_f16(DENSE_ARGS(float, half)) {
  const int o = get_global_id(0), b = get_global_id(1);
  if (o >= out) return;
  __global const float* xr = x + (size_t)b * in;
  __global const half* wr = w + (size_t)o * in;
  float4 acc4 = (float4)(0.0f);
  int i = 0;
#ifdef cl_khr_fp16
  for (; i + 4 <= in; i += 4) acc4 += convert_float4(convert_half4(vload4(0, xr + i)) * vload4(0, wr + i));
#else
  for (; i + 4 <= in; i += 4) acc4 += vload4(0, xr + i) * vload_half4(0, wr + i);
#endif
  float acc = (acc4.x + acc4.y) + (acc4.z + acc4.w);
  for (; i < in; ++i) acc += xr[i] * vload_half(i, wr);
  if (has_bias) acc += fbias[o];
  y[(size_t)b * out + o] = f_clamp(acc, flo, fhi);
}

// Fixed point: exact integer sum (ACC: int for int8 — the host checks in < 2^17 —,
// long for int16), int32 bias at fl_x + fl_w, one rounding shift, saturation and the
// fused activation as an integer clamp [llo, lhi].
#define DENSE_FIXED(NAME, T, ACC)                                              \
  __kernel void NAME(DENSE_ARGS(T, T)) {                                       \
    const int o = get_global_id(0), b = get_global_id(1);                      \
    if (o >= out) return;                                                      \
    __global const T* xr = x + (size_t)b * in;                                 \
    __global const T* wr = w + (size_t)o * in;                                 \
    ACC acc = 0;                                                               \
    for (int i = 0; i < in; ++i) acc += (ACC)xr[i] * (ACC)wr[i];               \
    const long s = (long)acc + (has_bias ? (long)ibias[o] : 0L);               \
    y[(size_t)b * out + o] = (T)fx_clamp(fx_rounding_shift(s, shift), llo, lhi); \
  }
DENSE_FIXED(dense_i8, char, int)
DENSE_FIXED(dense_i16, short, long)

// BinaryConnect: w packed ±1 rows [out][words(in)], each term +x or −x.
__kernel void dense_bc_f32(DENSE_ARGS(float, ulong)) {
  const int o = get_global_id(0), b = get_global_id(1);
  if (o >= out) return;
  __global const float* xr = x + (size_t)b * in;
  __global const ulong* wr = w + (size_t)o * in_words;
  float acc = 0.0f;
  for (int i = 0; i < in; ++i) acc += bit_of(wr, i) ? -xr[i] : xr[i];
  float v = acc * (has_scale ? scale[o] : 1.0f);
  if (has_bias) v += fbias[o];
  y[(size_t)b * out + o] = f_clamp(v, flo, fhi);
}
#define DENSE_BC_FIXED(NAME, T, ACC)                                           \
  __kernel void NAME(DENSE_ARGS(T, ulong)) {                                   \
    const int o = get_global_id(0), b = get_global_id(1);                      \
    if (o >= out) return;                                                      \
    __global const T* xr = x + (size_t)b * in;                                 \
    __global const ulong* wr = w + (size_t)o * in_words;                       \
    ACC acc = 0;                                                               \
    for (int i = 0; i < in; ++i) acc += bit_of(wr, i) ? -(ACC)xr[i] : (ACC)xr[i]; \
    const long s = (long)acc + (has_bias ? (long)ibias[o] : 0L);               \
    y[(size_t)b * out + o] = (T)fx_clamp(fx_rounding_shift(s, shift), llo, lhi); \
  }
DENSE_BC_FIXED(dense_bc_i8, char, int)
DENSE_BC_FIXED(dense_bc_i16, short, long)

// BNN: XOR + popcount over in_words words; dot = in − 2·popcount (padding bits are 0
// in both operands). Output kinds: packed signs through the folded thresholds (one
// work-item per output word, so no atomics), the int32 dot, or dot·scale + bias.
__kernel void dense_bnn_bits(__global const ulong* x, __global const ulong* w, __global const int* th,
                             __global ulong* y, int in, int out, int in_words) {
  const int ow = get_global_id(0), b = get_global_id(1);
  const int out_words = (out + 63) / 64;
  if (ow >= out_words) return;
  __global const ulong* xr = x + (size_t)b * in_words;
  ulong bits = 0;
  for (int j = 0; j < 64; ++j) {
    const int o = ow * 64 + j;
    if (o >= out) break;
    __global const ulong* wr = w + (size_t)o * in_words;
    int ones = 0;
    for (int k = 0; k < in_words; ++k) ones += (int)popcount(xr[k] ^ wr[k]);
    if (bnn_negative(th, out, o, in - 2 * ones)) bits |= 1UL << j;
  }
  y[(size_t)b * out_words + ow] = bits;
}
__kernel void dense_bnn_i32(__global const ulong* x, __global const ulong* w, __global int* y, int in, int out,
                            int in_words) {
  const int o = get_global_id(0), b = get_global_id(1);
  if (o >= out) return;
  __global const ulong* xr = x + (size_t)b * in_words;
  __global const ulong* wr = w + (size_t)o * in_words;
  int ones = 0;
  for (int k = 0; k < in_words; ++k) ones += (int)popcount(xr[k] ^ wr[k]);
  y[(size_t)b * out + o] = in - 2 * ones;
}
__kernel void dense_bnn_f32(__global const ulong* x, __global const ulong* w, __global const float* scale,
                            __global const float* bias, __global float* y, int in, int out, int in_words,
                            int has_scale, int has_bias) {
  const int o = get_global_id(0), b = get_global_id(1);
  if (o >= out) return;
  __global const ulong* xr = x + (size_t)b * in_words;
  __global const ulong* wr = w + (size_t)o * in_words;
  int ones = 0;
  for (int k = 0; k < in_words; ++k) ones += (int)popcount(xr[k] ^ wr[k]);
  y[(size_t)b * out + o] = (float)(in - 2 * ones) * (has_scale ? scale[o] : 1.0f) + (has_bias ? bias[o] : 0.0f);
}
