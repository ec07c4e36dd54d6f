// libslimrt_simd.so's one export (shared builds, docs/SLIMRT.md "Library size"): adds the
// SIMD kernel families compiled into it to the core's registry, when the core comes
// from the same build (kernel args are internal structs, not a stable ABI).
#include <cstring>
#include <type_traits>

#include "kernels/detail.h"

extern "C" __attribute__((visibility("default"))) const char* slimrt_simd_add_kernels(
    const char* build_id, std::vector<slimrt::kernels::Kernel>* out, const char** error) {
  if (!build_id || !out || std::strcmp(build_id, SLIMRT_SIMD_BUILD_ID) != 0) {
    if (error) *error = "it belongs to another slimrt build (" SLIMRT_SIMD_BUILD_ID "); install the pair together";
    return nullptr;
  }
  return slimrt::kernels::detail::add_builtin_simd_kernels(*out);
}

static_assert(std::is_same_v<decltype(&slimrt_simd_add_kernels), slimrt::kernels::detail::SimdEntryFn>,
              "the entry matches the loader's type");
