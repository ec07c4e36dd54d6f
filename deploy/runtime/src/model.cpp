// Loading a .slim file: map or copy the bytes, run the FlatBuffers Verifier, then
// our own checks (verifier.cpp) before any op sees a pointer into the file.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "slimrt/runtime.h"
#include "verifier.h"

namespace slimrt {

void AlignedFree::operator()(void* p) const { std::free(p); }

AlignedBytes aligned_alloc_bytes(size_t bytes) {
  const size_t n = (bytes + kAlign - 1) / kAlign * kAlign;
  void* p = std::aligned_alloc(kAlign, n == 0 ? kAlign : n);
  if (!p) detail::throw_fmt("out of memory allocating %zu bytes", bytes);
  std::memset(p, 0, n == 0 ? kAlign : n);
  return AlignedBytes(static_cast<uint8_t*>(p));
}

namespace {
// The largest file we accept: FlatBuffers offsets are 32-bit anyway.
constexpr size_t kMaxFileBytes = size_t(1) << 31;

bool little_endian() {
  const uint16_t one = 1;
  uint8_t b;
  std::memcpy(&b, &one, 1);
  return b == 1;
}
}  // namespace

Model::~Model() {
  if (mapped_) ::munmap(mapped_, mapped_size_);
  std::free(owned_);
}

std::shared_ptr<const Model> Model::from_file(const std::string& path, const LoadOptions& options) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) detail::throw_fmt("%s: cannot open (%s)", path.c_str(), std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    detail::throw_fmt("%s: not a regular file", path.c_str());
  }
  const size_t size = size_t(st.st_size);
  if (size < 16) {
    ::close(fd);
    detail::throw_fmt("%s: %zu bytes is too small for a .slim file (truncated?)", path.c_str(), size);
  }
  if (size > kMaxFileBytes) {
    ::close(fd);
    detail::throw_fmt("%s: %zu bytes is larger than a .slim file can be", path.c_str(), size);
  }
  std::shared_ptr<Model> m(new Model());
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p != MAP_FAILED) {
    m->mapped_ = p;
    m->mapped_size_ = size;
    m->bytes_ = static_cast<const uint8_t*>(p);
    m->storage_kind_ = "mmap";
  } else {
    // No mmap (some sandboxes, special files): read into aligned memory.
    m->owned_ = std::aligned_alloc(kAlign, (size + kAlign - 1) / kAlign * kAlign);
    if (!m->owned_) {
      ::close(fd);
      detail::throw_fmt("%s: out of memory", path.c_str());
    }
    size_t got = 0;
    while (got < size) {
      const ssize_t r = ::read(fd, static_cast<uint8_t*>(m->owned_) + got, size - got);
      if (r <= 0) {
        ::close(fd);
        detail::throw_fmt("%s: read failed", path.c_str());
      }
      got += size_t(r);
    }
    m->bytes_ = static_cast<const uint8_t*>(m->owned_);
    m->storage_kind_ = "copied";
  }
  ::close(fd);
  m->size_ = size;
  m->verify_and_index(path, options);
  return m;
}

std::shared_ptr<const Model> Model::from_memory(const void* data, size_t size, bool copy,
                                                const LoadOptions& options) {
  if (!data || size < 16) detail::throw_fmt("memory buffer: %zu bytes is too small for a .slim model", size);
  if (size > kMaxFileBytes) throw Error("memory buffer: too large for a .slim model");
  std::shared_ptr<Model> m(new Model());
  if (!copy && reinterpret_cast<uintptr_t>(data) % kAlign == 0) {
    m->bytes_ = static_cast<const uint8_t*>(data);
    m->storage_kind_ = "borrowed";
  } else {
    m->owned_ = std::aligned_alloc(kAlign, (size + kAlign - 1) / kAlign * kAlign);
    if (!m->owned_) throw Error("memory buffer: out of memory");
    std::memcpy(m->owned_, data, size);
    m->bytes_ = static_cast<const uint8_t*>(m->owned_);
    m->storage_kind_ = "copied";
  }
  m->size_ = size;
  m->verify_and_index("memory buffer", options);
  return m;
}

void Model::verify_and_index(const std::string& origin, const LoadOptions& options) {
  if (!little_endian()) detail::throw_fmt("%s: slimrt supports little-endian CPUs only", origin.c_str());
  if (!fb::ModelBufferHasIdentifier(bytes_))
    detail::throw_fmt("%s: not a .slim file (the file identifier is not \"SLIM\")", origin.c_str());
  // Depth / table limits bound the Verifier's own work on a crafted file.
  flatbuffers::Verifier v(bytes_, size_, /*max_depth=*/16, /*max_tables=*/4000000);
  if (!fb::VerifyModelBuffer(v))
    detail::throw_fmt("%s: damaged or truncated .slim file (FlatBuffers verification failed)", origin.c_str());
  const fb::Model* root = fb::GetModel(bytes_);
  detail::Verified out = detail::verify_model(*root, bytes_, size_, origin, options.verify_checksums);
  format_version_ = root->format_version();
  checksums_verified_ = out.checksums_verified;
  if (format_version_ < kFormatVersionChecksums) {
    char note[320];
    std::snprintf(note, sizeof note, "%.200s: format version %u: no checksums (written before checksums; re-export to get them)",
                  origin.c_str(), unsigned(format_version_));
    if (options.log) options.log(note);
    else std::fprintf(stderr, "slimrt: %s\n", note);
  }
  tensors_ = std::move(out.tensors);
  ops_ = std::move(out.ops);
  inputs_ = std::move(out.inputs);
  outputs_ = std::move(out.outputs);
  metadata_ = std::move(out.metadata);
  index_points(origin, options);
}

std::string Model::integrity() const {
  char s[96];
  std::snprintf(s, sizeof s, "format version %u: %s", unsigned(format_version_),
                format_version_ < kFormatVersionChecksums ? "no checksums"
                : checksums_verified_                     ? "checksums verified"
                                                          : "checksums not verified (skipped at load)");
  return s;
}

int64_t Model::macs() const {
  int64_t n = 0;
  for (const auto& o : ops_) n += o.macs;
  return n;
}

size_t Model::weight_bytes() const {
  size_t n = 0;
  for (const auto& t : tensors_)
    if (t.constant()) n += t.bytes;
  return n;
}

}  // namespace slimrt
