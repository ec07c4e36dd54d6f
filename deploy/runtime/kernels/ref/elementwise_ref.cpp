// Reference element-wise ops, conversions and data movement.
#include "kernels/detail.h"
#include "kernels/ref/ref.h"

namespace slimrt::kernels::ref {
using namespace detail;

template <class T>
void relu(const ActivationArgs<T>& a) {
  for (int64_t i = 0; i < a.count; ++i) a.y[i] = a.x[i] > T(0) ? a.x[i] : T(0);
}

template <class T>
void hard_tanh(const ActivationArgs<T>& a) {
  if constexpr (std::is_same_v<T, float>) {
    for (int64_t i = 0; i < a.count; ++i) a.y[i] = std::min(std::max(a.x[i], a.min_value), a.max_value);
  } else {
    const T lo = T(fixed::quantize(a.min_value, a.q.wl_y, a.q.fl_y));
    const T hi = T(fixed::quantize(a.max_value, a.q.wl_y, a.q.fl_y));
    for (int64_t i = 0; i < a.count; ++i) a.y[i] = std::min(std::max(a.x[i], lo), hi);
  }
}

// sign(0) = +1 as in bitpack.h; fixed point writes ±1 quantized (saturated) to ⟨wl_y, fl_y⟩.
template <class T>
void sign(const ActivationArgs<T>& a) {
  T pos = T(1), neg = T(-1);
  if constexpr (!std::is_same_v<T, float>) {
    pos = T(fixed::quantize(1.0, a.q.wl_y, a.q.fl_y));
    neg = T(fixed::quantize(-1.0, a.q.wl_y, a.q.fl_y));
  }
  for (int64_t i = 0; i < a.count; ++i) a.y[i] = a.x[i] < T(0) ? neg : pos;
}

template <class T>
void softmax(const SoftmaxArgsT<T>& a) {
  for (int r = 0; r < a.rows; ++r) {
    const T* x = a.x + size_t(r) * a.cols;
    T* y = a.y + size_t(r) * a.cols;
    const T m = *std::max_element(x, x + a.cols);
    double sum = 0;
    if constexpr (std::is_same_v<T, float>) {
      for (int i = 0; i < a.cols; ++i) sum += std::exp(double(x[i]) - m);
      const double ls = std::log(sum);
      for (int i = 0; i < a.cols; ++i)
        y[i] = float(a.log ? double(x[i]) - m - ls : std::exp(double(x[i]) - m) / sum);
    } else {
      for (int i = 0; i < a.cols; ++i) sum += std::exp(fixed::dequantize(int64_t(x[i]) - m, a.q.fl_x));
      const double ls = std::log(sum);
      for (int i = 0; i < a.cols; ++i) {
        const double d = fixed::dequantize(int64_t(x[i]) - m, a.q.fl_x);
        y[i] = T(fixed::quantize(a.log ? d - ls : std::exp(d) / sum, a.q.wl_y, a.q.fl_y));
      }
    }
  }
}

// y = f(x, x2) over the broadcast rows, each value through the epilogue `ep`.
template <class T, class F>
void binary_rows(const AddArgs<T>& a, F&& f) {
  for_each_row(a.bc, a.count, [&](int64_t xo, int64_t x2o, int64_t yo, int64_t n, int64_t dx, int64_t dx2) {
    for (int64_t t = 0; t < n; ++t) a.y[yo + t] = f(a.x[xo + t * dx], a.x2[x2o + t * dx2]);
  });
}

template <class T>
void add(const AddArgs<T>& a) {
  if constexpr (std::is_same_v<T, float>) {
    const FloatEpilogue ep(a.act, a.act_min, a.act_max);
    binary_rows(a, [&](float x, float x2) { return ep(x + x2); });
  } else {
    const int f = std::max(a.q.fl_x, a.q.fl_x2);
    const FixedEpilogue ep(f, a.q, a.act, a.act_min, a.act_max);
    binary_rows(a, [&](T x, T x2) {
      return T(ep(int64_t(x) * (int64_t(1) << (f - a.q.fl_x)) + int64_t(x2) * (int64_t(1) << (f - a.q.fl_x2))));
    });
  }
}

template <class T>
void sub(const AddArgs<T>& a) {
  if constexpr (std::is_same_v<T, float>) {
    const FloatEpilogue ep(a.act, a.act_min, a.act_max);
    binary_rows(a, [&](float x, float x2) { return ep(x - x2); });
  } else {
    const int f = std::max(a.q.fl_x, a.q.fl_x2);
    const FixedEpilogue ep(f, a.q, a.act, a.act_min, a.act_max);
    binary_rows(a, [&](T x, T x2) {
      return T(ep(int64_t(x) * (int64_t(1) << (f - a.q.fl_x)) - int64_t(x2) * (int64_t(1) << (f - a.q.fl_x2))));
    });
  }
}

template <class T>
void mul(const AddArgs<T>& a) {
  if constexpr (std::is_same_v<T, float>) {
    const FloatEpilogue ep(a.act, a.act_min, a.act_max);
    binary_rows(a, [&](float x, float x2) { return ep(x * x2); });
  } else {
    const FixedEpilogue ep(a.q.fl_x + a.q.fl_x2, a.q, a.act, a.act_min, a.act_max);
    binary_rows(a, [&](T x, T x2) { return T(ep(int64_t(x) * int64_t(x2))); });
  }
}

template <class T>
void div(const AddArgs<T>& a) {
  if constexpr (std::is_same_v<T, float>) {
    const FloatEpilogue ep(a.act, a.act_min, a.act_max);
    binary_rows(a, [&](float x, float x2) { return ep(x / x2); });
  } else {
    const FixedEpilogue ep(a.q.fl_y, a.q, a.act, a.act_min, a.act_max);  // the quotient is at fl_y already
    binary_rows(a, [&](T x, T x2) { return T(ep(fixed::divide(x, a.q.fl_x, x2, a.q.fl_x2, a.q.fl_y))); });
  }
}

void concat(const ConcatArgs& a) {
  int64_t total = 0;
  for (int k = 0; k < a.inputs; ++k) total += a.inner[k];
  char* y = static_cast<char*>(a.y);
  for (int64_t o = 0; o < a.outer; ++o) {
    int64_t at = 0;
    for (int k = 0; k < a.inputs; ++k) {
      const char* x = static_cast<const char*>(a.x[k]);
      std::memcpy(y + size_t(o * total + at) * a.elem_bytes, x + size_t(o * a.inner[k]) * a.elem_bytes,
                  size_t(a.inner[k]) * a.elem_bytes);
      at += a.inner[k];
    }
  }
}

namespace {

// y[i] = x[i·stride] for n elements of N bytes (memcpy of a constant size: one move).
template <int N>
void strided_copy(char* y, const char* x, int64_t n, int64_t stride) {
  for (int64_t i = 0; i < n; ++i) std::memcpy(y + size_t(i) * N, x + size_t(i * stride) * N, N);
}

void strided_copy_any(char* y, const char* x, int64_t n, int64_t stride, int bytes) {
  switch (bytes) {
    case 1: return strided_copy<1>(y, x, n, stride);
    case 2: return strided_copy<2>(y, x, n, stride);
    case 4: return strided_copy<4>(y, x, n, stride);
    case 8: return strided_copy<8>(y, x, n, stride);
    default:
      for (int64_t i = 0; i < n; ++i)
        std::memcpy(y + size_t(i) * bytes, x + size_t(i * stride) * bytes, size_t(bytes));
  }
}

// The same permutation on the fewest axes: size-1 axes dropped, and input axes that stay
// next to each other in the output merged into one. Returns the rank (0: a plain copy).
int simplify_transpose(const TransposeArgs& a, int64_t* shape, int* perm) {
  int compact[6], kept = 0;
  int64_t kept_shape[6];
  for (int i = 0; i < a.rank; ++i) {
    compact[i] = a.shape[i] == 1 ? -1 : kept;
    if (a.shape[i] != 1) kept_shape[kept++] = a.shape[i];
  }
  int out[6], n = 0;  // the output order of the kept input axes
  for (int i = 0; i < a.rank; ++i)
    if (compact[a.perm[i]] >= 0) out[n++] = compact[a.perm[i]];
  int start[6], len[6], groups = 0;  // runs of consecutive input axes, in output order
  for (int i = 0; i < n; ++i) {
    if (groups > 0 && out[i] == start[groups - 1] + len[groups - 1]) {
      ++len[groups - 1];
    } else {
      start[groups] = out[i];
      len[groups++] = 1;
    }
  }
  for (int g = 0; g < groups; ++g) {  // group g's position in input order
    int rank_in = 0;
    for (int h = 0; h < groups; ++h) rank_in += start[h] < start[g];
    perm[g] = rank_in;
    int64_t size = 1;
    for (int k = 0; k < len[g]; ++k) size *= kept_shape[start[g] + k];
    shape[rank_in] = size;
  }
  return groups;
}

}  // namespace

void transpose(const TransposeArgs& a) {
  int64_t shape[6], in_stride[6], out_shape[6], count = 1;
  int perm[6];
  const int rank = simplify_transpose(a, shape, perm);
  for (int i = 0; i < a.rank; ++i) count *= a.shape[i];
  const char* x = static_cast<const char*>(a.x);
  char* y = static_cast<char*>(a.y);
  if (rank <= 1) {  // nothing moves
    std::memcpy(y, x, size_t(count) * size_t(a.elem_bytes));
    return;
  }
  for (int i = rank - 1, s = 1; i >= 0; --i) {
    in_stride[i] = s;
    s *= int(shape[i]);
  }
  for (int i = 0; i < rank; ++i) out_shape[i] = shape[perm[i]];
  // One strided run per position of the outer output axes (an odometer over them).
  const int64_t run = out_shape[rank - 1], run_stride = in_stride[perm[rank - 1]];
  int64_t idx[6] = {};
  for (int64_t at = 0; at < count; at += run) {
    int64_t src = 0;
    for (int i = 0; i < rank - 1; ++i) src += idx[i] * in_stride[perm[i]];
    strided_copy_any(y + size_t(at) * a.elem_bytes, x + size_t(src) * a.elem_bytes, run, run_stride, a.elem_bytes);
    for (int i = rank - 2; i >= 0; --i) {
      if (++idx[i] < out_shape[i]) break;
      idx[i] = 0;
    }
  }
}

void slice(const SliceArgs& a) {
  const size_t len = size_t(a.end - a.begin) * a.inner * a.elem_bytes;
  const char* x = static_cast<const char*>(a.x);
  char* y = static_cast<char*>(a.y);
  for (int64_t o = 0; o < a.outer; ++o)
    std::memcpy(y + size_t(o) * len, x + (size_t(o * a.axis + a.begin) * a.inner) * a.elem_bytes, len);
}

// Reverse (SliceArgs): y[o][j] = x[o][end − 1 − j] for j < end − begin, rows of `inner` elements.
void reverse(const SliceArgs& a) {
  const int64_t n = a.end - a.begin;
  const size_t row = size_t(a.inner) * size_t(a.elem_bytes);
  const char* x = static_cast<const char*>(a.x);
  char* y = static_cast<char*>(a.y);
  for (int64_t o = 0; o < a.outer; ++o)
    for (int64_t j = 0; j < n; ++j)
      std::memcpy(y + size_t(o * n + j) * row, x + size_t(o * a.axis + a.end - 1 - j) * row, row);
}

template <class T>
void quantize(const QuantizeArgs<T>& a) {
  // fixed::quantize with its ldexp hoisted: x·2^fl is exact in double for any float x
  // and the FL range of a word, so this is the same rounding and saturation.
  const double scale = std::ldexp(1.0, a.q.fl_y);
  const double lo = double(fixed::qmin(a.q.wl_y)), hi = double(fixed::qmax(a.q.wl_y));
  for (int64_t i = 0; i < a.count; ++i) {
    const double w = double(a.x[i]) * scale + 0.5;  // the result is ⌊w⌋, saturated
    if (!(w == w)) {
      a.y[i] = T(0);  // NaN
    } else if (w <= lo) {
      a.y[i] = T(lo);
    } else if (w >= hi) {
      a.y[i] = T(hi);
    } else {  // lo < w < hi: truncation, one down for a negative non-integer (no libm call)
      const int64_t t = int64_t(w);
      a.y[i] = T(t - (w < double(t) ? 1 : 0));
    }
  }
}

template <class T>
void dequantize(const DequantizeArgs<T>& a) {
  for (int64_t i = 0; i < a.count; ++i) a.y[i] = float(fixed::dequantize(a.x[i], a.q.fl_x));
}

namespace {
template <class X, class Y>
void requantize_typed(const RequantizeArgs& a) {
  const X* x = static_cast<const X*>(a.x);
  Y* y = static_cast<Y*>(a.y);
  const int shift = a.q.fl_x - a.q.fl_y;
  const int64_t lo = fixed::qmin(a.q.wl_y), hi = fixed::qmax(a.q.wl_y);
  const auto clamp = [lo, hi](int64_t v) { return Y(v < lo ? lo : v > hi ? hi : v); };
  if (shift > 0 && shift < 63) {  // fixed::rounding_shift's right shift, hoisted
    const int64_t half = int64_t(1) << (shift - 1);
    for (int64_t i = 0; i < a.count; ++i) y[i] = clamp((int64_t(x[i]) + half) >> shift);
  } else if (shift <= 0 && shift > -40) {  // an exact left shift of a 16-bit value
    for (int64_t i = 0; i < a.count; ++i) y[i] = clamp(int64_t(x[i]) * (int64_t(1) << -shift));
  } else {
    for (int64_t i = 0; i < a.count; ++i) y[i] = Y(fixed::requantize(x[i], a.q.fl_x, a.q.wl_y, a.q.fl_y));
  }
}
}  // namespace

void requantize(const RequantizeArgs& a) {  // the storage types chosen once, not per element
  if (a.x_bits == 8) return a.y_bits == 8 ? requantize_typed<int8_t, int8_t>(a) : requantize_typed<int8_t, int16_t>(a);
  return a.y_bits == 8 ? requantize_typed<int16_t, int8_t>(a) : requantize_typed<int16_t, int16_t>(a);
}

template <class T>
void pack_bits(const PackBitsArgs<T>& a) {
  const size_t cw = bits::words_for(size_t(a.channels)), S = size_t(a.spatial);
  for (int b = 0; b < a.batch; ++b) {
    uint64_t* y = a.y + size_t(b) * S * cw;
    std::fill(y, y + S * cw, uint64_t(0));
    for (int c = 0; c < a.channels; ++c) {  // x in memory order; each channel sets one bit per position
      const T* xc = a.x + (size_t(b) * a.channels + c) * S;
      uint64_t* yw = y + size_t(c) / 64;
      const unsigned shift = unsigned(c % 64);
      for (size_t p = 0; p < S; ++p) yw[p * cw] |= uint64_t(xc[p] < T(0)) << shift;  // no branch on random signs
    }
  }
}

void unpack_bits(const UnpackBitsArgs& a) {
  const size_t cw = bits::words_for(size_t(a.channels));
  for (int b = 0; b < a.batch; ++b)
    for (int p = 0; p < a.spatial; ++p) {
      const uint64_t* x = a.x + (size_t(b) * a.spatial + p) * cw;
      for (int c = 0; c < a.channels; ++c)
        a.y[(size_t(b) * a.channels + c) * a.spatial + p] = bits::value_of_bit((x[c / 64] >> (c % 64)) & 1u);
    }
}

#define SLIMRT_EW_INST(T)                                 \
  template void relu<T>(const ActivationArgs<T>&);        \
  template void hard_tanh<T>(const ActivationArgs<T>&);   \
  template void sign<T>(const ActivationArgs<T>&);        \
  template void add<T>(const AddArgs<T>&);                \
  template void sub<T>(const AddArgs<T>&);                \
  template void mul<T>(const AddArgs<T>&);                \
  template void div<T>(const AddArgs<T>&);                \
  template void softmax<T>(const SoftmaxArgsT<T>&);        \
  template void pack_bits<T>(const PackBitsArgs<T>&);
SLIMRT_FOR_ELEM_TYPES(SLIMRT_EW_INST)
#undef SLIMRT_EW_INST
template void quantize<int8_t>(const QuantizeArgs<int8_t>&);
template void quantize<int16_t>(const QuantizeArgs<int16_t>&);
template void dequantize<int8_t>(const DequantizeArgs<int8_t>&);
template void dequantize<int16_t>(const DequantizeArgs<int16_t>&);

}  // namespace slimrt::kernels::ref
