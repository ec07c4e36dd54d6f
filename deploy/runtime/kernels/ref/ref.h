#pragma once
// The reference kernels as plain functions (the oracle). Optimized variants call them
// for cases they do not cover; tests call them directly.
#include <cmath>

#include "kernels/kernels.h"

namespace slimrt::kernels::ref {
#include "kernels/unary.inc"

// The unary ops of kernels/unary.inc (Sigmoid, HardSwish, …): F::f32 on floats,
// F::fixed on each fixed-point value (ActivationArgs::q: fl_x → ⟨wl_y, fl_y⟩); both get
// the op's attributes ActivationArgs::p.
template <class F, class T>
void unary(const ActivationArgs<T>& a) {
  for (int64_t i = 0; i < a.count; ++i) {
    if constexpr (std::is_same_v<T, float>) a.y[i] = F::f32(a.x[i], a.p);
    else a.y[i] = T(F::fixed(a.x[i], a.q, a.p));
  }
}

void dense_f32(const DenseArgs<float>& a);
template <class T> void dense_fixed(const DenseArgs<T>& a);
void dense_bc_f32(const DenseBcArgs<float>& a);
template <class T> void dense_bc_fixed(const DenseBcArgs<T>& a);
void dense_bnn(const DenseBnnArgs& a);

void conv_f32(const ConvArgs<float>& a);
template <class T> void conv_fixed(const ConvArgs<T>& a);
void conv_bc_f32(const ConvBcArgs<float>& a);
template <class T> void conv_bc_fixed(const ConvBcArgs<T>& a);
void conv_bnn(const ConvBnnArgs& a);

template <class T> void max_pool(const PoolArgs<T>& a);
template <class T> void avg_pool(const PoolArgs<T>& a);
void max_pool_bits(const PoolBitsArgs& a);
template <class T> void global_avg_pool(const ReduceMeanArgs<T>& a);
template <class T> void mean_over_time(const ReduceMeanArgs<T>& a);

size_t rnn_f32_scratch(const RnnArgs<float>& a);
void gru_f32(const RnnArgs<float>& a);
void lstm_f32(const RnnArgs<float>& a);
template <class T> size_t rnn_fixed_scratch(const RnnArgs<T>& a);
template <class T> void gru_fixed(const RnnArgs<T>& a);
template <class T> void lstm_fixed(const RnnArgs<T>& a);

template <class T> void relu(const ActivationArgs<T>& a);
template <class T> void hard_tanh(const ActivationArgs<T>& a);
template <class T> void sign(const ActivationArgs<T>& a);
template <class T> void softmax(const SoftmaxArgsT<T>& a);
template <class T> void add(const AddArgs<T>& a);
template <class T> void sub(const AddArgs<T>& a);
template <class T> void mul(const AddArgs<T>& a);
template <class T> void div(const AddArgs<T>& a);
void concat(const ConcatArgs& a);
void transpose(const TransposeArgs& a);
void slice(const SliceArgs& a);
void reverse(const SliceArgs& a);  // [begin, end) of the axis, backwards
template <class T> void quantize(const QuantizeArgs<T>& a);
template <class T> void dequantize(const DequantizeArgs<T>& a);
void requantize(const RequantizeArgs& a);
template <class T> void pack_bits(const PackBitsArgs<T>& a);
void unpack_bits(const UnpackBitsArgs& a);

}  // namespace slimrt::kernels::ref
