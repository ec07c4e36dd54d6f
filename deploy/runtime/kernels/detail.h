#pragma once
// Internals shared by the kernel files: epilogues (bias, requantization, fused
// activation) used by every variant so they agree by construction, and the helper
// that turns a typed function into a registry entry. Not part of the interpreter's API.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>
#include <cstring>

#include "kernels/kernels.h"

namespace slimrt::kernels::detail {

// ---- registry helpers -----------------------------------------------------------
template <class A, void (*F)(const A&)>
void run_thunk(const void* args, void*) { F(*static_cast<const A*>(args)); }
template <class A, bool (*F)(const A&)>
bool supports_thunk(const void* args) { return F(*static_cast<const A*>(args)); }
template <class A, size_t (*F)(const A&)>
size_t bytes_thunk(const void* args) { return F(*static_cast<const A*>(args)); }
template <class A, void (*F)(const A&, void*)>
void pack_thunk(const void* args, void* dst) { F(*static_cast<const A*>(args), dst); }

// Out of line (registry.cpp): one call per registered kernel keeps registration small.
Kernel make_kernel(Op op, Precision p, Isa isa, int priority, void (*run)(const void*, void*));

// A fixed-point unary op's table: fixed(lo + v, q) for every value v of the storage
// type T (int8_t, int16_t), lo its minimum. Out of line (registry.cpp), one copy for
// every ISA's table kernels (kernels/simd/generic.inc); runs once per load.
using UnaryFixedFn = int64_t (*)(int64_t, const FixedFormats&, const UnaryParams&);
template <class T>
void fill_unary_table(T* table, const FixedFormats& q, const UnaryParams& p, UnaryFixedFn fixed);
extern template void fill_unary_table<int8_t>(int8_t*, const FixedFormats&, const UnaryParams&, UnaryFixedFn);
extern template void fill_unary_table<int16_t>(int16_t*, const FixedFormats&, const UnaryParams&, UnaryFixedFn);

// Big kernels are not inlined into their several callers (code size: slimrt ≤ 200 KB).
#define SLIMRT_NOINLINE __attribute__((noinline))

void add_ref_kernels(std::vector<Kernel>& out);
void add_avx2_kernels(std::vector<Kernel>& out);    // x86 builds only
void add_avx512_kernels(std::vector<Kernel>& out);  // x86 builds only
void add_neon_kernels(std::vector<Kernel>& out);    // aarch64 builds only
// The SIMD families compiled into this binary (none in the shared core); returns their
// names ("avx2, avx512", "neon" or "").
const char* add_builtin_simd_kernels(std::vector<Kernel>& out);

// ---- the optional SIMD library (shared builds: libslimrt_simd.so) -----------------
// The core dlopen()s it from its own directory and calls this entry with the identity of
// its own build; the library adds its kernels only when the identity is its own (kernel
// args are internal structs: a library of another build could read them differently).
#define SLIMRT_SIMD_ENTRY "slimrt_simd_add_kernels"
using SimdEntryFn = const char* (*)(const char* build_id, std::vector<Kernel>* out, const char** error);
// Loads the optional library into `out` (simd_loader.cpp, shared core only); returns the
// line kernel_library() reports (static storage).
const char* load_simd_library(std::vector<Kernel>& out);

// M(T) for every element type of the float / fixed-point kernels (explicit instantiations).
#define SLIMRT_FOR_ELEM_TYPES(M) M(float) M(int8_t) M(int16_t)

// ---- element traits -----------------------------------------------------------------
template <class T> struct Elem;
template <> struct Elem<float> { static constexpr Precision kPrecision = Precision::kF32; };
template <> struct Elem<int8_t> { static constexpr Precision kPrecision = Precision::kI8; using Acc = int32_t; };
template <> struct Elem<int16_t> { static constexpr Precision kPrecision = Precision::kI16; using Acc = int64_t; };

// ---- float epilogue -----------------------------------------------------------------
struct FloatEpilogue {
  float lo = -INFINITY, hi = INFINITY;
  FloatEpilogue() = default;
  FloatEpilogue(Activation act, float act_min, float act_max) {
    if (act == Activation::kRelu) lo = 0;
    if (act == Activation::kRelu6) { lo = 0; hi = 6; }
    if (act == Activation::kHardTanh) { lo = act_min; hi = act_max; }
  }
  float operator()(float v) const { return v < lo ? lo : (v > hi ? hi : v); }
};

// ---- fixed-point epilogue -------------------------------------------------------------
// requantize(acc, fl_acc, wl_y, fl_y), then the activation as a clamp of the integer:
// ReLU's 0, ReLU6's quantize(6), hard-tanh's quantize(min) / quantize(max).
// With a folded batch norm (ChannelRequant) the channel form applies its multiplier
// and offset first (fixed::requantize_channel).
struct FixedEpilogue {
  int fl_acc = 0, wl_y = 8, fl_y = 0;
  int64_t lo = 0, hi = 0;
  ChannelRequant rq;
  FixedEpilogue(int fl_acc_, const FixedFormats& q, Activation act, float act_min = -1, float act_max = 1,
                const ChannelRequant& rq_ = {})
      : fl_acc(fl_acc_), wl_y(q.wl_y), fl_y(q.fl_y), rq(rq_) {
    lo = fixed::qmin(wl_y);
    hi = fixed::qmax(wl_y);
    if (act == Activation::kRelu) lo = 0;
    if (act == Activation::kRelu6) { lo = 0; hi = std::min(hi, fixed::quantize(6.0, wl_y, fl_y)); }
    if (act == Activation::kHardTanh) {
      lo = std::max(lo, fixed::quantize(act_min, wl_y, fl_y));
      hi = std::min(hi, fixed::quantize(act_max, wl_y, fl_y));
    }
  }
  int64_t operator()(int64_t acc) const {
    const int64_t v = fixed::requantize(acc, fl_acc, wl_y, fl_y);
    return v < lo ? lo : (v > hi ? hi : v);
  }
  // Output channel c of a conv / dense: acc includes the bias.
  int64_t operator()(int64_t acc, int c) const {
    if (!rq.mult) return (*this)(acc);
    const int64_t v = fixed::requantize_channel(acc, rq.mult[c], rq.offset ? rq.offset[c] : 0, fl_acc, rq.fl_mult, wl_y, fl_y);
    return v < lo ? lo : (v > hi ? hi : v);
  }
};

inline float bias_f32(const void* b, int i) { return b ? static_cast<const float*>(b)[i] : 0.0f; }
inline int64_t bias_i32(const void* b, int i) { return b ? static_cast<const int32_t*>(b)[i] : 0; }

// BNN output of one channel value (dot = n − 2·popcount) — shared by all variants.
inline void bnn_store_scalar(const BnnOut& o, int channel, int32_t dot, size_t index) {
  if (o.kind == BnnOutput::kInt32) o.y_i32[index] = dot;
  else if (o.kind == BnnOutput::kFloat)
    o.y_f32[index] = float(dot) * (o.scale ? o.scale[channel] : 1.0f) + (o.bias ? o.bias[channel] : 0.0f);
}

// The rows of a two-input element-wise op (kernels.h Broadcast): f(xo, x2o, yo, n, dx, dx2)
// for each run of n output elements y[yo + t] reading x[xo + t·dx] and x2[x2o + t·dx2]
// (dx, dx2 ∈ {0, 1}). Same shapes: one row of `count` elements.
template <class F>
void for_each_row(const Broadcast& b, int64_t count, F&& f) {
  if (b.rank == 0) {
    f(int64_t(0), int64_t(0), int64_t(0), count, int64_t(1), int64_t(1));
    return;
  }
  const int last = b.rank - 1;
  const int64_t n = b.shape[last], rows = n > 0 ? count / n : 0;
  int64_t idx[kMaxBroadcastRank] = {};
  int64_t xo = 0, x2o = 0;
  for (int64_t r = 0; r < rows; ++r) {
    f(xo, x2o, r * n, n, b.sx[last], b.sx2[last]);
    for (int d = last - 1; d >= 0; --d) {  // the odometer over the outer axes
      xo += b.sx[d];
      x2o += b.sx2[d];
      if (++idx[d] < b.shape[d]) break;
      xo -= b.sx[d] * b.shape[d];
      x2o -= b.sx2[d] * b.shape[d];
      idx[d] = 0;
    }
  }
}

}  // namespace slimrt::kernels::detail
