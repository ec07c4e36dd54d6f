// GRU and LSTM layers (gates as LibTorch: GRU r, z, n; LSTM i, f, g, o). One
// work-group per sequence runs the whole time loop: its work-items share the hidden
// units, h_t is written to y[t] and a work-group barrier makes it visible before step
// t + 1 reads it. The LSTM cell lives in a device buffer (cs) the host allocates.
#define RNN_ARGS(T, B, C)                                                                         \
  __global const T *x, __global const T *w_ih, __global const T *w_hh, __global const B *b_ih,       \
      __global const B *b_hh, __global const T *h0, __global const T *c0, __global T *y, __global C *cs, \
      int steps, int input, int hidden, int has_bih, int has_bhh, int has_h0, int has_c0, int fl_x,     \
      int fl_w_ih, int fl_w_hh, int fl_h, int wl_h, int fl_c, int wl_c, int fl_gate, int wl_gate, int fl_pre,   \
      int wl_pre

inline float sigmoid_f(float v) { return 1.0f / (1.0f + exp(-v)); }

__kernel void gru_f32(RNN_ARGS(float, float, float)) {
  const int b = get_group_id(0), lid = get_local_id(0), lsz = get_local_size(0);
  const int H = hidden, F = input;
  for (int t = 0; t < steps; ++t) {
    __global const float* xt = x + ((size_t)b * steps + t) * F;
    __global const float* h = t > 0 ? y + ((size_t)b * steps + t - 1) * H : (has_h0 ? h0 + (size_t)b * H : 0);
    __global float* hn = y + ((size_t)b * steps + t) * H;
    for (int u = lid; u < H; u += lsz) {
      float gi[3], gh[3];
      for (int g = 0; g < 3; ++g) {
        const int row = g * H + u;
        float a = 0.0f;
        for (int i = 0; i < F; ++i) a += w_ih[(size_t)row * F + i] * xt[i];
        gi[g] = a + (has_bih ? b_ih[row] : 0.0f);
        float c = 0.0f;
        if (h)
          for (int i = 0; i < H; ++i) c += w_hh[(size_t)row * H + i] * h[i];
        gh[g] = c + (has_bhh ? b_hh[row] : 0.0f);
      }
      const float r = sigmoid_f(gi[0] + gh[0]), z = sigmoid_f(gi[1] + gh[1]);
      const float n = tanh(gi[2] + r * gh[2]);
      hn[u] = (1.0f - z) * n + z * (h ? h[u] : 0.0f);
    }
    barrier(CLK_GLOBAL_MEM_FENCE);
  }
}

__kernel void lstm_f32(RNN_ARGS(float, float, float)) {
  const int b = get_group_id(0), lid = get_local_id(0), lsz = get_local_size(0);
  const int H = hidden, F = input;
  __global float* c = cs + (size_t)b * H;
  for (int u = lid; u < H; u += lsz) c[u] = has_c0 ? c0[(size_t)b * H + u] : 0.0f;
  for (int t = 0; t < steps; ++t) {
    __global const float* xt = x + ((size_t)b * steps + t) * F;
    __global const float* h = t > 0 ? y + ((size_t)b * steps + t - 1) * H : (has_h0 ? h0 + (size_t)b * H : 0);
    __global float* hn = y + ((size_t)b * steps + t) * H;
    for (int u = lid; u < H; u += lsz) {
      float pre[4];
      for (int g = 0; g < 4; ++g) {
        const int row = g * H + u;
        float a = 0.0f;
        for (int i = 0; i < F; ++i) a += w_ih[(size_t)row * F + i] * xt[i];
        float r = 0.0f;
        if (h)
          for (int i = 0; i < H; ++i) r += w_hh[(size_t)row * H + i] * h[i];
        pre[g] = a + (has_bih ? b_ih[row] : 0.0f) + r + (has_bhh ? b_hh[row] : 0.0f);
      }
      const float ig = sigmoid_f(pre[0]), fg = sigmoid_f(pre[1]), gg = tanh(pre[2]), og = sigmoid_f(pre[3]);
      c[u] = fg * c[u] + ig * gg;
      hn[u] = og * tanh(c[u]);
    }
    barrier(CLK_GLOBAL_MEM_FENCE);
  }
}

#ifdef cl_khr_fp64
// Fixed-point recurrent layers: exact integer sums; gate non-linearities as
// fixed::sigmoid / fixed::tanh (the function in double, then ⌊·2^fl + ½⌋). Needs
// cl_khr_fp64; without it the host runs these ops on the CPU (and logs why).
inline long fx_quantize_d(double v, int wl, int fl) {
  if (isnan(v)) return 0;
  const double s = floor(ldexp(v, fl) + 0.5);
  if (s <= (double)fx_qmin(wl)) return fx_qmin(wl);
  if (s >= (double)fx_qmax(wl)) return fx_qmax(wl);
  return (long)s;
}
inline long fx_sigmoid(long q, int fl_in, int wl, int fl_out) {
  const double v = ldexp((double)q, -fl_in);
  return fx_quantize_d(1.0 / (1.0 + exp(-v)), wl, fl_out);
}
inline long fx_tanh(long q, int fl_in, int wl, int fl_out) { return fx_quantize_d(tanh(ldexp((double)q, -fl_in)), wl, fl_out); }

// Semantics (kernels.h, RnnFixedFormats): gi, gh requantized to the pre-activation
// format ⟨wl_pre, fl_pre⟩; r, z (i, f, o) = sigmoid(saturate(gi + gh)); GRU n = tanh of
// requantize(gi_n·2^fl_gate + r·gh_n, fl_pre + fl_gate → pre); the state sums aligned
// to F = fl_gate + max(fl_gate, fl_h / fl_c) before one requantize.
#define GRU_FIXED(NAME, T)                                                                           \
  __kernel void NAME(RNN_ARGS(T, int, int)) {                                                        \
    const int b = get_group_id(0), lid = get_local_id(0), lsz = get_local_size(0);                   \
    const int H = hidden, F = input;                                                                 \
    const int fl_i = fl_x + fl_w_ih, fl_hh = fl_h + fl_w_hh, fg = fl_gate, fp = fl_pre;              \
    const long one = (long)1 << fg;                                                                  \
    const int Fh = fg + max(fg, fl_h);                                                               \
    for (int t = 0; t < steps; ++t) {                                                                \
      __global const T* xt = x + ((size_t)b * steps + t) * F;                                        \
      __global const T* h = t > 0 ? y + ((size_t)b * steps + t - 1) * H : (has_h0 ? h0 + (size_t)b * H : 0); \
      __global T* hn = y + ((size_t)b * steps + t) * H;                                              \
      for (int u = lid; u < H; u += lsz) {                                                           \
        long gi[3], gh[3];                                                                           \
        for (int g = 0; g < 3; ++g) {                                                                \
          const int row = g * H + u;                                                                 \
          long a = 0;                                                                                \
          for (int i = 0; i < F; ++i) a += (long)w_ih[(size_t)row * F + i] * (long)xt[i];           \
          gi[g] = fx_requantize(a + (has_bih ? (long)b_ih[row] : 0L), fl_i, wl_pre, fp);             \
          long c = 0;                                                                                \
          if (h)                                                                                     \
            for (int i = 0; i < H; ++i) c += (long)w_hh[(size_t)row * H + i] * (long)h[i];          \
          gh[g] = fx_requantize(c + (has_bhh ? (long)b_hh[row] : 0L), fl_hh, wl_pre, fp);            \
        }                                                                                            \
        const long r = fx_sigmoid(fx_saturate(gi[0] + gh[0], wl_pre), fp, wl_gate, fg);              \
        const long z = fx_sigmoid(fx_saturate(gi[1] + gh[1], wl_pre), fp, wl_gate, fg);              \
        const long n_pre = fx_requantize(gi[2] * one + r * gh[2], fp + fg, wl_pre, fp);              \
        const long n = fx_tanh(n_pre, fp, wl_gate, fg);                                              \
        const long hp = h ? (long)h[u] : 0L;                                                         \
        const long acc = fx_rounding_shift((one - z) * n, -(Fh - 2 * fg)) +                          \
                         fx_rounding_shift(z * hp, -(Fh - fg - fl_h));                               \
        hn[u] = (T)fx_requantize(acc, Fh, wl_h, fl_h);                                               \
      }                                                                                              \
      barrier(CLK_GLOBAL_MEM_FENCE);                                                                 \
    }                                                                                                \
  }
GRU_FIXED(gru_i8, char)
GRU_FIXED(gru_i16, short)

#define LSTM_FIXED(NAME, T)                                                                          \
  __kernel void NAME(RNN_ARGS(T, int, int)) {                                                        \
    const int b = get_group_id(0), lid = get_local_id(0), lsz = get_local_size(0);                   \
    const int H = hidden, F = input;                                                                 \
    const int fl_i = fl_x + fl_w_ih, fl_hh = fl_h + fl_w_hh, fg = fl_gate, fp = fl_pre;              \
    const int Fc = fg + max(fg, fl_c);                                                               \
    __global int* c = cs + (size_t)b * H;                                                            \
    for (int u = lid; u < H; u += lsz) c[u] = has_c0 ? (int)c0[(size_t)b * H + u] : 0;              \
    for (int t = 0; t < steps; ++t) {                                                                \
      __global const T* xt = x + ((size_t)b * steps + t) * F;                                        \
      __global const T* h = t > 0 ? y + ((size_t)b * steps + t - 1) * H : (has_h0 ? h0 + (size_t)b * H : 0); \
      __global T* hn = y + ((size_t)b * steps + t) * H;                                              \
      for (int u = lid; u < H; u += lsz) {                                                           \
        long gate[4];                                                                                \
        for (int g = 0; g < 4; ++g) {                                                                \
          const int row = g * H + u;                                                                 \
          long a = 0;                                                                                \
          for (int i = 0; i < F; ++i) a += (long)w_ih[(size_t)row * F + i] * (long)xt[i];           \
          const long gi = fx_requantize(a + (has_bih ? (long)b_ih[row] : 0L), fl_i, wl_pre, fp);     \
          long r = 0;                                                                                \
          if (h)                                                                                     \
            for (int i = 0; i < H; ++i) r += (long)w_hh[(size_t)row * H + i] * (long)h[i];          \
          const long gh = fx_requantize(r + (has_bhh ? (long)b_hh[row] : 0L), fl_hh, wl_pre, fp);    \
          const long s = fx_saturate(gi + gh, wl_pre);                                               \
          gate[g] = g == 2 ? fx_tanh(s, fp, wl_gate, fg) : fx_sigmoid(s, fp, wl_gate, fg);           \
        }                                                                                            \
        const long acc = fx_rounding_shift(gate[1] * c[u], -(Fc - fg - fl_c)) +                      \
                         fx_rounding_shift(gate[0] * gate[2], -(Fc - 2 * fg));                       \
        c[u] = (int)fx_requantize(acc, Fc, wl_c, fl_c);                                              \
        const long tc = fx_tanh(c[u], fl_c, wl_gate, fg);                                            \
        hn[u] = (T)fx_requantize(gate[3] * tc, 2 * fg, wl_h, fl_h);                                  \
      }                                                                                              \
      barrier(CLK_GLOBAL_MEM_FENCE);                                                                 \
    }                                                                                                \
  }
LSTM_FIXED(lstm_i8, char)
LSTM_FIXED(lstm_i16, short)
#endif

#ifdef cl_khr_fp64
// Fixed-point softmax (kernels.h SoftmaxArgsT): e_k = exp(dequantize(q_k − max, fl_x)) in
// double, summed in index order, y_k = quantize(e_k / Σe, wl_y, fl_y) (LogSoftmax, log_out:
// quantize((q_k − max)·2^−fl_x − ln Σe, wl_y, fl_y)). One work-item per row.
#define SOFTMAX_FIXED(NAME, T)                                                                    \
  __kernel void NAME(__global const T* x, __global T* y, int rows, int cols, int fl_x, int wl_y, int fl_y, \
                     int log_out) {                                                               \
    const int r = get_global_id(0);                                                               \
    if (r >= rows) return;                                                                        \
    __global const T* xr = x + (size_t)r * cols;                                                  \
    __global T* yr = y + (size_t)r * cols;                                                        \
    long m = xr[0];                                                                               \
    for (int i = 1; i < cols; ++i) m = max(m, (long)xr[i]);                                       \
    double sum = 0;                                                                               \
    for (int i = 0; i < cols; ++i) sum += exp(ldexp((double)((long)xr[i] - m), -fl_x));           \
    const double ls = log(sum);                                                                   \
    for (int i = 0; i < cols && log_out; ++i)                                                     \
      yr[i] = (T)fx_quantize_d(ldexp((double)((long)xr[i] - m), -fl_x) - ls, wl_y, fl_y);         \
    for (int i = 0; i < cols && !log_out; ++i)                                                    \
      yr[i] = (T)fx_quantize_d(exp(ldexp((double)((long)xr[i] - m), -fl_x)) / sum, wl_y, fl_y);    \
  }
SOFTMAX_FIXED(softmax_i8, char)
SOFTMAX_FIXED(softmax_i16, short)
#endif
