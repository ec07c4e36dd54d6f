// Reference GRU and LSTM: the formulas of kernels.h written out one unit at a time.
// h_t is written to y[t] and read back as the next step's state, so only the LSTM
// cell needs scratch (hidden × 4 bytes).
#include "kernels/detail.h"
#include "kernels/ref/ref.h"

namespace slimrt::kernels::ref {
using namespace detail;

namespace {
inline float sigmoidf(float v) { return 1.0f / (1.0f + std::exp(-v)); }

template <class T, class Acc>
inline Acc dot(const T* w, const T* x, int n) {
  Acc acc = 0;
  for (int i = 0; i < n; ++i) acc += Acc(w[i]) * Acc(x[i]);
  return acc;
}

// The time loop every cell shares: begin(b) once per sequence, then step(x_t, h_{t−1}
// or nullptr, h_t) for t = 0 … steps − 1, h_t written to y[b, t].
template <class T, class Begin, class Step>
void rnn_steps(const RnnArgs<T>& a, Begin&& begin, Step&& step) {
  const int H = a.hidden, F = a.input;
  for (int b = 0; b < a.batch; ++b) {
    begin(b);
    for (int t = 0; t < a.steps; ++t) {
      const T* x = a.x + (size_t(b) * a.steps + t) * F;
      const T* h = t > 0 ? a.y + (size_t(b) * a.steps + t - 1) * H : (a.h0 ? a.h0 + size_t(b) * H : nullptr);
      step(x, h, a.y + (size_t(b) * a.steps + t) * H);
    }
  }
}
}  // namespace

size_t rnn_f32_scratch(const RnnArgs<float>& a) { return size_t(a.hidden) * sizeof(float); }

void gru_f32(const RnnArgs<float>& a) {
  const int H = a.hidden, F = a.input;
  rnn_steps(
      a, [](int) {},
      [&](const float* x, const float* h, float* hn) {
        for (int u = 0; u < H; ++u) {
          double gi[3], gh[3];
          for (int g = 0; g < 3; ++g) {
            const int row = g * H + u;
            gi[g] = dot<float, double>(a.w_ih + size_t(row) * F, x, F) + bias_f32(a.b_ih, row);
            gh[g] = (h ? dot<float, double>(a.w_hh + size_t(row) * H, h, H) : 0.0) + bias_f32(a.b_hh, row);
          }
          const float r = sigmoidf(float(gi[0] + gh[0])), z = sigmoidf(float(gi[1] + gh[1]));
          const float n = std::tanh(float(gi[2] + r * gh[2]));
          hn[u] = (1.0f - z) * n + z * (h ? h[u] : 0.0f);
        }
      });
}

void lstm_f32(const RnnArgs<float>& a) {
  const int H = a.hidden, F = a.input;
  float* c = static_cast<float*>(a.ws.scratch);
  rnn_steps(
      a,
      [&](int b) {
        for (int u = 0; u < H; ++u) c[u] = a.c0 ? a.c0[size_t(b) * H + u] : 0.0f;
      },
      [&](const float* x, const float* h, float* hn) {
        for (int u = 0; u < H; ++u) {
          float pre[4];
          for (int g = 0; g < 4; ++g) {
            const int row = g * H + u;
            pre[g] = float(dot<float, double>(a.w_ih + size_t(row) * F, x, F) + bias_f32(a.b_ih, row) +
                           (h ? dot<float, double>(a.w_hh + size_t(row) * H, h, H) : 0.0) + bias_f32(a.b_hh, row));
          }
          const float i = sigmoidf(pre[0]), f = sigmoidf(pre[1]), g = std::tanh(pre[2]), o = sigmoidf(pre[3]);
          c[u] = f * c[u] + i * g;
          hn[u] = o * std::tanh(c[u]);
        }
      });
}

template <class T>
size_t rnn_fixed_scratch(const RnnArgs<T>& a) {
  return size_t(a.hidden) * sizeof(int32_t);
}

template <class T>
void gru_fixed(const RnnArgs<T>& a) {
  const int H = a.hidden, F = a.input;
  const RnnFixedFormats& q = a.q;
  const int fl_i = q.fl_x + q.fl_w_ih, fl_hh = q.fl_h + q.fl_w_hh, fg = q.fl_gate, fp = q.fl_pre;
  const int64_t one = int64_t(1) << fg;  // 1.0 at fl_gate (fl_gate ≥ 0), not saturated
  const int Fh = fg + std::max(fg, q.fl_h);
  rnn_steps(
      a, [](int) {},
      [&](const T* x, const T* h, T* hn) {
        for (int u = 0; u < H; ++u) {
          int64_t gi[3], gh[3];
          for (int g = 0; g < 3; ++g) {
            const int row = g * H + u;
            gi[g] = fixed::requantize(dot<T, int64_t>(a.w_ih + size_t(row) * F, x, F) + bias_i32(a.b_ih, row), fl_i,
                                      q.wl_pre, fp);
            gh[g] = fixed::requantize((h ? dot<T, int64_t>(a.w_hh + size_t(row) * H, h, H) : 0) + bias_i32(a.b_hh, row),
                                      fl_hh, q.wl_pre, fp);
          }
          const int64_t r = fixed::sigmoid(fixed::saturate(gi[0] + gh[0], q.wl_pre), fp, q.wl_gate, fg);
          const int64_t z = fixed::sigmoid(fixed::saturate(gi[1] + gh[1], q.wl_pre), fp, q.wl_gate, fg);
          const int64_t n_pre = fixed::requantize(gi[2] * one + r * gh[2], fp + fg, q.wl_pre, fp);
          const int64_t n = fixed::tanh(n_pre, fp, q.wl_gate, fg);
          const int64_t hp = h ? int64_t(h[u]) : 0;
          const int64_t acc =
              fixed::rounding_shift((one - z) * n, -(Fh - 2 * fg)) + fixed::rounding_shift(z * hp, -(Fh - fg - q.fl_h));
          hn[u] = T(fixed::requantize(acc, Fh, q.wl_h, q.fl_h));
        }
      });
}

template <class T>
void lstm_fixed(const RnnArgs<T>& a) {
  const int H = a.hidden, F = a.input;
  const RnnFixedFormats& q = a.q;
  const int fl_i = q.fl_x + q.fl_w_ih, fl_hh = q.fl_h + q.fl_w_hh, fg = q.fl_gate, fp = q.fl_pre;
  const int Fc = fg + std::max(fg, q.fl_c);
  int32_t* c = static_cast<int32_t*>(a.ws.scratch);
  rnn_steps(
      a,
      [&](int b) {
        for (int u = 0; u < H; ++u) c[u] = a.c0 ? int32_t(a.c0[size_t(b) * H + u]) : 0;
      },
      [&](const T* x, const T* h, T* hn) {
        for (int u = 0; u < H; ++u) {
          int64_t gate[4];
          for (int g = 0; g < 4; ++g) {
            const int row = g * H + u;
            const int64_t gi = fixed::requantize(
                dot<T, int64_t>(a.w_ih + size_t(row) * F, x, F) + bias_i32(a.b_ih, row), fl_i, q.wl_pre, fp);
            const int64_t gh = fixed::requantize(
                (h ? dot<T, int64_t>(a.w_hh + size_t(row) * H, h, H) : 0) + bias_i32(a.b_hh, row), fl_hh, q.wl_pre, fp);
            const int64_t s = fixed::saturate(gi + gh, q.wl_pre);
            gate[g] = g == 2 ? fixed::tanh(s, fp, q.wl_gate, fg) : fixed::sigmoid(s, fp, q.wl_gate, fg);
          }
          const int64_t acc = fixed::rounding_shift(gate[1] * c[u], -(Fc - fg - q.fl_c)) +
                              fixed::rounding_shift(gate[0] * gate[2], -(Fc - 2 * fg));
          c[u] = int32_t(fixed::requantize(acc, Fc, q.wl_c, q.fl_c));
          const int64_t tc = fixed::tanh(c[u], q.fl_c, q.wl_gate, fg);
          hn[u] = T(fixed::requantize(gate[3] * tc, 2 * fg, q.wl_h, q.fl_h));
        }
      });
}

#define SLIMRT_RNN_INST(T)                                 \
  template size_t rnn_fixed_scratch<T>(const RnnArgs<T>&); \
  template void gru_fixed<T>(const RnnArgs<T>&);           \
  template void lstm_fixed<T>(const RnnArgs<T>&);
SLIMRT_RNN_INST(int8_t)
SLIMRT_RNN_INST(int16_t)
#undef SLIMRT_RNN_INST

}  // namespace slimrt::kernels::ref
