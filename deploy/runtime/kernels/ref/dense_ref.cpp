// Reference dense kernels (the oracle): plain loops, exact integer sums, double sums
// for float so the optimized variants are compared with the better answer.
#include "kernels/detail.h"
#include "kernels/ref/ref.h"

namespace slimrt::kernels::ref {
using namespace detail;

void dense_f32(const DenseArgs<float>& a) {
  const FloatEpilogue ep(a.act, a.act_min, a.act_max);
  for (int b = 0; b < a.s.batch; ++b) {
    const float* x = a.x + size_t(b) * a.s.in;
    for (int o = 0; o < a.s.out; ++o) {
      const float* w = a.w + size_t(o) * a.s.in;
      double acc = 0;
      for (int i = 0; i < a.s.in; ++i) acc += double(x[i]) * double(w[i]);
      a.y[size_t(b) * a.s.out + o] = ep(float(acc + bias_f32(a.bias, o)));
    }
  }
}

template <class T>
void dense_fixed(const DenseArgs<T>& a) {
  const FixedEpilogue ep(a.q.fl_x + a.q.fl_w, a.q, a.act, a.act_min, a.act_max, a.rq);
  for (int b = 0; b < a.s.batch; ++b) {
    const T* x = a.x + size_t(b) * a.s.in;
    for (int o = 0; o < a.s.out; ++o) {
      const T* w = a.w + size_t(o) * a.s.in;
      int64_t acc = 0;
      for (int i = 0; i < a.s.in; ++i) acc += int64_t(x[i]) * int64_t(w[i]);
      a.y[size_t(b) * a.s.out + o] = T(ep(acc + bias_i32(a.bias, o), o));
    }
  }
}

// BinaryConnect: w = ±1, so each term is +x or −x — no multiplication. Calls
// store(y index, output, Σ ±x in Acc) for every output of every batch row.
template <class Acc, class T, class Store>
void dense_bc_rows(const DenseBcArgs<T>& a, Store store) {
  const size_t words = bits::words_for(size_t(a.s.in));
  for (int b = 0; b < a.s.batch; ++b) {
    const T* x = a.x + size_t(b) * a.s.in;
    for (int o = 0; o < a.s.out; ++o) {
      const uint64_t* w = a.w + size_t(o) * words;
      Acc acc = 0;
      for (int i = 0; i < a.s.in; ++i) acc += ((w[i / 64] >> (i % 64)) & 1u) ? -Acc(x[i]) : Acc(x[i]);
      store(size_t(b) * a.s.out + o, o, acc);
    }
  }
}

void dense_bc_f32(const DenseBcArgs<float>& a) {
  const FloatEpilogue ep(a.act, a.act_min, a.act_max);
  dense_bc_rows<double>(a, [&](size_t at, int o, double acc) {
    const float scale = a.scale ? a.scale[o] : 1.0f;
    a.y[at] = ep(float(acc) * scale + bias_f32(a.bias, o));
  });
}

template <class T>
void dense_bc_fixed(const DenseBcArgs<T>& a) {
  const FixedEpilogue ep(a.q.fl_x, a.q, a.act, a.act_min, a.act_max, a.rq);
  dense_bc_rows<int64_t>(a, [&](size_t at, int o, int64_t acc) { a.y[at] = T(ep(acc + bias_i32(a.bias, o), o)); });
}

void dense_bnn(const DenseBnnArgs& a) {
  const size_t in_words = a.in_words > 0 ? size_t(a.in_words) : bits::words_for(size_t(a.s.in));
  const size_t out_words = bits::words_for(size_t(a.s.out));
  for (int b = 0; b < a.s.batch; ++b) {
    const uint64_t* x = a.x + size_t(b) * in_words;
    if (a.out.kind == BnnOutput::kBits)
      for (size_t w = 0; w < out_words; ++w) a.out.y_bits[size_t(b) * out_words + w] = 0;
    for (int o = 0; o < a.s.out; ++o) {
      int ones = 0;
      for (size_t w = 0; w < in_words; ++w) ones += bits::popcount64(x[w] ^ a.w[size_t(o) * in_words + w]);
      const int32_t dot = a.s.in - 2 * ones;
      if (a.out.kind == BnnOutput::kBits) {
        if (bits::apply_threshold(a.out.thresholds[o], dot) < 0)
          a.out.y_bits[size_t(b) * out_words + size_t(o) / 64] |= uint64_t(1) << (o % 64);
      } else {
        bnn_store_scalar(a.out, o, dot, size_t(b) * a.s.out + o);
      }
    }
  }
}

template void dense_fixed<int8_t>(const DenseArgs<int8_t>&);
template void dense_fixed<int16_t>(const DenseArgs<int16_t>&);
template void dense_bc_fixed<int8_t>(const DenseBcArgs<int8_t>&);
template void dense_bc_fixed<int16_t>(const DenseBcArgs<int16_t>&);

}  // namespace slimrt::kernels::ref
