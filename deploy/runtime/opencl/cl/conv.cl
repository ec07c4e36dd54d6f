// Convolutions, DeepMon-style: directly on the input (no im2col buffer). The tiled
// kernels (groups = 1) give each work-group a block of output pixels × 4 output
// channels; the 4 channels' weights for a chunk of `ct` input channels are staged in
// __local memory once per work-group and reused by every pixel of the block. The host
// repacks the weights at load as [out/4][in_c][kh][kw][4], so a tap's four weights are
// one contiguous vector load from local memory, and neighbouring work-items read
// neighbouring input pixels (coalesced).
// Uniform argument list (host: opencl_kernels.cpp):
//   x, w, fbias, ibias, scale, y, lw (local), in_c, in_h, in_w, out_c, kh, kw, sh, sw,
//   pt, pl, dh, dw, oh, ow, ct_or_groups, in_words, has_bias, has_scale, shift, flo, fhi, llo, lhi
#define CONV_ARGS(T, W, L)                                                                          \
  __global const T *x, __global const W *w, __global const float *fbias, __global const int *ibias,   \
      __global const float *scale, __global T *y, __local L *lwp, int in_c, int in_h, int in_w,       \
      int out_c, int kh, int kw, int sh, int sw, int pt, int pl, int dh, int dw, int oh, int ow,      \
      int ct, int in_words, int has_bias, int has_scale, int shift, float flo, float fhi, long llo,   \
      long lhi

// The loop shared by every tiled kernel: STAGE(i) loads element i of the chunk into
// lw[i]; TAP(v, tap) accumulates input value v (ACC) with local tap index `tap`.
#define CONV_TILED_BODY(T, ACC, PER_TAP, STAGE, TAP, STORE)                                  \
  __local LOCAL_T* lw = lwp;                                                                \
  const int p = get_global_id(0), ob = get_global_id(1), b = get_global_id(2);              \
  const int lid = get_local_id(0), lsz = get_local_size(0);                                 \
  const int npix = oh * ow;                                                                 \
  const int active = p < npix;                                                              \
  const int oy = active ? p / ow : 0, ox = active ? p % ow : 0;                             \
  const int taps = kh * kw;                                                                 \
  ACC a0 = 0, a1 = 0, a2 = 0, a3 = 0;                                                       \
  __global const T* xb = x + (size_t)b * in_c * in_h * in_w;                                \
  for (int c0 = 0; c0 < in_c; c0 += ct) {                                                   \
    const int cn = min(ct, in_c - c0);                                                      \
    const size_t base = ((size_t)ob * in_c + c0) * taps * PER_TAP;                          \
    barrier(CLK_LOCAL_MEM_FENCE);                                                           \
    for (int i = lid; i < cn * taps * PER_TAP; i += lsz) STAGE(i);                         \
    barrier(CLK_LOCAL_MEM_FENCE);                                                           \
    if (active) {                                                                           \
      for (int c = 0; c < cn; ++c) {                                                        \
        __global const T* xc = xb + (size_t)(c0 + c) * in_h * in_w;                         \
        for (int ky = 0; ky < kh; ++ky) {                                                   \
          const int iy = oy * sh - pt + ky * dh;                                            \
          if (iy < 0 || iy >= in_h) continue;                                               \
          for (int kx = 0; kx < kw; ++kx) {                                                 \
            const int ix = ox * sw - pl + kx * dw;                                          \
            if (ix < 0 || ix >= in_w) continue;                                             \
            const ACC v = (ACC)xc[iy * in_w + ix];                                          \
            TAP(v, (c * kh + ky) * kw + kx);                                                \
          }                                                                                 \
        }                                                                                   \
      }                                                                                     \
    }                                                                                       \
  }                                                                                         \
  if (active) {                                                                             \
    __global T* yb = y + (size_t)b * out_c * npix + p;                                      \
    STORE(0, a0) STORE(1, a1) STORE(2, a2) STORE(3, a3)                                     \
  }

// Taps index `lw`: the __local tile (tiled kernels) or the global weights (direct ones).
#define TAP4(v, t)                      \
  {                                     \
    const int t4 = (t) * 4;             \
    a0 += (v) * lw[t4];                 \
    a1 += (v) * lw[t4 + 1];             \
    a2 += (v) * lw[t4 + 2];             \
    a3 += (v) * lw[t4 + 3];             \
  }
#define STORE_F32(j, a)                                              \
  if (ob * 4 + j < out_c) {                                          \
    const int o = ob * 4 + j;                                        \
    float v = (a) * (has_scale ? scale[o] : 1.0f);                   \
    if (has_bias) v += fbias[o];                                     \
    yb[(size_t)o * npix] = f_clamp(v, flo, fhi);                     \
  }
#define STORE_FIXED(j, a)                                                          \
  if (ob * 4 + j < out_c) {                                                        \
    const int o = ob * 4 + j;                                                      \
    const long s = (long)(a) + (has_bias ? (long)ibias[o] : 0L);                   \
    yb[(size_t)o * npix] = (TSTORE)fx_clamp(fx_rounding_shift(s, shift), llo, lhi); \
  }

#define STAGE_F32(i) lw[i] = w[base + (i)]
#define LOCAL_T float
__kernel void conv_tiled_f32(CONV_ARGS(float, float, float)) {
  CONV_TILED_BODY(float, float, 4, STAGE_F32, TAP4, STORE_F32)
}
// fp16 weights: half in global memory (half the bytes), staged to float in __local.
#define STAGE_F16(i) lw[i] = vload_half(base + (i), w)
__kernel void conv_tiled_f16(CONV_ARGS(float, half, float)) {
  CONV_TILED_BODY(float, float, 4, STAGE_F16, TAP4, STORE_F32)
}

#define TAP4_FIXED TAP4
#undef LOCAL_T
#define TSTORE char
#define LOCAL_T char
__kernel void conv_tiled_i8(CONV_ARGS(char, char, char)) {
  CONV_TILED_BODY(char, int, 4, STAGE_F32, TAP4_FIXED, STORE_FIXED)
}
#undef TSTORE
#undef LOCAL_T
#define TSTORE short
#define LOCAL_T short
__kernel void conv_tiled_i16(CONV_ARGS(short, short, short)) {
  CONV_TILED_BODY(short, long, 4, STAGE_F32, TAP4_FIXED, STORE_FIXED)
}
#undef TSTORE
#undef LOCAL_T

// BinaryConnect: the host repacks the ±1 weights as one byte per tap whose bit j is the
// sign bit of output channel 4·ob + j; each term adds or subtracts the input.
#define STAGE_BYTE(i) lw[i] = w[base + (i)]
#define LOCAL_T uchar
#define TAP_BC(v, t)                     \
  {                                      \
    const uchar m = lw[t];               \
    a0 += (m & 1) ? -(v) : (v);          \
    a1 += (m & 2) ? -(v) : (v);          \
    a2 += (m & 4) ? -(v) : (v);          \
    a3 += (m & 8) ? -(v) : (v);          \
  }
__kernel void conv_tiled_bc_f32(CONV_ARGS(float, uchar, uchar)) {
  CONV_TILED_BODY(float, float, 1, STAGE_BYTE, TAP_BC, STORE_F32)
}
#define TSTORE char
__kernel void conv_tiled_bc_i8(CONV_ARGS(char, uchar, uchar)) {
  CONV_TILED_BODY(char, int, 1, STAGE_BYTE, TAP_BC, STORE_FIXED)
}
#undef TSTORE
#define TSTORE short
__kernel void conv_tiled_bc_i16(CONV_ARGS(short, uchar, uchar)) {
  CONV_TILED_BODY(short, long, 1, STAGE_BYTE, TAP_BC, STORE_FIXED)
}
#undef TSTORE
#undef LOCAL_T

// The same repacked weights read straight from global memory, no __local tile and no
// barrier: on CPU devices (PoCL) the caches do the tile's job and barrier-free kernels
// vectorise across work-items. The host times both once per device and shape class.
#define CONV_DIRECT_BODY(T, W, ACC, PER_TAP, TAP, STORE)                                    \
  const int p = get_global_id(0), ob = get_global_id(1), b = get_global_id(2);             \
  const int npix = oh * ow;                                                                \
  if (p >= npix) return;                                                                   \
  const int oy = p / ow, ox = p % ow;                                                      \
  const int taps = kh * kw;                                                                \
  ACC a0 = 0, a1 = 0, a2 = 0, a3 = 0;                                                      \
  __global const T* xb = x + (size_t)b * in_c * in_h * in_w;                               \
  __global const W* lw = w + (size_t)ob * in_c * taps * PER_TAP;                           \
  /* Branch-free padding (clamped address × 0/1 mask): the same trip counts in every   \
     work-item, so CPU compilers vectorise across work-items. */                           \
  for (int c = 0; c < in_c; ++c) {                                                         \
    __global const T* xc = xb + (size_t)c * in_h * in_w;                                   \
    for (int ky = 0; ky < kh; ++ky) {                                                      \
      const int iy = oy * sh - pt + ky * dh;                                               \
      const int iyc = clamp(iy, 0, in_h - 1);                                              \
      for (int kx = 0; kx < kw; ++kx) {                                                    \
        const int ix = ox * sw - pl + kx * dw;                                             \
        const int ixc = clamp(ix, 0, in_w - 1);                                            \
        const ACC inside = (ACC)(iy == iyc && ix == ixc);                                  \
        const ACC v = (ACC)xc[iyc * in_w + ixc] * inside;                                  \
        TAP(v, (c * kh + ky) * kw + kx);                                                   \
      }                                                                                    \
    }                                                                                      \
  }                                                                                        \
  __global T* yb = y + (size_t)b * out_c * npix + p;                                       \
  STORE(0, a0) STORE(1, a1) STORE(2, a2) STORE(3, a3)

#define TAP4_HALF(v, t)                          \
  {                                              \
    const float4 wv = vload_half4((t), lw);      \
    a0 += (v) * wv.x;                            \
    a1 += (v) * wv.y;                            \
    a2 += (v) * wv.z;                            \
    a3 += (v) * wv.w;                            \
  }
__kernel void conv_direct_f32(CONV_ARGS(float, float, float)) { CONV_DIRECT_BODY(float, float, float, 4, TAP4, STORE_F32) }
__kernel void conv_direct_f16(CONV_ARGS(float, half, float)) { CONV_DIRECT_BODY(float, half, float, 4, TAP4_HALF, STORE_F32) }
#define TSTORE char
__kernel void conv_direct_i8(CONV_ARGS(char, char, char)) { CONV_DIRECT_BODY(char, char, int, 4, TAP4, STORE_FIXED) }
__kernel void conv_direct_bc_i8(CONV_ARGS(char, uchar, uchar)) { CONV_DIRECT_BODY(char, uchar, int, 1, TAP_BC, STORE_FIXED) }
#undef TSTORE
#define TSTORE short
__kernel void conv_direct_i16(CONV_ARGS(short, short, short)) { CONV_DIRECT_BODY(short, short, long, 4, TAP4, STORE_FIXED) }
__kernel void conv_direct_bc_i16(CONV_ARGS(short, uchar, uchar)) { CONV_DIRECT_BODY(short, uchar, long, 1, TAP_BC, STORE_FIXED) }
#undef TSTORE
__kernel void conv_direct_bc_f32(CONV_ARGS(float, uchar, uchar)) { CONV_DIRECT_BODY(float, uchar, float, 1, TAP_BC, STORE_F32) }

// Grouped and depthwise convolution (groups > 1): one work-item per output element,
// weights in the IR layout [out][in/groups][kh][kw] (BinaryConnect: packed rows of
// in_words words). `ct` carries the number of groups.
#define CONV_GROUPED_BODY(T, ACC, WEIGHT, FINISH)                                   \
  const int p = get_global_id(0), o = get_global_id(1), b = get_global_id(2);      \
  const int npix = oh * ow;                                                        \
  if (p >= npix || o >= out_c) return;                                             \
  const int groups = ct, cpg = in_c / groups, opg = out_c / groups, g = o / opg;   \
  const int oy = p / ow, ox = p % ow;                                              \
  ACC acc = 0;                                                                     \
  __global const T* xb = x + ((size_t)b * in_c + (size_t)g * cpg) * in_h * in_w;   \
  for (int c = 0; c < cpg; ++c)                                                    \
    for (int ky = 0; ky < kh; ++ky) {                                              \
      const int iy = oy * sh - pt + ky * dh;                                       \
      if (iy < 0 || iy >= in_h) continue;                                          \
      for (int kx = 0; kx < kw; ++kx) {                                            \
        const int ix = ox * sw - pl + kx * dw;                                     \
        if (ix < 0 || ix >= in_w) continue;                                        \
        const ACC v = (ACC)xb[((size_t)c * in_h + iy) * in_w + ix];                 \
        const int k = (c * kh + ky) * kw + kx;                                     \
        acc += WEIGHT;                                                             \
      }                                                                            \
    }                                                                              \
  __global T* yo = y + ((size_t)b * out_c + o) * npix + p;                         \
  FINISH

#define FINISH_F32                                        \
  float r = acc * (has_scale ? scale[o] : 1.0f);          \
  if (has_bias) r += fbias[o];                            \
  *yo = f_clamp(r, flo, fhi);
#define FINISH_FIXED(T)                                              \
  const long s = (long)acc + (has_bias ? (long)ibias[o] : 0L);       \
  *yo = (T)fx_clamp(fx_rounding_shift(s, shift), llo, lhi);
#define W_PLAIN v * (ACC_T)w[(size_t)o * cpg * kh * kw + k]
#define W_BC (bit_of(w + (size_t)o * in_words, k) ? -v : v)

#define ACC_T float
__kernel void conv_grouped_f32(CONV_ARGS(float, float, float)) { CONV_GROUPED_BODY(float, float, W_PLAIN, FINISH_F32) }
__kernel void conv_grouped_f16(CONV_ARGS(float, half, float)) {
  CONV_GROUPED_BODY(float, float, v * vload_half((size_t)o * cpg * kh * kw + k, w), FINISH_F32)
}
__kernel void conv_grouped_bc_f32(CONV_ARGS(float, ulong, uchar)) { CONV_GROUPED_BODY(float, float, W_BC, FINISH_F32) }
#undef ACC_T
#define ACC_T int
__kernel void conv_grouped_i8(CONV_ARGS(char, char, char)) { CONV_GROUPED_BODY(char, int, W_PLAIN, FINISH_FIXED(char)) }
__kernel void conv_grouped_bc_i8(CONV_ARGS(char, ulong, uchar)) { CONV_GROUPED_BODY(char, int, W_BC, FINISH_FIXED(char)) }
#undef ACC_T
#define ACC_T long
__kernel void conv_grouped_i16(CONV_ARGS(short, short, short)) { CONV_GROUPED_BODY(short, long, W_PLAIN, FINISH_FIXED(short)) }
__kernel void conv_grouped_bc_i16(CONV_ARGS(short, ulong, uchar)) { CONV_GROUPED_BODY(short, long, W_BC, FINISH_FIXED(short)) }
#undef ACC_T

// BNN convolution (groups = 1) on channel-packed maps x [H][W][cw], w [out][kh][kw][cw]:
// out-of-image taps are skipped and the dot counts in_c values per in-image tap.
inline int bnn_conv_dot(__global const ulong* xb, __global const ulong* w, int o, int oy, int ox, int in_c,
                        int in_h, int in_w, int kh, int kw, int sh, int sw, int pt, int pl, int dh, int dw, int cw) {
  int ones = 0, n = 0;
  for (int ky = 0; ky < kh; ++ky) {
    const int iy = oy * sh - pt + ky * dh;
    if (iy < 0 || iy >= in_h) continue;
    for (int kx = 0; kx < kw; ++kx) {
      const int ix = ox * sw - pl + kx * dw;
      if (ix < 0 || ix >= in_w) continue;
      __global const ulong* xp = xb + ((size_t)iy * in_w + ix) * cw;
      __global const ulong* wp = w + (((size_t)o * kh + ky) * kw + kx) * cw;
      for (int k = 0; k < cw; ++k) ones += (int)popcount(xp[k] ^ wp[k]);
      n += in_c;
    }
  }
  return n - 2 * ones;
}
#define BNN_CONV_ARGS                                                                              \
  __global const ulong *x, __global const ulong *w, __global const int *th, __global const float *scale, \
      __global const float *bias, int in_c, int in_h, int in_w, int out_c, int kh, int kw, int sh, int sw, \
      int pt, int pl, int dh, int dw, int oh, int ow, int has_scale, int has_bias

__kernel void conv_bnn_bits(BNN_CONV_ARGS, __global ulong* y) {
  const int p = get_global_id(0), owd = get_global_id(1), b = get_global_id(2);
  const int npix = oh * ow, cw = (in_c + 63) / 64, out_words = (out_c + 63) / 64;
  if (p >= npix || owd >= out_words) return;
  const int oy = p / ow, ox = p % ow;
  __global const ulong* xb = x + (size_t)b * in_h * in_w * cw;
  ulong bits = 0;
  for (int j = 0; j < 64; ++j) {
    const int o = owd * 64 + j;
    if (o >= out_c) break;
    const int dot = bnn_conv_dot(xb, w, o, oy, ox, in_c, in_h, in_w, kh, kw, sh, sw, pt, pl, dh, dw, cw);
    if (bnn_negative(th, out_c, o, dot)) bits |= 1UL << j;
  }
  y[((size_t)b * npix + p) * out_words + owd] = bits;
}
__kernel void conv_bnn_i32(BNN_CONV_ARGS, __global int* y) {
  const int p = get_global_id(0), o = get_global_id(1), b = get_global_id(2);
  const int npix = oh * ow, cw = (in_c + 63) / 64;
  if (p >= npix || o >= out_c) return;
  __global const ulong* xb = x + (size_t)b * in_h * in_w * cw;
  y[((size_t)b * out_c + o) * npix + p] =
      bnn_conv_dot(xb, w, o, p / ow, p % ow, in_c, in_h, in_w, kh, kw, sh, sw, pt, pl, dh, dw, cw);
}
__kernel void conv_bnn_f32(BNN_CONV_ARGS, __global float* y) {
  const int p = get_global_id(0), o = get_global_id(1), b = get_global_id(2);
  const int npix = oh * ow, cw = (in_c + 63) / 64;
  if (p >= npix || o >= out_c) return;
  __global const ulong* xb = x + (size_t)b * in_h * in_w * cw;
  const int dot = bnn_conv_dot(xb, w, o, p / ow, p % ow, in_c, in_h, in_w, kh, kw, sh, sw, pt, pl, dh, dw, cw);
  y[((size_t)b * out_c + o) * npix + p] = (float)dot * (has_scale ? scale[o] : 1.0f) + (has_bias ? bias[o] : 0.0f);
}
