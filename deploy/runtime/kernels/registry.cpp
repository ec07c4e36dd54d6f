// The kernel registry: built-in variants (added once, on first use, by explicit
// calls — no static-initializer self-registration a static link could drop), run-time
// CPU feature detection, and the best-variant choice.
#include <cstdlib>
#include <cstring>

#include "kernels/detail.h"

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#define SLIMRT_X86 1
#endif
#if defined(__aarch64__)
#define SLIMRT_AARCH64 1
#include <sys/auxv.h>
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif
#endif

namespace slimrt::kernels {
namespace {


// Interpreters keep the Kernel pointers find_kernel / best_kernel return, and kernels
// registered later (the OpenCL backend adds ~100 when a device is installed, possibly
// after CPU interpreters exist) must not move them: room is reserved up front.
constexpr size_t kRegistryCapacity = 2048;

struct Registry {
  std::vector<Kernel> kernels;
  Registry() {
    kernels.reserve(kRegistryCapacity);
    detail::add_ref_kernels(kernels);
#if defined(SLIMRT_OPTIONAL_SIMD)
    library = detail::load_simd_library(kernels);
#else
    const char* isas = detail::add_builtin_simd_kernels(kernels);
    library = *isas ? std::string("built in (") + isas + ")" : "reference kernels only (built without SIMD kernels)";
#endif
  }
  std::string library;
};
Registry& registry() {
  static Registry r;
  return r;
}

CpuFeatures detect() {
  CpuFeatures f;
#if defined(SLIMRT_X86) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  f.avx2 = __builtin_cpu_supports("avx2");
  f.fma = __builtin_cpu_supports("fma");
  f.avx512f = __builtin_cpu_supports("avx512f");
  f.avx512bw = __builtin_cpu_supports("avx512bw");
  f.avx512vl = __builtin_cpu_supports("avx512vl");
  f.avx512dq = __builtin_cpu_supports("avx512dq");
  f.avx512vnni = __builtin_cpu_supports("avx512vnni");
  f.avx512vpopcntdq = __builtin_cpu_supports("avx512vpopcntdq");
#endif
#if defined(SLIMRT_AARCH64)
  const unsigned long hw = getauxval(AT_HWCAP);
  f.neon = (hw & HWCAP_ASIMD) != 0;
  f.neon_dotprod = (hw & HWCAP_ASIMDDP) != 0;
#endif
  return f;
}

Isa isa_from_env() {
  const char* e = std::getenv("SLIMRT_MAX_ISA");
  if (!e) return Isa::kCount;  // no cap
  for (int i = 0; i < int(Isa::kCount); ++i)
    if (std::strcmp(e, to_string(Isa(i))) == 0) return Isa(i);
  return Isa::kCount;
}
Isa g_max_isa = isa_from_env();

// x86 ISAs are ordered; NEON is its own line (ref < neon).
bool within_cap(Isa isa) {
  if (g_max_isa == Isa::kCount || isa == Isa::kRef) return true;
  if (g_max_isa == Isa::kRef) return false;
  if (isa == Isa::kNeon || g_max_isa == Isa::kNeon) return isa == g_max_isa;
  return int(isa) <= int(g_max_isa);
}

}  // namespace

const std::vector<Kernel>& all_kernels() { return registry().kernels; }
const char* kernel_library() { return registry().library.c_str(); }

void register_kernel(const Kernel& k) {
  for (Kernel& e : registry().kernels)
    if (e.name == k.name) { e = k; return; }
  // Never reallocate (see kRegistryCapacity): a full registry keeps its kernels.
  if (registry().kernels.size() < registry().kernels.capacity()) registry().kernels.push_back(k);
}

const Kernel* find_kernel(const std::string& name) {
  for (const Kernel& k : registry().kernels)
    if (k.name == name) return &k;
  return nullptr;
}

const CpuFeatures& cpu_features() {
  static const CpuFeatures f = detect();
  return f;
}

bool cpu_supports(Isa isa) {
  const CpuFeatures& f = cpu_features();
  switch (isa) {
    case Isa::kRef: return true;
    case Isa::kAvx2: return f.avx2 && f.fma;
    case Isa::kAvx512:
      return f.avx2 && f.fma && f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq && f.avx512vnni &&
             f.avx512vpopcntdq;
    case Isa::kNeon: return f.neon;
    default: return false;
  }
}

void set_max_isa(Isa isa) { g_max_isa = isa; }
Isa max_isa() { return g_max_isa; }

const Kernel* best_kernel(Op op, Precision precision, const void* args) {
  const Kernel* best = nullptr;
  for (const Kernel& k : registry().kernels) {
    if (k.op != op || k.precision != precision || k.isa == Isa::kOpenCL) continue;
    if (!cpu_supports(k.isa) || !within_cap(k.isa)) continue;
    if (args && k.supports && !k.supports(args)) continue;
    if (!best || k.priority > best->priority) best = &k;
  }
  return best;
}

const Kernel* reference_kernel(Op op, Precision precision) {
  for (const Kernel& k : registry().kernels)
    if (k.op == op && k.precision == precision && k.isa == Isa::kRef) return &k;
  return nullptr;
}

}  // namespace slimrt::kernels
