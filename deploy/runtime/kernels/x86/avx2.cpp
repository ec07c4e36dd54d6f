// AVX2 + FMA kernels: the portable SIMD
// kernels at 32-byte vectors plus int8 / int16 / BNN kernels in intrinsics. Everything
// ISA-specific sits between push_options and pop_options in namespace avx2, so no
// AVX2 code is shared with (or runs before the CPU check of) the rest of slimrt.
#include <immintrin.h>

#include "kernels/detail.h"
#include "kernels/ref/ref.h"  // reference kernels for tails (quantize)

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
#include "kernels/simd/conv_direct.inc"
#include "kernels/simd/bc.inc"
#undef SLIMRT_VEC_BYTES
#undef SLIMRT_GEMM_MR
#undef SLIMRT_GEMM_NV
#include "kernels/x86/int8_avx2.inc"
#include "kernels/x86/bc_int8.inc"
#include "kernels/x86/bnn_avx2.inc"
#include "kernels/simd/rnn_fixed.inc"
#include "kernels/simd/elementwise.inc"
#include "kernels/simd/pool.inc"
}  // namespace slimrt::kernels::avx2

#define SLIMRT_ISA_NS avx2
#define SLIMRT_ISA Isa::kAvx2
#define SLIMRT_ISA_PRIORITY 20
#define SLIMRT_GENERIC_NO_BNN_CONV  // its own, below (bnn_avx2.inc)
#include "kernels/x86/isa_register.inc"

namespace slimrt::kernels {
void detail::add_avx2_kernels(std::vector<Kernel>& out) {
  using namespace detail;
  add_x86_isa_kernels(out);
  out.push_back(generic_kernel<DenseArgs<int16_t>, avx2::dense_i16>(Op::kDense, Precision::kI16));
  for (Op op : {Op::kConv1d, Op::kConv2d}) {
    Kernel k = generic_kernel<ConvBnnArgs, avx2::conv_bnn_pix>(op, Precision::kBnn);
    k.packed_bytes = &bytes_thunk<ConvBnnArgs, avx2::conv_bnn_packed_bytes>;
    k.pack = &pack_thunk<ConvBnnArgs, avx2::conv_bnn_pack>;
    k.scratch_bytes = &bytes_thunk<ConvBnnArgs, avx2::conv_bnn_pix_scratch>;
    out.push_back(k);
  }
  out.push_back(generic_kernel<PackBitsArgs<float>, avx2::pack_bits_f32>(Op::kPackBits, Precision::kF32));
}
}  // namespace slimrt::kernels
