// .slim integrity (format version 2): CRC-32C checksums over every weight buffer
// (Buffer.crc32c) and over the rest of the file (Model.crc32c: every byte but the
// buffers' data and the field itself). The writer (writer.cpp) computes them, the
// loader checks them before anything else reads the file's contents.
#include <algorithm>
#include <cstring>

#include "slimrt/crc32c.h"
#include "verifier.h"

namespace slimrt::detail {

const uint8_t* model_crc_field(const fb::Model& m) {
  // fb::Model derives privately from flatbuffers::Table, which sits at its address.
  const auto& table = reinterpret_cast<const flatbuffers::Table&>(m);
  const flatbuffers::voffset_t off = table.GetOptionalFieldOffset(fb::Model::VT_CRC32C);
  return off ? reinterpret_cast<const uint8_t*>(&m) + off : nullptr;
}

uint32_t structure_crc32c(const fb::Model& m, const uint8_t* base, size_t size) {
  std::vector<std::pair<size_t, size_t>> skip;  // [begin, end) left out, in file offsets
  if (const auto* buffers = m.buffers())
    for (const fb::Buffer* b : *buffers)
      if (b->data() && b->data()->size() > 0) {
        const size_t at = size_t(b->data()->data() - base);
        skip.emplace_back(at, at + b->data()->size());
      }
  if (const uint8_t* field = model_crc_field(m)) skip.emplace_back(size_t(field - base), size_t(field - base) + 4);
  std::sort(skip.begin(), skip.end());
  uint32_t crc = 0;
  size_t at = 0;
  for (const auto& [begin, end] : skip) {
    if (begin > at) crc = crc32c(base + at, std::min(begin, size) - at, crc);
    at = std::max(at, std::min(end, size));
  }
  return crc32c(base + at, size - at, crc);
}

namespace {

void check_structure_crc(const fb::Model& m, const uint8_t* base, size_t size, const std::string& origin) {
  const uint8_t* field = model_crc_field(m);
  if (!field)
    throw_fmt("%s: format version %u but no checksum: damaged, or not written by slimrt's writer", origin.c_str(),
              unsigned(m.format_version()));
  uint32_t stored;
  std::memcpy(&stored, field, 4);
  const uint32_t computed = structure_crc32c(m, base, size);
  if (stored != computed)
    throw_fmt("%s: metadata checksum mismatch (CRC-32C stored %08x, computed %08x): the graph, tensor or "
              "metadata bytes changed after export",
              origin.c_str(), stored, computed);
}

// Every buffer's checksum; a mismatch names the first tensor that uses the buffer.
void check_buffer_crcs(const fb::Model& m, const std::string& origin) {
  const auto* buffers = m.buffers();
  if (!buffers) return;
  std::vector<const flatbuffers::String*> owner(buffers->size(), nullptr);
  if (const auto* tensors = m.tensors())
    for (const fb::Tensor* t : *tensors)
      if (t->buffer() < owner.size() && !owner[t->buffer()]) owner[t->buffer()] = t->name();
  for (flatbuffers::uoffset_t i = 0; i < buffers->size(); ++i) {
    const fb::Buffer* b = buffers->Get(i);
    const uint32_t computed = b->data() ? crc32c(b->data()->data(), b->data()->size()) : 0;
    if (computed == b->crc32c()) continue;
    if (owner[i])
      throw_fmt("%s: tensor '%s': checksum mismatch (buffer %u, CRC-32C stored %08x, computed %08x): its weights "
                "changed after export",
                origin.c_str(), owner[i]->c_str(), unsigned(i), unsigned(b->crc32c()), computed);
    throw_fmt("%s: buffer %u: checksum mismatch (CRC-32C stored %08x, computed %08x)", origin.c_str(), unsigned(i),
              unsigned(b->crc32c()), computed);
  }
}

}  // namespace

void check_checksums(const fb::Model& m, const uint8_t* base, size_t size, const std::string& origin) {
  check_structure_crc(m, base, size, origin);
  check_buffer_crcs(m, origin);
}

}  // namespace slimrt::detail
