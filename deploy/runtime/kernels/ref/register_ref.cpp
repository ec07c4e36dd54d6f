// Registers every reference kernel: one line per op and precision.
#include "kernels/detail.h"
#include "kernels/ref/ref.h"

namespace slimrt::kernels::detail {
namespace {
// Out of line so each registration below is one small call.
__attribute__((noinline)) void push(std::vector<Kernel>& out, Op op, Precision p, void (*run)(const void*, void*),
                                    size_t (*scratch)(const void*)) {
  out.push_back(make_kernel(op, p, Isa::kRef, 0, run));
  out.back().scratch_bytes = scratch;
}
template <class A, void (*F)(const A&)>
inline void add(std::vector<Kernel>& out, Op op, Precision p, size_t (*scratch)(const void*) = nullptr) {
  push(out, op, p, &run_thunk<A, F>, scratch);
}

// Element-typed ops for f32, i8, i16.
template <class T>
void add_typed(std::vector<Kernel>& out) {
  constexpr Precision P = Elem<T>::kPrecision;
  if constexpr (std::is_same_v<T, float>) {
    add<DenseArgs<float>, ref::dense_f32>(out, Op::kDense, P);
    add<ConvArgs<float>, ref::conv_f32>(out, Op::kConv1d, P);
    add<ConvArgs<float>, ref::conv_f32>(out, Op::kConv2d, P);
    add<ConvArgs<float>, ref::conv_f32>(out, Op::kDepthwiseConv2d, P);
    add<RnnArgs<float>, ref::gru_f32>(out, Op::kGru, P);
    add<RnnArgs<float>, ref::lstm_f32>(out, Op::kLstm, P, &bytes_thunk<RnnArgs<float>, ref::rnn_f32_scratch>);
  } else {
    add<DenseArgs<T>, ref::dense_fixed<T>>(out, Op::kDense, P);
    add<ConvArgs<T>, ref::conv_fixed<T>>(out, Op::kConv1d, P);
    add<ConvArgs<T>, ref::conv_fixed<T>>(out, Op::kConv2d, P);
    add<ConvArgs<T>, ref::conv_fixed<T>>(out, Op::kDepthwiseConv2d, P);
    add<RnnArgs<T>, ref::gru_fixed<T>>(out, Op::kGru, P);
    add<RnnArgs<T>, ref::lstm_fixed<T>>(out, Op::kLstm, P, &bytes_thunk<RnnArgs<T>, ref::rnn_fixed_scratch<T>>);
    add<QuantizeArgs<T>, ref::quantize<T>>(out, Op::kQuantize, P);
    add<DequantizeArgs<T>, ref::dequantize<T>>(out, Op::kDequantize, P);
  }
  add<PoolArgs<T>, ref::max_pool<T>>(out, Op::kMaxPool1d, P);
  add<PoolArgs<T>, ref::max_pool<T>>(out, Op::kMaxPool2d, P);
  add<PoolArgs<T>, ref::avg_pool<T>>(out, Op::kAvgPool2d, P);
  add<ReduceMeanArgs<T>, ref::global_avg_pool<T>>(out, Op::kGlobalAvgPool, P);
  add<ReduceMeanArgs<T>, ref::mean_over_time<T>>(out, Op::kMeanOverTime, P);
  add<ActivationArgs<T>, ref::relu<T>>(out, Op::kRelu, P);
#define SLIMRT_ADD_CLAMP_(Name, lo, hi) add<ActivationArgs<T>, const_clamp<T, ref::hard_tanh<T>, lo, hi>>(out, Op::k##Name, P);
  SLIMRT_CONST_CLAMP_OPS(SLIMRT_ADD_CLAMP_)
#undef SLIMRT_ADD_CLAMP_
  add<ActivationArgs<T>, ref::hard_tanh<T>>(out, Op::kHardTanh, P);
  add<ActivationArgs<T>, ref::sign<T>>(out, Op::kSign, P);
  add<AddArgs<T>, ref::add<T>>(out, Op::kAdd, P);
  add<AddArgs<T>, ref::sub<T>>(out, Op::kSub, P);
  add<AddArgs<T>, ref::mul<T>>(out, Op::kMul, P);
  add<AddArgs<T>, ref::div<T>>(out, Op::kDiv, P);
  add<SoftmaxArgsT<T>, ref::softmax<T>>(out, Op::kSoftmax, P);
  add<SoftmaxArgsT<T>, ref::softmax<T>>(out, Op::kLogSoftmax, P);
  add<PackBitsArgs<T>, ref::pack_bits<T>>(out, Op::kPackBits, P);
#define SLIMRT_ADD_UNARY_(Name) add<ActivationArgs<T>, ref::unary<ref::Name##Fn, T>>(out, Op::k##Name, P);
  SLIMRT_UNARY_OPS(SLIMRT_ADD_UNARY_)
#undef SLIMRT_ADD_UNARY_
}

template <class T, Precision P>
void add_binary_connect(std::vector<Kernel>& out) {
  if constexpr (std::is_same_v<T, float>) {
    add<DenseBcArgs<float>, ref::dense_bc_f32>(out, Op::kDense, P);
    add<ConvBcArgs<float>, ref::conv_bc_f32>(out, Op::kConv1d, P);
    add<ConvBcArgs<float>, ref::conv_bc_f32>(out, Op::kConv2d, P);
  } else {
    add<DenseBcArgs<T>, ref::dense_bc_fixed<T>>(out, Op::kDense, P);
    add<ConvBcArgs<T>, ref::conv_bc_fixed<T>>(out, Op::kConv1d, P);
    add<ConvBcArgs<T>, ref::conv_bc_fixed<T>>(out, Op::kConv2d, P);
  }
}
}  // namespace

void add_ref_kernels(std::vector<Kernel>& out) {
  add_typed<float>(out);
  add_typed<int8_t>(out);
  add_typed<int16_t>(out);
  add_binary_connect<float, Precision::kBcF32>(out);
  add_binary_connect<int8_t, Precision::kBcI8>(out);
  add_binary_connect<int16_t, Precision::kBcI16>(out);
  add<DenseBnnArgs, ref::dense_bnn>(out, Op::kDense, Precision::kBnn);
  add<ConvBnnArgs, ref::conv_bnn>(out, Op::kConv1d, Precision::kBnn);
  add<ConvBnnArgs, ref::conv_bnn>(out, Op::kConv2d, Precision::kBnn);
  add<PoolBitsArgs, ref::max_pool_bits>(out, Op::kMaxPool1d, Precision::kBnn);
  add<PoolBitsArgs, ref::max_pool_bits>(out, Op::kMaxPool2d, Precision::kBnn);
  add<UnpackBitsArgs, ref::unpack_bits>(out, Op::kUnpackBits, Precision::kBnn);
  add<ConcatArgs, ref::concat>(out, Op::kConcat, Precision::kAny);
  add<TransposeArgs, ref::transpose>(out, Op::kTranspose, Precision::kAny);
  add<SliceArgs, ref::slice>(out, Op::kSlice, Precision::kAny);
  add<SliceArgs, ref::reverse>(out, Op::kReverse, Precision::kAny);
  add<RequantizeArgs, ref::requantize>(out, Op::kRequantize, Precision::kAny);
}

}  // namespace slimrt::kernels::detail
