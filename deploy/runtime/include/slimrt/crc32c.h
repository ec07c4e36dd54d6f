#pragma once
// CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, initial and final value
// 0xFFFFFFFF — the CRC of iSCSI, ext4 and SSE4.2 / ARMv8 `crc32c`). Header-only and
// dependency-free: the .slim writer and loader use it, and any other part of SlimLab
// may (one implementation).
//
//   crc32c(data, n)        the CRC of n bytes; crc32c("123456789", 9) == 0xE3069283
//   crc32c(b, m, crc32c(a, n)) == crc32c(a ‖ b): pass the previous result to go on.
//
// Byte-wise through a 1 KB table built on first use. Builds that target a CPU with the CRC instructions at compile time (x86
// `-msse4.2`, aarch64 `-march=armv8.1-a` or `+crc`) use them instead: same results,
// ~10× faster. The default builds do not assume them (a model is checked once per load;
// 1 MB of weights takes ~2 ms with the table).
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE4_2__)
#include <nmmintrin.h>
#elif defined(__ARM_FEATURE_CRC32)
#include <arm_acle.h>
#endif

namespace slimrt {

namespace crc32c_detail {
// Filled on first use (not a constexpr table: 1 KB of .bss instead of 1 KB in every
// binary's file — slimrt's library size).
struct Table {
  uint32_t v[256];
  Table() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
      v[i] = c;
    }
  }
};
inline const uint32_t* table() {
  static const Table t;
  return t.v;
}
}  // namespace crc32c_detail

inline uint32_t crc32c(const void* data, size_t n, uint32_t crc = 0) {
  const auto* p = static_cast<const uint8_t*>(data);
  crc = ~crc;
#if defined(__SSE4_2__) && defined(__x86_64__)
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    crc = uint32_t(_mm_crc32_u64(crc, w));
  }
#elif defined(__ARM_FEATURE_CRC32) && defined(__aarch64__)
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    crc = __crc32cd(crc, w);
  }
#endif
  const uint32_t* table = crc32c_detail::table();
  for (; n > 0; --n, ++p) crc = table[(crc ^ *p) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

}  // namespace slimrt
