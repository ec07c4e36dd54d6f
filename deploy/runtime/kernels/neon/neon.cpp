// ARM NEON kernels (aarch64, where Advanced SIMD is baseline): the portable SIMD
// kernels at 16-byte vectors plus int8 / int16 kernels in NEON intrinsics.
// int8: vmull_s8 (int16 products, exact: |p| ≤ 2^14) + vpadalq_s16 into int32 lanes;
// int16: vmull_s16 (int32 products) + vpadalq_s32 into int64 lanes — both exact.
#include <arm_neon.h>

#include "kernels/detail.h"
#include "kernels/ref/ref.h"  // reference kernels for tails (quantize)

namespace slimrt::kernels::neon {
#define SLIMRT_VEC_BYTES 16
#define SLIMRT_GEMM_MR 8
#define SLIMRT_GEMM_NV 3
#include "kernels/simd/generic.inc"
#include "kernels/simd/conv_direct.inc"
#include "kernels/simd/bc.inc"
#undef SLIMRT_VEC_BYTES
#undef SLIMRT_GEMM_MR
#undef SLIMRT_GEMM_NV

constexpr int kMaxK8 = 1 << 16;  // int32 lanes: ≤ 2^15 per vpadal pair… exact below 2^17 terms

// Σ x[i]·w[i] over n int8 values, 16 at a time.
inline int32x4_t dot16_i8(int32x4_t acc, int8x16_t x, int8x16_t w) {
  acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(x), vget_low_s8(w)));
  return vpadalq_s16(acc, vmull_high_s8(x, w));
}

inline void dot4_i8(const int8_t* x, const int8_t* w, size_t stride, int n, int32_t* out) {
  int32x4_t a0 = vdupq_n_s32(0), a1 = a0, a2 = a0, a3 = a0;
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    const int8x16_t xv = vld1q_s8(x + i);
    a0 = dot16_i8(a0, xv, vld1q_s8(w + i));
    a1 = dot16_i8(a1, xv, vld1q_s8(w + stride + i));
    a2 = dot16_i8(a2, xv, vld1q_s8(w + 2 * stride + i));
    a3 = dot16_i8(a3, xv, vld1q_s8(w + 3 * stride + i));
  }
  int32_t s[4] = {vaddvq_s32(a0), vaddvq_s32(a1), vaddvq_s32(a2), vaddvq_s32(a3)};
  for (; i < n; ++i)
    for (int r = 0; r < 4; ++r) s[r] += int32_t(x[i]) * w[r * stride + i];
  for (int r = 0; r < 4; ++r) out[r] = s[r];
}
inline int32_t dot1_i8(const int8_t* x, const int8_t* w, int n) {
  int32x4_t a = vdupq_n_s32(0);
  int i = 0;
  for (; i + 16 <= n; i += 16) a = dot16_i8(a, vld1q_s8(x + i), vld1q_s8(w + i));
  int32_t s = vaddvq_s32(a);
  for (; i < n; ++i) s += int32_t(x[i]) * w[i];
  return s;
}

inline bool dense_i8_supports(const DenseArgs<int8_t>& a) { return a.s.in <= kMaxK8; }
// Dense int8 as a GEMV over weights packed at load as [⌈out/8⌉][⌈in/2⌉][8][2] int8 (the
// AVX2 kernel's layout, in bytes): an input pair broadcast (x0 x1 x0 x1 …) times the
// pair's weights of 8 outputs — vmull_s8 / vmull_high_s8, then vpadalq_s16 adds each
// output's two products into its int32 lane. No horizontal sums and no scalar tails
// (the packing zero-pads both sizes); the sums are exact, so their order does not matter.
constexpr int kGemvRows = 8;
inline size_t gemv_k2(const DenseArgs<int8_t>& a) { return (size_t(a.s.in) + 1) / 2; }
inline size_t gemv_blocks(const DenseArgs<int8_t>& a) { return (size_t(a.s.out) + kGemvRows - 1) / kGemvRows; }
inline size_t dense_i8_packed_bytes(const DenseArgs<int8_t>& a) { return gemv_blocks(a) * gemv_k2(a) * kGemvRows * 2; }
inline void dense_i8_pack(const DenseArgs<int8_t>& a, void* dst) {
  int8_t* p = static_cast<int8_t*>(dst);
  const size_t in = size_t(a.s.in), out = size_t(a.s.out);
  for (size_t b = 0; b < gemv_blocks(a); ++b)
    for (size_t k = 0; k < gemv_k2(a); ++k)
      for (size_t r = 0; r < kGemvRows; ++r)
        for (size_t j = 0; j < 2; ++j) {
          const size_t o = b * kGemvRows + r, i = 2 * k + j;
          *p++ = o < out && i < in ? a.w[o * in + i] : 0;
        }
}
inline size_t dense_i8_scratch(const DenseArgs<int8_t>& a) { return align_up(gemv_k2(a) * sizeof(int16_t)); }
SLIMRT_NOINLINE inline void dense_i8(const DenseArgs<int8_t>& a) {
  const int in = a.s.in, out = a.s.out;
  const size_t k2 = gemv_k2(a);
  const int8_t* wp = static_cast<const int8_t*>(a.ws.packed);
  int16_t* xp = static_cast<int16_t*>(a.ws.scratch);  // the input's pairs, x0 in the low byte
  const int32_t* bias = static_cast<const int32_t*>(a.bias);
  const detail::FixedEpilogue ep(a.q.fl_x + a.q.fl_w, a.q, a.act, a.act_min, a.act_max, a.rq);
  for (int b = 0; b < a.s.batch; ++b) {
    const int8_t* x = a.x + size_t(b) * in;
    int8_t* y = a.y + size_t(b) * out;
    for (size_t k = 0; k < k2; ++k) {
      const uint8_t x0 = uint8_t(x[2 * k]), x1 = 2 * k + 1 < size_t(in) ? uint8_t(x[2 * k + 1]) : 0;
      xp[k] = int16_t(uint16_t(x0 | x1 << 8));
    }
    for (int o = 0; o < out; o += kGemvRows) {
      const int8_t* w = wp + size_t(o / kGemvRows) * k2 * kGemvRows * 2;
      int32x4_t lo = vdupq_n_s32(0), hi = lo;
      for (size_t k = 0; k < k2; ++k) {
        const int8x16_t xv = vreinterpretq_s8_s16(vld1q_dup_s16(xp + k));
        const int8x16_t wv = vld1q_s8(w + k * kGemvRows * 2);
        lo = vpadalq_s16(lo, vmull_s8(vget_low_s8(wv), vget_low_s8(xv)));
        hi = vpadalq_s16(hi, vmull_high_s8(wv, xv));
      }
      int32_t s[kGemvRows];
      vst1q_s32(s, lo);
      vst1q_s32(s + 4, hi);
      for (int r = 0; r < kGemvRows && o + r < out; ++r)
        y[o + r] = int8_t(ep(int64_t(s[r]) + (bias ? bias[o + r] : 0), o + r));
    }
  }
}

// Conv int8: each output pixel's patch gathered into a contiguous row (scratch, zero
// padding), then 4 filters × 1 patch dot products.
inline int conv_k_of(const ConvShape& s) { return s.in_c / s.groups * s.kernel_h * s.kernel_w; }
inline bool conv_i8_supports(const ConvArgs<int8_t>& a) { return conv_k_of(a.s) <= kMaxK8 && a.s.gemm_friendly(); }
inline size_t conv_i8_scratch(const ConvArgs<int8_t>& a) { return align_up(size_t(conv_k_of(a.s))); }
inline void conv_i8(const ConvArgs<int8_t>& a) {
  const ConvShape& s = a.s;
  const int oh = s.out_h(), ow = s.out_w(), mg = s.out_c / s.groups, K = conv_k_of(s), cpg = s.in_c / s.groups;
  int8_t* patch = static_cast<int8_t*>(a.ws.scratch);
  const int32_t* bias = static_cast<const int32_t*>(a.bias);
  const detail::FixedEpilogue ep(a.q.fl_x + a.q.fl_w, a.q, a.act, a.act_min, a.act_max, a.rq);
  for (int b = 0; b < s.batch; ++b)
    for (int g = 0; g < s.groups; ++g) {
      const int8_t* x = a.x + (size_t(b) * s.in_c + size_t(g) * cpg) * s.in_h * s.in_w;
      for (int oy = 0; oy < oh; ++oy)
        for (int ox = 0; ox < ow; ++ox) {
          int k = 0;
          for (int c = 0; c < cpg; ++c)
            for (int ky = 0; ky < s.kernel_h; ++ky) {
              const int iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
              for (int kx = 0; kx < s.kernel_w; ++kx, ++k) {
                const int ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
                patch[k] = iy >= 0 && iy < s.in_h && ix >= 0 && ix < s.in_w ? x[(size_t(c) * s.in_h + iy) * s.in_w + ix] : 0;
              }
            }
          int8_t* y = a.y + (size_t(b) * s.out_c + size_t(g) * mg) * oh * ow + size_t(oy) * ow + ox;
          const int8_t* w = a.w + size_t(g) * mg * K;
          int o = 0;
          for (; o + 4 <= mg; o += 4) {
            int32_t sums[4];
            dot4_i8(patch, w + size_t(o) * K, size_t(K), K, sums);
            for (int r = 0; r < 4; ++r)
              y[size_t(o + r) * oh * ow] = int8_t(ep(int64_t(sums[r]) + (bias ? bias[g * mg + o + r] : 0), g * mg + o + r));
          }
          for (; o < mg; ++o)
            y[size_t(o) * oh * ow] = int8_t(ep(int64_t(dot1_i8(patch, w + size_t(o) * K, K)) + (bias ? bias[g * mg + o] : 0), g * mg + o));
        }
    }
}

inline void dense_i16(const DenseArgs<int16_t>& a) {
  const int32_t* bias = static_cast<const int32_t*>(a.bias);
  const detail::FixedEpilogue ep(a.q.fl_x + a.q.fl_w, a.q, a.act, a.act_min, a.act_max, a.rq);
  for (int b = 0; b < a.s.batch; ++b) {
    const int16_t* x = a.x + size_t(b) * a.s.in;
    for (int o = 0; o < a.s.out; ++o) {
      const int16_t* w = a.w + size_t(o) * a.s.in;
      int64x2_t acc = vdupq_n_s64(0);
      int i = 0;
      for (; i + 8 <= a.s.in; i += 8) {
        const int16x8_t xv = vld1q_s16(x + i), wv = vld1q_s16(w + i);
        acc = vpadalq_s32(acc, vmull_s16(vget_low_s16(xv), vget_low_s16(wv)));
        acc = vpadalq_s32(acc, vmull_high_s16(xv, wv));
      }
      int64_t s = vaddvq_s64(acc);
      for (; i < a.s.in; ++i) s += int64_t(x[i]) * w[i];
      a.y[size_t(b) * a.s.out + o] = int16_t(ep(s + (bias ? bias[o] : 0), o));
    }
  }
}
#include "kernels/simd/rnn_fixed.inc"
#include "kernels/simd/elementwise.inc"
#include "kernels/simd/pool.inc"
}  // namespace slimrt::kernels::neon

namespace slimrt::kernels {
#define SLIMRT_ISA_NS neon
#define SLIMRT_ISA Isa::kNeon
#define SLIMRT_ISA_PRIORITY 20
#define SLIMRT_ISA_X86 0
#include "kernels/simd/generic_register.inc"
#include "kernels/simd/elementwise_register.inc"
#include "kernels/simd/bc_register.inc"
#undef SLIMRT_ISA_X86
#undef SLIMRT_ISA_NS
#undef SLIMRT_ISA
#undef SLIMRT_ISA_PRIORITY

void detail::add_neon_kernels(std::vector<Kernel>& out) {
  using namespace detail;
  add_generic_kernels(out);
  add_rnn_fixed_kernels(out);
  add_elementwise_kernels(out);
  add_bc_kernels(out);
  for (Op op : {Op::kConv1d, Op::kConv2d}) {
    Kernel k = generic_kernel<ConvArgs<int8_t>, neon::conv_i8>(op, Precision::kI8);
    k.supports = &supports_thunk<ConvArgs<int8_t>, neon::conv_i8_supports>;
    k.scratch_bytes = &bytes_thunk<ConvArgs<int8_t>, neon::conv_i8_scratch>;
    out.push_back(k);
  }
  Kernel k = generic_kernel<DenseArgs<int8_t>, neon::dense_i8>(Op::kDense, Precision::kI8);
  k.supports = &supports_thunk<DenseArgs<int8_t>, neon::dense_i8_supports>;
  k.packed_bytes = &bytes_thunk<DenseArgs<int8_t>, neon::dense_i8_packed_bytes>;
  k.pack = &pack_thunk<DenseArgs<int8_t>, neon::dense_i8_pack>;
  k.scratch_bytes = &bytes_thunk<DenseArgs<int8_t>, neon::dense_i8_scratch>;
  out.push_back(k);
  out.push_back(generic_kernel<DenseArgs<int16_t>, neon::dense_i16>(Op::kDense, Precision::kI16));
}
}  // namespace slimrt::kernels
