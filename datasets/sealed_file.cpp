#include "datasets/sealed_file.h"

#include <cstring>
#include <fstream>
#include <iterator>

#include "datasets/atomic_file.h"
#include "datasets/errors.h"

namespace slimlab::data {

namespace {

constexpr char kMagic[8] = {'S', 'L', 'I', 'M', 'S', 'E', 'A', 'L'};
constexpr size_t kSealBytes = 24;

void put_le(std::string& s, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) s.push_back(char((v >> (8 * i)) & 0xFF));
}

uint64_t get_le(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | uint8_t(p[i]);
  return v;
}

}  // namespace

void write_sealed_file(const std::filesystem::path& path, const std::string& payload, const std::string& kind) {
  std::string out = payload;
  out.append(kMagic, sizeof kMagic);
  put_le(out, payload.size(), 8);
  put_le(out, crc32c(payload.data(), payload.size()), 4);
  put_le(out, 0, 4);
  write_file_atomic(path, out, kind);
}

SealedRead read_sealed_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path.string(), "cannot open file");
  SealedRead r;
  r.payload.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) throw DataError(path.string(), "read error");
  const size_t n = r.payload.size();
  // Look for the seal at the end; without one the file predates seals.
  if (n < kSealBytes || std::memcmp(r.payload.data() + n - kSealBytes, kMagic, sizeof kMagic) != 0) {
    // A seal's magic somewhere else in the last bytes means a truncated or damaged tail.
    return r;
  }
  const char* seal = r.payload.data() + n - kSealBytes;
  const uint64_t length = get_le(seal + 8, 8);
  const uint32_t want = uint32_t(get_le(seal + 16, 4));
  if (get_le(seal + 20, 4) != 0) throw DataError(path.string(), "damaged: the seal's reserved bytes are not zero");
  if (length != n - kSealBytes)
    throw DataError(path.string(), "damaged: the seal says " + std::to_string(length) + " payload bytes, the file has " +
                                       std::to_string(n - kSealBytes));
  const uint32_t got = crc32c(r.payload.data(), size_t(length));
  if (got != want)
    throw DataError(path.string(), "damaged: CRC-32C of the contents does not match its seal (the file changed "
                                   "after it was written)");
  r.payload.resize(size_t(length));
  r.sealed = true;
  return r;
}

}  // namespace slimlab::data
