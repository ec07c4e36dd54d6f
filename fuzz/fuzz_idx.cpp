// MNIST IDX (datasets/idx.h): input = images@@FILE@@labels. An odd first byte
// gzips the image file first, so both the raw and the gzip path see mutated
// contents (seeds from the real t10k files are gzip already: the loader
// recognises gzip by its magic bytes either way).
#include <zlib.h>

#include <cstdint>
#include <string>

#include "datasets/idx.h"
#include "fuzz/fuzz_util.h"

namespace {

std::string gzip(const std::string& raw) {
  z_stream z{};
  if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return raw;
  std::string out(deflateBound(&z, uLong(raw.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  z.avail_in = uInt(raw.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = uInt(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static slimlab::fuzz::Scratch scratch;
  if (size == 0) return 0;
  const bool gz = data[0] & 1;
  auto parts = slimlab::fuzz::split_files(data + 1, size - 1, 2);
  const auto& dir = scratch.fresh();
  slimlab::fuzz::write_file(dir / "images", gz ? gzip(parts[0]) : parts[0]);
  slimlab::fuzz::write_file(dir / "labels", parts.size() > 1 ? parts[1] : std::string());
  slimlab::fuzz::expect_clean_error([&] { slimlab::data::load_idx(dir / "images", dir / "labels"); });
  return 0;
}
