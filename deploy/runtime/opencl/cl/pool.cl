// Pooling and mean reductions: one work-item per output element. Windows are clipped
// to the image; max ignores padding; avg divides by the window clipped to the padded
// extent (count_include_pad) or by the in-image count. Fixed-point averages use the
// exact rational rounding fx_mean (common.cl).
#define POOL_ARGS(T)                                                                              \
  __global const T *x, __global T *y, int channels, int in_h, int in_w, int out_h, int out_w, int kh, \
      int kw, int sh, int sw, int pt, int pl, int pb, int pr, int include_pad, int k_shift, int wl_y

#define POOL_WINDOW                                                                   \
  const int p = get_global_id(0), c = get_global_id(1), b = get_global_id(2);        \
  if (p >= out_h * out_w || c >= channels) return;                                  \
  const int oy = p / out_w, ox = p % out_w;                                         \
  const int ys = oy * sh - pt, xs = ox * sw - pl;                                   \
  const int ye = min(ys + kh, in_h + pb), xe = min(xs + kw, in_w + pr);             \
  const int padded = (ye - ys) * (xe - xs);                                         \
  const int y0 = max(ys, 0), x0 = max(xs, 0), y1 = min(ye, in_h), x1 = min(xe, in_w); \
  const size_t plane = (size_t)b * channels + c;                                    \


#define MAX_POOL(NAME, T, LOWEST)                                              \
  __kernel void NAME(POOL_ARGS(T)) {                                           \
    POOL_WINDOW                                                                \
    __global const T* xc = x + plane * in_h * in_w;                            \
    T m = LOWEST;                                                              \
    for (int iy = y0; iy < y1; ++iy)                                           \
      for (int ix = x0; ix < x1; ++ix) m = max(m, xc[iy * in_w + ix]);         \
    y[plane * out_h * out_w + p] = m;                                          \
  }
MAX_POOL(max_pool_i8, char, (char)CHAR_MIN)
MAX_POOL(max_pool_i16, short, (short)SHRT_MIN)
// Floats: std::max semantics (a NaN input does not poison the window's later values).
__kernel void max_pool_f32(POOL_ARGS(float)) {
  POOL_WINDOW
  __global const float* xc = x + plane * in_h * in_w;
  float m = -INFINITY;
  for (int iy = y0; iy < y1; ++iy)
    for (int ix = x0; ix < x1; ++ix) {
      const float v = xc[iy * in_w + ix];
      m = m < v ? v : m;
    }
  y[plane * out_h * out_w + p] = m;
}

__kernel void avg_pool_f32(POOL_ARGS(float)) {
  POOL_WINDOW
  __global const float* xc = x + plane * in_h * in_w;
  float sum = 0.0f;
  for (int iy = y0; iy < y1; ++iy)
    for (int ix = x0; ix < x1; ++ix) sum += xc[iy * in_w + ix];
  const int n = include_pad ? padded : (y1 - y0) * (x1 - x0);
  y[plane * out_h * out_w + p] = n > 0 ? sum / (float)n : 0.0f;
}
#define AVG_POOL_FIXED(NAME, T)                                                \
  __kernel void NAME(POOL_ARGS(T)) {                                           \
    POOL_WINDOW                                                                \
    __global const T* xc = x + plane * in_h * in_w;                            \
    long sum = 0;                                                              \
    for (int iy = y0; iy < y1; ++iy)                                           \
      for (int ix = x0; ix < x1; ++ix) sum += xc[iy * in_w + ix];              \
    const int n = include_pad ? padded : (y1 - y0) * (x1 - x0);                \
    y[plane * out_h * out_w + p] = (T)fx_mean(sum, n, k_shift, wl_y);          \
  }
AVG_POOL_FIXED(avg_pool_i8, char)
AVG_POOL_FIXED(avg_pool_i16, short)

// BNN max pooling on channel-packed maps: the max of ±1 values is +1 (bit 0) as soon as
// one input is +1, i.e. the AND of the sign bits; padding bits stay 0.
__kernel void max_pool_bits(__global const ulong* x, __global ulong* y, int channels, int in_h, int in_w,
                            int out_h, int out_w, int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr,
                            int include_pad, int k_shift, int wl_y) {
  const int p = get_global_id(0), k = get_global_id(1), b = get_global_id(2);
  const int cw = (channels + 63) / 64;
  if (p >= out_h * out_w || k >= cw) return;
  const int oy = p / out_w, ox = p % out_w;
  const int ys = oy * sh - pt, xs = ox * sw - pl;
  const int ye = min(ys + kh, in_h + pb), xe = min(xs + kw, in_w + pr);
  const int y0 = max(ys, 0), x0 = max(xs, 0), y1 = min(ye, in_h), x1 = min(xe, in_w);
  ulong m = ~0UL;
  for (int iy = y0; iy < y1; ++iy)
    for (int ix = x0; ix < x1; ++ix) m &= x[(((size_t)b * in_h + iy) * in_w + ix) * cw + k];
  const int valid = min(64, channels - k * 64);
  y[((size_t)b * out_h * out_w + p) * cw + k] = valid == 64 ? m : (m & ((1UL << valid) - 1));
}

// Mean over the inner axis (GlobalAvgPool: [C][S] → [C]) or the outer one
// (MeanOverTime: [T][F] → [F]); over_inner selects.
__kernel void reduce_mean_f32(__global const float* x, __global float* y, int outer, int inner, int over_inner,
                              int k_shift, int wl_y) {
  const int j = get_global_id(0), b = get_global_id(1);
  const int n_out = over_inner ? outer : inner, n = over_inner ? inner : outer;
  if (j >= n_out) return;
  __global const float* xb = x + (size_t)b * outer * inner;
  float sum = 0.0f;
  for (int i = 0; i < n; ++i) sum += over_inner ? xb[(size_t)j * inner + i] : xb[(size_t)i * inner + j];
  y[(size_t)b * n_out + j] = n > 0 ? sum / (float)n : 0.0f;
}
#define REDUCE_FIXED(NAME, T)                                                                    \
  __kernel void NAME(__global const T* x, __global T* y, int outer, int inner, int over_inner,    \
                     int k_shift, int wl_y) {                                                    \
    const int j = get_global_id(0), b = get_global_id(1);                                        \
    const int n_out = over_inner ? outer : inner, n = over_inner ? inner : outer;                \
    if (j >= n_out) return;                                                                      \
    __global const T* xb = x + (size_t)b * outer * inner;                                        \
    long sum = 0;                                                                                \
    for (int i = 0; i < n; ++i) sum += over_inner ? xb[(size_t)j * inner + i] : xb[(size_t)i * inner + j]; \
    y[(size_t)b * n_out + j] = (T)fx_mean(sum, n, k_shift, wl_y);                                \
  }
REDUCE_FIXED(reduce_mean_i8, char)
REDUCE_FIXED(reduce_mean_i16, short)
