// AVX2 + FMA kernels: the portable SIMD
// kernels at 32-byte vectors plus int8 / int16 / BNN kernels in intrinsics. Everything
// ISA-specific sits between push_options and pop_options in namespace avx2, so no
// AVX2 code is shared with (or runs before the CPU check of) the rest of slimrt.
#include <immintrin.h>

#include "kernels/detail.h"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,popcnt"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,popcnt")
#endif

namespace slimrt::kernels::avx2 {
#define SLIMRT_VEC_BYTES 32
#define SLIMRT_GEMM_MR 6
#define SLIMRT_GEMM_NV 2
#include "kernels/simd/generic.inc"
#undef SLIMRT_VEC_BYTES
#undef SLIMRT_GEMM_MR
#undef SLIMRT_GEMM_NV
#include "kernels/x86/int8_avx2.inc"
#include "kernels/simd/rnn_fixed.inc"
}  // namespace slimrt::kernels::avx2

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

namespace slimrt::kernels {
#define SLIMRT_ISA_NS avx2
#define SLIMRT_ISA Isa::kAvx2
#define SLIMRT_ISA_PRIORITY 20
#include "kernels/simd/generic_register.inc"
#undef SLIMRT_ISA_NS
#undef SLIMRT_ISA
#undef SLIMRT_ISA_PRIORITY

void detail::add_avx2_kernels(std::vector<Kernel>& out) {
  using namespace detail;
  add_generic_kernels(out);
  for (Op op : {Op::kGru, Op::kLstm}) {
    const bool lstm = op == Op::kLstm;
    Kernel r = generic_kernel<RnnArgs<int8_t>, avx2::gru_i8>(op, Precision::kI8);
    if (lstm) r.run = &run_thunk<RnnArgs<int8_t>, avx2::lstm_i8>;
    r.supports = &supports_thunk<RnnArgs<int8_t>, avx2::rnn_i8_supports>;
    r.packed_bytes = lstm ? &bytes_thunk<RnnArgs<int8_t>, avx2::lstm_i8_packed> : &bytes_thunk<RnnArgs<int8_t>, avx2::gru_i8_packed>;
    r.pack = lstm ? &pack_thunk<RnnArgs<int8_t>, avx2::lstm_i8_pack> : &pack_thunk<RnnArgs<int8_t>, avx2::gru_i8_pack>;
    r.scratch_bytes = lstm ? &bytes_thunk<RnnArgs<int8_t>, avx2::lstm_i8_scratch> : &bytes_thunk<RnnArgs<int8_t>, avx2::gru_i8_scratch>;
    out.push_back(r);
  }
  for (Op op : {Op::kConv1d, Op::kConv2d}) {
    Kernel k = generic_kernel<ConvArgs<int8_t>, avx2::conv_i8>(op, Precision::kI8);
    k.supports = &supports_thunk<ConvArgs<int8_t>, avx2::conv_i8_supports>;
    k.packed_bytes = &bytes_thunk<ConvArgs<int8_t>, avx2::conv_i8_packed_bytes>;
    k.pack = &pack_thunk<ConvArgs<int8_t>, avx2::conv_i8_pack>;
    k.scratch_bytes = &bytes_thunk<ConvArgs<int8_t>, avx2::conv_i8_scratch>;
    out.push_back(k);
  }
  Kernel k = generic_kernel<DenseArgs<int8_t>, avx2::dense_i8>(Op::kDense, Precision::kI8);
  k.supports = &supports_thunk<DenseArgs<int8_t>, avx2::dense_i8_supports>;
  k.packed_bytes = &bytes_thunk<DenseArgs<int8_t>, avx2::dense_i8_packed_bytes>;
  k.pack = &pack_thunk<DenseArgs<int8_t>, avx2::dense_i8_pack>;
  k.scratch_bytes = &bytes_thunk<DenseArgs<int8_t>, avx2::dense_i8_scratch>;
  out.push_back(k);
  out.push_back(generic_kernel<DenseArgs<int16_t>, avx2::dense_i16>(Op::kDense, Precision::kI16));
}
}  // namespace slimrt::kernels
