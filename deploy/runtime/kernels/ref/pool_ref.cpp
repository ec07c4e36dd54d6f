// Reference pooling and mean reductions. Max pooling keeps the input's format (fixed
// point: the same integers); an average of fixed-point values is
// quantize(ldexp(double(Σq) / n, −fl_x)) to ⟨wl_y, fl_y⟩ (as the training side's evaluator).
#include <cfloat>

#include "kernels/detail.h"
#include "kernels/ref/ref.h"

namespace slimrt::kernels::ref {
using namespace detail;

namespace {
struct Window {
  int y0, y1, x0, x1;  // clipped to the image, [y0, y1) × [x0, x1)
  int padded_count;    // window clipped to the padded extent (count_include_pad)
};
inline Window window(const PoolShape& s, int oy, int ox) {
  Window w;
  int ys = oy * s.stride_h - s.pad_top, xs = ox * s.stride_w - s.pad_left;
  int ye = std::min(ys + s.kernel_h, s.in_h + s.pad_bottom), xe = std::min(xs + s.kernel_w, s.in_w + s.pad_right);
  w.padded_count = (ye - ys) * (xe - xs);
  w.y0 = std::max(ys, 0);
  w.x0 = std::max(xs, 0);
  w.y1 = std::min(ye, s.in_h);
  w.x1 = std::min(xe, s.in_w);
  return w;
}
template <class T> inline T lowest() { return std::numeric_limits<T>::lowest(); }
template <> inline float lowest<float>() { return -INFINITY; }
}  // namespace

// y = f(x, window) at every output position of every map (x: the map's first value).
template <class T, class F>
void each_window(const PoolArgs<T>& a, F f) {
  const PoolShape& s = a.s;
  for (int b = 0; b < s.batch; ++b)
    for (int c = 0; c < s.channels; ++c) {
      const T* x = a.x + (size_t(b) * s.channels + c) * s.in_h * s.in_w;
      T* y = a.y + (size_t(b) * s.channels + c) * s.out_h * s.out_w;
      for (int oy = 0; oy < s.out_h; ++oy)
        for (int ox = 0; ox < s.out_w; ++ox) y[size_t(oy) * s.out_w + ox] = f(x, window(s, oy, ox));
    }
}

template <class T>
void max_pool(const PoolArgs<T>& a) {
  each_window(a, [&](const T* x, const Window& w) {
    T m = lowest<T>();
    for (int iy = w.y0; iy < w.y1; ++iy)
      for (int ix = w.x0; ix < w.x1; ++ix) m = std::max(m, x[size_t(iy) * a.s.in_w + ix]);
    return m;
  });
}

template <class T>
void avg_pool(const PoolArgs<T>& a) {
  each_window(a, [&](const T* x, const Window& w) {
    double sum = 0;
    for (int iy = w.y0; iy < w.y1; ++iy)
      for (int ix = w.x0; ix < w.x1; ++ix) sum += double(x[size_t(iy) * a.s.in_w + ix]);
    const int n = a.s.count_include_pad ? w.padded_count : (w.y1 - w.y0) * (w.x1 - w.x0);
    if constexpr (std::is_same_v<T, float>) {
      return n > 0 ? float(sum / n) : 0.0f;
    } else {
      // sum is an exact integer (≤ 2^15 · window), the quotient is the same double everywhere.
      return n > 0 ? T(fixed::quantize(std::ldexp(sum / double(n), -a.q.fl_x), a.q.wl_y, a.q.fl_y)) : T(0);
    }
  });
}

void max_pool_bits(const PoolBitsArgs& a) {
  const PoolShape& s = a.s;
  const size_t cw = bits::words_for(size_t(s.channels));
  for (int b = 0; b < s.batch; ++b)
    for (int oy = 0; oy < s.out_h; ++oy)
      for (int ox = 0; ox < s.out_w; ++ox) {
        const Window w = window(s, oy, ox);
        uint64_t* y = a.y + ((size_t(b) * s.out_h + oy) * s.out_w + ox) * cw;
        for (size_t k = 0; k < cw; ++k) {
          // max over ±1 is +1 (bit 0) as soon as one input is +1: AND of the sign bits.
          uint64_t m = ~uint64_t(0);
          for (int iy = w.y0; iy < w.y1; ++iy)
            for (int ix = w.x0; ix < w.x1; ++ix) m &= a.x[((size_t(b) * s.in_h + iy) * s.in_w + ix) * cw + k];
          // Keep padding bits 0 (an empty window never happens with valid shapes).
          const size_t valid = std::min<size_t>(64, size_t(s.channels) - k * 64);
          y[k] = valid == 64 ? m : (m & ((uint64_t(1) << valid) - 1));
        }
      }
}

template <class T>
void reduce_mean(const ReduceMeanArgs<T>& a, bool over_inner) {
  const int n_out = over_inner ? a.outer : a.inner, n = over_inner ? a.inner : a.outer;
  for (int b = 0; b < a.batch; ++b) {
    const T* x = a.x + size_t(b) * a.outer * a.inner;
    for (int j = 0; j < n_out; ++j) {
      double sum = 0;
      for (int i = 0; i < n; ++i) sum += double(over_inner ? x[size_t(j) * a.inner + i] : x[size_t(i) * a.inner + j]);
      T* y = a.y + size_t(b) * n_out + j;
      if constexpr (std::is_same_v<T, float>)
        *y = n > 0 ? float(sum / n) : 0.0f;
      else
        *y = n > 0 ? T(fixed::quantize(std::ldexp(sum / double(n), -a.q.fl_x), a.q.wl_y, a.q.fl_y)) : T(0);
    }
  }
}
template <class T> void global_avg_pool(const ReduceMeanArgs<T>& a) { reduce_mean(a, true); }
template <class T> void mean_over_time(const ReduceMeanArgs<T>& a) { reduce_mean(a, false); }

#define SLIMRT_POOL_INST(T)                                      \
  template void max_pool<T>(const PoolArgs<T>&);                 \
  template void avg_pool<T>(const PoolArgs<T>&);                 \
  template void global_avg_pool<T>(const ReduceMeanArgs<T>&);    \
  template void mean_over_time<T>(const ReduceMeanArgs<T>&);
SLIMRT_FOR_ELEM_TYPES(SLIMRT_POOL_INST)
#undef SLIMRT_POOL_INST

}  // namespace slimrt::kernels::ref
