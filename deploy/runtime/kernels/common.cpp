// Kernel names, registry entries and the SIMD families compiled in: the part of the
// kernel library that both the core (registry.cpp) and the optional SIMD library
// (simd_library.cpp) compile, so that library needs nothing of the core's but the
// vector it fills.
#include <limits>

#include "kernels/detail.h"

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#define SLIMRT_X86 1
#endif
#if defined(__aarch64__)
#define SLIMRT_AARCH64 1
#endif

namespace slimrt::kernels {
namespace {

const char* const kPrecisionNames[] = {"f32", "i8", "i16", "bc_f32", "bc_i8", "bc_i16", "bnn", "any"};
static_assert(sizeof(kPrecisionNames) / sizeof(kPrecisionNames[0]) == size_t(Precision::kCount), "names");
const char* const kIsaNames[] = {"ref", "avx2", "avx512", "neon", "opencl"};
static_assert(sizeof(kIsaNames) / sizeof(kIsaNames[0]) == size_t(Isa::kCount), "names");

}  // namespace

const char* to_string(Op op) { return op_runtime_name(to_op_id(op)); }
const char* to_string(Precision p) { return p < Precision::kCount ? kPrecisionNames[int(p)] : "?"; }
const char* to_string(Isa isa) { return isa < Isa::kCount ? kIsaNames[int(isa)] : "?"; }

bool parse_op(const std::string& s, Op* out) {
  for (int i = 0; i < int(Op::kCount); ++i)
    if (s == op_runtime_name(OpId(i))) { *out = Op(i); return true; }
  return false;
}
bool parse_precision(const std::string& s, Precision* out) {
  for (int i = 0; i < int(Precision::kCount); ++i)
    if (s == kPrecisionNames[i]) { *out = Precision(i); return true; }
  return false;
}

template <class T>
void detail::fill_unary_table(T* table, const FixedFormats& q, const UnaryParams& p, UnaryFixedFn fixed) {
  const int64_t lo = std::numeric_limits<T>::min(), n = int64_t(1) << (8 * sizeof(T));
  for (int64_t v = 0; v < n; ++v) table[v] = T(fixed(lo + v, q, p));
}
template void detail::fill_unary_table<int8_t>(int8_t*, const FixedFormats&, const UnaryParams&, UnaryFixedFn);
template void detail::fill_unary_table<int16_t>(int16_t*, const FixedFormats&, const UnaryParams&, UnaryFixedFn);

Kernel detail::make_kernel(Op op, Precision p, Isa isa, int priority, void (*run)(const void*, void*)) {
  Kernel k;
  k.name = std::string(to_string(op)) + "/" + to_string(p) + "/" + to_string(isa);
  k.op = op;
  k.precision = p;
  k.isa = isa;
  k.priority = priority;
  k.run = run;
  return k;
}

const char* detail::add_builtin_simd_kernels(std::vector<Kernel>& out) {
  const char* isas = "";
#if defined(SLIMRT_X86) && defined(SLIMRT_HAVE_AVX2_KERNELS)
  add_avx2_kernels(out);
  isas = "avx2";
#endif
#if defined(SLIMRT_X86) && defined(SLIMRT_HAVE_AVX512_KERNELS)
  add_avx512_kernels(out);
  isas = *isas ? "avx2, avx512" : "avx512";
#endif
#if defined(SLIMRT_AARCH64) && defined(SLIMRT_HAVE_NEON_KERNELS)
  add_neon_kernels(out);
  isas = "neon";
#endif
  (void)out;
  return isas;
}

}  // namespace slimrt::kernels
