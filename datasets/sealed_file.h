#pragma once
// Files whose integrity is checked when read: the payload followed by a 24-byte
// seal — the magic "SLIMSEAL", the payload length (u64 LE) and a CRC-32C of the
// payload (u32 LE) plus 4 reserved zero bytes. Used for LibTorch checkpoints, whose
// zip container does not verify its own CRCs on load (a flipped weight byte loads
// silently). Written atomically (datasets/atomic_file.h), fault points
// "<kind>:mid-write" and "<kind>:before-rename".
#include <cstdint>
#include <filesystem>
#include <string>

#include "slimrt/crc32c.h"

namespace slimlab::data {

// CRC-32C: slimrt's (one implementation for .slim files, checkpoints and seals).
using slimrt::crc32c;

void write_sealed_file(const std::filesystem::path& path, const std::string& payload, const std::string& kind);

struct SealedRead {
  std::string payload;
  bool sealed = false;  // false: a file written before seals (no check was possible)
};

// Reads `path` and checks its seal. Throws DataError naming the file when the seal
// says the payload is damaged or truncated; a file with no seal at all is returned
// whole with sealed = false.
SealedRead read_sealed_file(const std::filesystem::path& path);

}  // namespace slimlab::data
