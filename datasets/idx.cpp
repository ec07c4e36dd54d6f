#include "datasets/idx.h"

#include <zlib.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "datasets/errors.h"

namespace slimlab::data {
namespace fs = std::filesystem;

namespace {

// Magic = 00 00 <element type> <number of dims>; 0x08 is unsigned byte.
constexpr uint32_t kImageMagic = 0x00000803;  // 2051
constexpr uint32_t kLabelMagic = 0x00000801;  // 2049
constexpr uint32_t kMaxCount = 100'000'000;
constexpr uint32_t kMaxSide = 4096;

// A file read front to back, gunzipped on the fly when it starts with 1f 8b.
class ByteStream {
 public:
  explicit ByteStream(const fs::path& path) : path_(path) {
    std::ifstream probe(path, std::ios::binary);
    if (!probe) throw DataError(path.string(), "cannot open file");
    unsigned char m[2] = {0, 0};
    probe.read(reinterpret_cast<char*>(m), 2);
    gzipped_ = probe.gcount() == 2 && m[0] == 0x1f && m[1] == 0x8b;
    probe.close();
    if (gzipped_) {
      gz_ = gzopen(path.string().c_str(), "rb");
      if (!gz_) throw DataError(path.string(), "cannot open gzip file");
    } else {
      raw_.open(path, std::ios::binary);
      if (!raw_) throw DataError(path.string(), "cannot open file");
    }
  }
  ~ByteStream() {
    if (gz_) gzclose(gz_);
  }
  ByteStream(const ByteStream&) = delete;
  ByteStream& operator=(const ByteStream&) = delete;

  // Reads up to n bytes; returns how many arrived (fewer only at the end).
  size_t read(unsigned char* dst, size_t n) {
    if (!gzipped_) {
      raw_.read(reinterpret_cast<char*>(dst), std::streamsize(n));
      return size_t(raw_.gcount());
    }
    size_t got = 0;
    while (got < n) {
      const unsigned chunk = unsigned(std::min<size_t>(n - got, 1u << 30));
      const int r = gzread(gz_, dst + got, chunk);
      if (r < 0) {
        int errnum = 0;
        const char* msg = gzerror(gz_, &errnum);
        throw DataError(path_.string(), std::string("corrupt gzip data: ") + (msg ? msg : "unknown error"));
      }
      if (r == 0) break;
      got += size_t(r);
    }
    return got;
  }

  // Reads exactly n bytes of payload. The buffer grows as data arrives, so a
  // header that lies about the sizes cannot make us allocate more than the
  // file really holds.
  std::vector<uint8_t> read_payload(size_t n, size_t header_bytes) {
    std::vector<uint8_t> out;
    constexpr size_t kChunk = size_t(16) << 20;
    size_t got = 0;
    while (got < n) {
      const size_t want = std::min(kChunk, n - got);
      out.resize(got + want);
      const size_t r = read(out.data() + got, want);
      got += r;
      if (r < want) break;
    }
    if (got < n)
      throw DataError(path_.string(), "truncated: expected " + std::to_string(n) + " bytes of data after the " +
                                          std::to_string(header_bytes) + "-byte header, got " +
                                          std::to_string(got) + " bytes");
    unsigned char extra = 0;
    if (read(&extra, 1) != 0)
      throw DataError(path_.string(), "expected " + std::to_string(n) + " bytes of data after the " +
                                          std::to_string(header_bytes) +
                                          "-byte header, but the file is longer (trailing bytes)");
    return out;
  }

  uint32_t read_be32(const char* what) {
    unsigned char b[4];
    if (read(b, 4) != 4) throw DataError(path_.string(), std::string("truncated IDX header (no ") + what + ")");
    return (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | uint32_t(b[3]);
  }

 private:
  fs::path path_;
  bool gzipped_ = false;
  gzFile gz_ = nullptr;
  std::ifstream raw_;
};

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

void check_magic(const fs::path& path, uint32_t magic, uint32_t expected) {
  if (magic == expected) return;
  const bool want_images = expected == kImageMagic;
  std::string msg;
  if (magic == (want_images ? kLabelMagic : kImageMagic))
    msg = std::string("is an IDX ") + (want_images ? "label" : "image") + " file (magic " + std::to_string(magic) +
          "), expected an IDX " + (want_images ? "image" : "label") + " file (magic " + std::to_string(expected) + ")";
  else if ((magic >> 16) != 0)
    msg = "not an IDX file: magic " + hex32(magic) + ", expected " + hex32(expected) + " (" +
          std::to_string(expected) + ")";
  else if (((magic >> 8) & 0xFF) != 0x08)
    msg = "IDX element type " + hex32((magic >> 8) & 0xFF) + " is not supported (expected 0x08, unsigned byte)";
  else
    msg = "IDX file has " + std::to_string(magic & 0xFF) + " dimensions, expected " +
          std::to_string(expected & 0xFF) + (want_images ? " (count, rows, cols)" : " (count)");
  throw DataError(path.string(), msg);
}

std::vector<std::string> digit_names() {
  std::vector<std::string> names;
  for (int d = 0; d < 10; ++d) names.push_back(std::to_string(d));
  return names;
}

// The first of `names` that exists in dir, or an empty path.
fs::path find_first(const fs::path& dir, const std::vector<std::string>& names) {
  for (const auto& n : names) {
    std::error_code ec;
    if (fs::is_regular_file(dir / n, ec)) return dir / n;
  }
  return {};
}

std::vector<std::string> candidate_names(const std::string& prefix, const std::string& kind, int dims) {
  const std::string a = prefix + "-" + kind + "-idx" + std::to_string(dims) + "-ubyte";
  const std::string b = prefix + "-" + kind + ".idx" + std::to_string(dims) + "-ubyte";
  return {a, a + ".gz", b, b + ".gz"};
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}

}  // namespace

const std::vector<std::string>& fashion_mnist_class_names() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

ArraySet load_idx(const fs::path& images, const fs::path& labels, std::vector<std::string> class_names) {
  if (class_names.empty()) class_names = digit_names();

  ByteStream img(images);
  check_magic(images, img.read_be32("magic"), kImageMagic);
  const uint32_t count = img.read_be32("image count");
  const uint32_t rows = img.read_be32("row count");
  const uint32_t cols = img.read_be32("column count");
  if (count > kMaxCount)
    throw DataError(images.string(), "implausible image count " + std::to_string(count) + " (limit " +
                                         std::to_string(kMaxCount) + ")");
  if (rows == 0 || cols == 0 || rows > kMaxSide || cols > kMaxSide)
    throw DataError(images.string(), "implausible image size " + std::to_string(rows) + "×" + std::to_string(cols) +
                                         " (each side must be 1.." + std::to_string(kMaxSide) + ")");

  ByteStream lab(labels);
  check_magic(labels, lab.read_be32("magic"), kLabelMagic);
  const uint32_t label_count = lab.read_be32("label count");
  if (label_count != count)
    throw DataError(labels.string(), "holds " + std::to_string(label_count) + " labels but " + images.string() +
                                         " holds " + std::to_string(count) + " images");

  const size_t pixels = size_t(rows) * cols;
  const std::vector<uint8_t> px = img.read_payload(size_t(count) * pixels, 16);
  const std::vector<uint8_t> lb = lab.read_payload(count, 8);
  for (size_t i = 0; i < lb.size(); ++i)
    if (lb[i] >= class_names.size())
      throw DataError(labels.string(), "label " + std::to_string(lb[i]) + " at index " + std::to_string(i) +
                                           " is out of range: there are " + std::to_string(class_names.size()) +
                                           " classes");

  std::array<float, 256> to_unit{};
  for (int v = 0; v < 256; ++v) to_unit[size_t(v)] = float(v) / 255.0f;

  ArraySet out;
  out.modality = Modality::kVision;
  out.sample_shape = {1, int64_t(rows), int64_t(cols)};
  out.class_names = std::move(class_names);
  out.values.resize(px.size());
  for (size_t i = 0; i < px.size(); ++i) out.values[i] = to_unit[px[i]];
  out.labels.assign(lb.begin(), lb.end());
  out.groups.assign(count, -1);
  return out;
}

ArraySet load_mnist_dir(const fs::path& dir, const std::string& split, bool fashion) {
  if (split == "all") {
    ArraySet out = load_mnist_dir(dir, "train", fashion);
    out.given_splits.assign(out.size(), GivenSplit::kTrain);
    out.append(load_mnist_dir(dir, "test", fashion), GivenSplit::kTest);
    return out;
  }
  if (split != "train" && split != "test")
    throw std::invalid_argument("MNIST split must be \"train\", \"test\" or \"all\", not \"" + split + "\"");
  const std::string prefix = split == "train" ? "train" : "t10k";
  const auto image_names = candidate_names(prefix, "images", 3);
  const auto label_names = candidate_names(prefix, "labels", 1);
  const fs::path images = find_first(dir, image_names);
  const fs::path labels = find_first(dir, label_names);
  if (images.empty() || labels.empty()) {
    std::string missing;
    if (images.empty()) missing += "images (looked for " + join(image_names) + ")";
    if (labels.empty()) missing += std::string(missing.empty() ? "" : " and ") + "labels (looked for " +
                                   join(label_names) + ")";
    throw DataError(dir.string(), "no MNIST " + split + " " + missing);
  }
  return load_idx(images, labels, fashion ? fashion_mnist_class_names() : std::vector<std::string>{});
}

bool mnist_dir_has(const fs::path& dir, const std::string& split) {
  const std::string prefix = split == "train" ? "train" : "t10k";
  return !find_first(dir, candidate_names(prefix, "images", 3)).empty() &&
         !find_first(dir, candidate_names(prefix, "labels", 1)).empty();
}

bool looks_like_mnist_dir(const fs::path& dir) { return mnist_dir_has(dir, "train") || mnist_dir_has(dir, "test"); }

}  // namespace slimlab::data
