// The shared core's side of the optional SIMD library (docs/SLIMRT.md "Library size"):
// libslimrt.so carries the reference kernels only; libslimrt_simd.so (AVX2 / AVX-512 or
// NEON) is looked for in the core's own directory, or at $SLIMRT_SIMD_LIBRARY ("off":
// reference kernels only). It is loaded once, when the registry is first used, and
// never unloaded: the registry keeps its function pointers.
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "kernels/detail.h"

namespace slimrt::kernels::detail {
namespace {

// The report, formatted once into static storage (no string building: library size).
char g_report[640];

const char* report(const char* fmt, const char* a, const char* b = "") {
  std::snprintf(g_report, sizeof(g_report), fmt, a, b);
  return g_report;
}

}  // namespace

const char* load_simd_library(std::vector<Kernel>& out) {
  const char* env = std::getenv("SLIMRT_SIMD_LIBRARY");
  if (env && std::strcmp(env, "off") == 0) return "reference kernels only (SLIMRT_SIMD_LIBRARY=off)";
  // Default: libslimrt_simd.so in the directory this library was loaded from.
  char path[512] = "libslimrt_simd.so";
  Dl_info self{};
  if (env && *env) {
    std::snprintf(path, sizeof(path), "%s", env);
  } else if (dladdr(reinterpret_cast<void*>(&load_simd_library), &self) != 0 && self.dli_fname) {
    const char* slash = std::strrchr(self.dli_fname, '/');
    if (slash) std::snprintf(path, sizeof(path), "%.*slibslimrt_simd.so", int(slash + 1 - self.dli_fname), self.dli_fname);
  }
  void* handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!handle) return report("reference kernels only (%s%s)", dlerror(), "");
  const auto entry = reinterpret_cast<SimdEntryFn>(dlsym(handle, SLIMRT_SIMD_ENTRY));
  const char* error = "it has no " SLIMRT_SIMD_ENTRY;
  const size_t before = out.size();
  const char* isas = entry ? entry(SLIMRT_SIMD_BUILD_ID, &out, &error) : nullptr;
  if (!isas) {
    out.resize(before);
    dlclose(handle);
    return report("reference kernels only (%s refused: %s)", path, error);
  }
  std::snprintf(g_report, sizeof(g_report), "%s (%s, %zu kernels)", path, isas, out.size() - before);
  return g_report;
}

}  // namespace slimrt::kernels::detail
