// Reference convolutions (conv1d = conv2d with H = 1, depthwise = groups == in_c):
// direct loops over output pixels and taps, zero padding by skipping taps outside the
// image. Float sums in double, fixed-point sums exact in int64.
#include "kernels/detail.h"
#include "kernels/ref/ref.h"

namespace slimrt::kernels::ref {
using namespace detail;

namespace {
// Calls tap(iy, ix, ky, kx) for every filter position of output pixel (oy, ox) that
// falls inside the image (zero padding = skipping the rest).
template <class F>
inline void for_each_position(const ConvShape& s, int oy, int ox, F&& tap) {
  for (int ky = 0; ky < s.kernel_h; ++ky) {
    const int iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
    if (iy < 0 || iy >= s.in_h) continue;
    for (int kx = 0; kx < s.kernel_w; ++kx) {
      const int ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
      if (ix < 0 || ix >= s.in_w) continue;
      tap(iy, ix, ky, kx);
    }
  }
}

// Calls tap(ci, iy, ix, k) for every in-image tap of output pixel (oy, ox) in group g,
// where k is the tap's index in the filter row [(ci − g·cpg)·kh·kw + ky·kw + kx].
template <class F>
inline void for_each_tap(const ConvShape& s, int g, int oy, int ox, F&& tap) {
  const int cpg = s.in_c / s.groups;
  for (int c = 0; c < cpg; ++c)
    for_each_position(s, oy, ox, [&](int iy, int ix, int ky, int kx) {
      tap(g * cpg + c, iy, ix, (c * s.kernel_h + ky) * s.kernel_w + kx);
    });
}

// The loops every direct convolution shares: for each output pixel (b, o, oy, ox),
// Acc acc = 0; tap(acc, o, x value, k) for each in-image tap; y = finish(acc, o).
template <class Acc, class X, class Y, class Tap, class Finish>
void conv_loops(const ConvShape& s, const X* xs, Y* ys, Tap&& tap, Finish&& finish) {
  const int oh = s.out_h(), ow = s.out_w(), opg = s.out_c / s.groups;
  for (int b = 0; b < s.batch; ++b) {
    const X* x = xs + size_t(b) * s.in_c * s.in_h * s.in_w;
    Y* y = ys + size_t(b) * s.out_c * oh * ow;
    for (int o = 0; o < s.out_c; ++o)
      for (int oy = 0; oy < oh; ++oy)
        for (int ox = 0; ox < ow; ++ox) {
          Acc acc = 0;
          for_each_tap(s, o / opg, oy, ox, [&](int ci, int iy, int ix, int k) {
            tap(acc, o, x[(size_t(ci) * s.in_h + iy) * s.in_w + ix], k);
          });
          y[(size_t(o) * oh + oy) * ow + ox] = finish(acc, o);
        }
  }
}

size_t filter_row(const ConvShape& s) { return size_t(s.in_c / s.groups) * s.kernel_h * s.kernel_w; }

inline bool weight_bit(const uint64_t* row, int k) { return (row[k / 64] >> (k % 64)) & 1u; }
}  // namespace

void conv_f32(const ConvArgs<float>& a) {
  const FloatEpilogue ep(a.act, a.act_min, a.act_max);
  const size_t row = filter_row(a.s);
  conv_loops<double>(
      a.s, a.x, a.y, [&](double& acc, int o, float v, int k) { acc += double(v) * double(a.w[size_t(o) * row + k]); },
      [&](double acc, int o) { return ep(float(acc + bias_f32(a.bias, o))); });
}

template <class T>
void conv_fixed(const ConvArgs<T>& a) {
  const FixedEpilogue ep(a.q.fl_x + a.q.fl_w, a.q, a.act, a.act_min, a.act_max, a.rq);
  const size_t row = filter_row(a.s);
  conv_loops<int64_t>(
      a.s, a.x, a.y, [&](int64_t& acc, int o, T v, int k) { acc += int64_t(v) * int64_t(a.w[size_t(o) * row + k]); },
      [&](int64_t acc, int o) { return T(ep(acc + bias_i32(a.bias, o), o)); });
}

void conv_bc_f32(const ConvBcArgs<float>& a) {
  const FloatEpilogue ep(a.act, a.act_min, a.act_max);
  const size_t words = bits::words_for(filter_row(a.s));
  conv_loops<double>(
      a.s, a.x, a.y,
      [&](double& acc, int o, float v, int k) {
        acc += weight_bit(a.w + size_t(o) * words, k) ? -double(v) : double(v);
      },
      [&](double acc, int o) {
        const float scale = a.scale ? a.scale[o] : 1.0f;
        return ep(float(acc) * scale + bias_f32(a.bias, o));
      });
}

template <class T>
void conv_bc_fixed(const ConvBcArgs<T>& a) {
  const FixedEpilogue ep(a.q.fl_x, a.q, a.act, a.act_min, a.act_max, a.rq);
  const size_t words = bits::words_for(filter_row(a.s));
  conv_loops<int64_t>(
      a.s, a.x, a.y,
      [&](int64_t& acc, int o, T v, int k) {
        acc += weight_bit(a.w + size_t(o) * words, k) ? -int64_t(v) : int64_t(v);
      },
      [&](int64_t acc, int o) { return T(ep(acc + bias_i32(a.bias, o), o)); });
}

void conv_bnn(const ConvBnnArgs& a) {
  const ConvShape& s = a.s;
  const int oh = s.out_h(), ow = s.out_w();
  const size_t cw = bits::words_for(size_t(s.in_c)), ow_words = bits::words_for(size_t(s.out_c));
  for (int b = 0; b < s.batch; ++b) {
    const uint64_t* x = a.x + size_t(b) * s.in_h * s.in_w * cw;
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox) {
        const size_t pix = (size_t(b) * oh + oy) * ow + ox;
        if (a.out.kind == BnnOutput::kBits)
          for (size_t w = 0; w < ow_words; ++w) a.out.y_bits[pix * ow_words + w] = 0;
        for (int o = 0; o < s.out_c; ++o) {
          int ones = 0, n = 0;
          for_each_position(s, oy, ox, [&](int iy, int ix, int ky, int kx) {
            const uint64_t* xp = x + (size_t(iy) * s.in_w + ix) * cw;
            const uint64_t* wp = a.w + ((size_t(o) * s.kernel_h + ky) * s.kernel_w + kx) * cw;
            for (size_t w = 0; w < cw; ++w) ones += bits::popcount64(xp[w] ^ wp[w]);
            n += s.in_c;
          });
          const int32_t dot = n - 2 * ones;
          if (a.out.kind == BnnOutput::kBits) {
            if (bits::apply_threshold(a.out.thresholds[o], dot) < 0)
              a.out.y_bits[pix * ow_words + size_t(o) / 64] |= uint64_t(1) << (o % 64);
          } else {
            bnn_store_scalar(a.out, o, dot, ((size_t(b) * s.out_c + o) * oh + oy) * ow + ox);
          }
        }
      }
  }
}

template void conv_fixed<int8_t>(const ConvArgs<int8_t>&);
template void conv_fixed<int16_t>(const ConvArgs<int16_t>&);
template void conv_bc_fixed<int8_t>(const ConvBcArgs<int8_t>&);
template void conv_bc_fixed<int16_t>(const ConvBcArgs<int16_t>&);

}  // namespace slimrt::kernels::ref
