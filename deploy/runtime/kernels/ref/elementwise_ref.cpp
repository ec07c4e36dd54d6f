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

template <class T>
void add(const AddArgs<T>& a) {
  if constexpr (std::is_same_v<T, float>) {
    const FloatEpilogue ep(a.act, a.act_min, a.act_max);
    for (int64_t i = 0; i < a.count; ++i) a.y[i] = ep(a.x[i] + a.x2[i]);
  } else {
    const int f = std::max(a.q.fl_x, a.q.fl_x2);
    const FixedEpilogue ep(f, a.q, a.act, a.act_min, a.act_max);
    for (int64_t i = 0; i < a.count; ++i)
      a.y[i] = T(ep(int64_t(a.x[i]) * (int64_t(1) << (f - a.q.fl_x)) + int64_t(a.x2[i]) * (int64_t(1) << (f - a.q.fl_x2))));
  }
}

template <class T>
void sub(const AddArgs<T>& a) {
  if constexpr (std::is_same_v<T, float>) {
    const FloatEpilogue ep(a.act, a.act_min, a.act_max);
    for (int64_t i = 0; i < a.count; ++i) a.y[i] = ep(a.x[i] - a.x2[i]);
  } else {
    const int f = std::max(a.q.fl_x, a.q.fl_x2);
    const FixedEpilogue ep(f, a.q, a.act, a.act_min, a.act_max);
    for (int64_t i = 0; i < a.count; ++i)
      a.y[i] = T(ep(int64_t(a.x[i]) * (int64_t(1) << (f - a.q.fl_x)) - int64_t(a.x2[i]) * (int64_t(1) << (f - a.q.fl_x2))));
  }
}

template <class T>
void mul(const AddArgs<T>& a) {
  if constexpr (std::is_same_v<T, float>) {
    const FloatEpilogue ep(a.act, a.act_min, a.act_max);
    for (int64_t i = 0; i < a.count; ++i) a.y[i] = ep(a.x[i] * a.x2[i]);
  } else {
    const FixedEpilogue ep(a.q.fl_x + a.q.fl_x2, a.q, a.act, a.act_min, a.act_max);
    for (int64_t i = 0; i < a.count; ++i) a.y[i] = T(ep(int64_t(a.x[i]) * int64_t(a.x2[i])));
  }
}

template <class T>
void div(const AddArgs<T>& a) {
  if constexpr (std::is_same_v<T, float>) {
    const FloatEpilogue ep(a.act, a.act_min, a.act_max);
    for (int64_t i = 0; i < a.count; ++i) a.y[i] = ep(a.x[i] / a.x2[i]);
  } else {
    const FixedEpilogue ep(a.q.fl_y, a.q, a.act, a.act_min, a.act_max);  // the quotient is at fl_y already
    for (int64_t i = 0; i < a.count; ++i) a.y[i] = T(ep(fixed::divide(a.x[i], a.q.fl_x, a.x2[i], a.q.fl_x2, a.q.fl_y)));
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

void transpose(const TransposeArgs& a) {
  int64_t in_stride[6], out_shape[6], count = 1;
  for (int i = a.rank - 1, s = 1; i >= 0; --i) {
    in_stride[i] = s;
    s *= int(a.shape[i]);
  }
  for (int i = 0; i < a.rank; ++i) {
    out_shape[i] = a.shape[a.perm[i]];
    count *= out_shape[i];
  }
  int64_t idx[6] = {};
  const char* x = static_cast<const char*>(a.x);
  char* y = static_cast<char*>(a.y);
  for (int64_t n = 0; n < count; ++n) {
    int64_t src = 0;
    for (int i = 0; i < a.rank; ++i) src += idx[i] * in_stride[a.perm[i]];
    std::memcpy(y + size_t(n) * a.elem_bytes, x + size_t(src) * a.elem_bytes, size_t(a.elem_bytes));
    for (int i = a.rank - 1; i >= 0; --i) {  // odometer over the output index
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

template <class T>
void quantize(const QuantizeArgs<T>& a) {
  for (int64_t i = 0; i < a.count; ++i) a.y[i] = T(fixed::quantize(a.x[i], a.q.wl_y, a.q.fl_y));
}

template <class T>
void dequantize(const DequantizeArgs<T>& a) {
  for (int64_t i = 0; i < a.count; ++i) a.y[i] = float(fixed::dequantize(a.x[i], a.q.fl_x));
}

void requantize(const RequantizeArgs& a) {
  for (int64_t i = 0; i < a.count; ++i) {
    const int64_t q = a.x_bits == 8 ? static_cast<const int8_t*>(a.x)[i] : static_cast<const int16_t*>(a.x)[i];
    const int64_t v = fixed::requantize(q, a.q.fl_x, a.q.wl_y, a.q.fl_y);
    if (a.y_bits == 8) static_cast<int8_t*>(a.y)[i] = int8_t(v);
    else static_cast<int16_t*>(a.y)[i] = int16_t(v);
  }
}

template <class T>
void pack_bits(const PackBitsArgs<T>& a) {
  const size_t cw = bits::words_for(size_t(a.channels));
  for (int b = 0; b < a.batch; ++b)
    for (int p = 0; p < a.spatial; ++p) {
      uint64_t* y = a.y + (size_t(b) * a.spatial + p) * cw;
      for (size_t w = 0; w < cw; ++w) y[w] = 0;
      for (int c = 0; c < a.channels; ++c)
        if (a.x[(size_t(b) * a.channels + c) * a.spatial + p] < T(0)) y[c / 64] |= uint64_t(1) << (c % 64);
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
