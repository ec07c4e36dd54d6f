// AVX-512 kernels (F, BW, VL, DQ, VNNI, VPOPCNTDQ + AVX2/FMA): the portable SIMD
// kernels at 64-byte vectors plus int8 / int16 / BNN kernels in intrinsics. Everything
// ISA-specific sits between push_options and pop_options in namespace avx512, so no
// AVX-512 code is shared with (or runs before the CPU check of) the rest of slimrt.
#include <immintrin.h>

#include "kernels/detail.h"
#include "kernels/ref/ref.h"  // reference kernels for tails (quantize)

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,popcnt,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx512vpopcntdq"))), apply_to = function)
#else
#pragma GCC push_options
// GCC 12 flags its own _mm512_reduce_add_* helpers (a known false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC target("avx2,fma,popcnt,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx512vpopcntdq")
#endif

namespace slimrt::kernels::avx512 {
#define SLIMRT_VEC_BYTES 64
#define SLIMRT_GEMM_MR 12
#define SLIMRT_GEMM_NV 2
#include "kernels/simd/generic.inc"
#include "kernels/simd/conv_direct.inc"
#include "kernels/simd/bc.inc"
#undef SLIMRT_VEC_BYTES
#undef SLIMRT_GEMM_MR
#undef SLIMRT_GEMM_NV
#include "kernels/x86/int8_avx512.inc"
#include "kernels/x86/dense_i16_avx512.inc"
#include "kernels/x86/bc_int8.inc"
#include "kernels/simd/rnn_fixed.inc"
#include "kernels/simd/elementwise.inc"
#include "kernels/simd/pool.inc"
}  // namespace slimrt::kernels::avx512

#define SLIMRT_ISA_NS avx512
#define SLIMRT_ISA Isa::kAvx512
#define SLIMRT_ISA_PRIORITY 30
#define SLIMRT_GENERIC_NO_BNN_CONV
#include "kernels/x86/isa_register.inc"

namespace slimrt::kernels {
void detail::add_avx512_kernels(std::vector<Kernel>& out) {
  using namespace detail;
  add_x86_isa_kernels(out);
  for (Op op : {Op::kConv1d, Op::kConv2d}) {
    Kernel c = generic_kernel<ConvBnnArgs, avx512::conv_bnn_bgemm>(op, Precision::kBnn);
    c.packed_bytes = &bytes_thunk<ConvBnnArgs, avx512::conv_bnn_bgemm_packed_bytes>;
    c.pack = &pack_thunk<ConvBnnArgs, avx512::conv_bnn_bgemm_pack>;
    c.scratch_bytes = &bytes_thunk<ConvBnnArgs, avx512::conv_bnn_scratch>;
    out.push_back(c);
  }
  Kernel k = generic_kernel<DenseBnnArgs, avx512::dense_bnn_bgemm>(Op::kDense, Precision::kBnn);
  k.name += "_bgemm";
  k.priority += 2;
  k.supports = &supports_thunk<DenseBnnArgs, avx512::dense_bnn_bgemm_supports>;
  k.packed_bytes = &bytes_thunk<DenseBnnArgs, avx512::dense_bnn_bgemm_packed_bytes>;
  k.pack = &pack_thunk<DenseBnnArgs, avx512::dense_bnn_bgemm_pack>;
  k.scratch_bytes = &bytes_thunk<DenseBnnArgs, avx512::dense_bnn_bgemm_scratch>;
  out.push_back(k);
  k = generic_kernel<DenseBnnArgs, avx512::dense_bnn_vpopcnt>(Op::kDense, Precision::kBnn);
  k.name += "_vpopcnt";
  k.priority += 1;
  k.supports = &supports_thunk<DenseBnnArgs, avx512::dense_bnn_vpopcnt_supports>;
  out.push_back(k);
}
}  // namespace slimrt::kernels
