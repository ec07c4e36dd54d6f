#pragma once
// Our checks on a .slim model after the FlatBuffers Verifier has accepted the
// buffer: every index in range, buffer sizes = dtype × shape, shapes agree along
// the graph, op parameters in range, ops in topological order (no cycle), no size
// that overflows or needs absurd memory, only dtype combinations slimrt runs.
#include <cstdarg>
#include <string>
#include <vector>

#include "slimrt/runtime.h"

namespace slimrt::detail {

// Throws slimrt::Error(printf(fmt, ...)). The runtime's error paths format through
// this one out-of-line function instead of concatenating std::strings at every check
// (library size, docs/BENCHMARKS.md).
[[noreturn]] __attribute__((format(printf, 1, 2))) void throw_fmt(const char* fmt, ...);
// Throws slimrt::Error(prefix + vprintf(fmt, ap)).
[[noreturn]] __attribute__((noinline, cold)) void vfail(const std::string& prefix, const char* fmt, va_list ap);

// Which kernels an op runs with, decided from its tensors' dtypes.
enum class OpPrecision { kF32, kI8, kI16, kBcF32, kBcI8, kBcI16, kBnn, kAny };
OpPrecision op_precision(const OpDesc& op, const std::vector<TensorDesc>& tensors);

struct Verified {
  std::vector<TensorDesc> tensors;
  std::vector<OpDesc> ops;
  std::vector<int> inputs, outputs;
  Metadata metadata;
  bool checksums_verified = false;
};

// One graph's parts (Model's, or an operating point's PointGraph).
using BufferRefs = flatbuffers::Vector<flatbuffers::Offset<fb::Buffer>>;
struct GraphRefs {
  const flatbuffers::Vector<flatbuffers::Offset<fb::Tensor>>* tensors;
  const flatbuffers::Vector<flatbuffers::Offset<fb::Op>>* ops;
  const flatbuffers::Vector<int32_t>* inputs;
  const flatbuffers::Vector<int32_t>* outputs;
};
// The checks of verify_model on one graph, into v (tensors, ops, inputs, outputs).
// buffer_prefix: a constant may use a prefix of its buffer (operating points).
void verify_graph(const GraphRefs& g, const BufferRefs* buffers, const uint8_t* base, size_t size,
                  const std::string& origin, bool buffer_prefix, Verified& v);
// The operating point table (points.cpp): every point's graph verified as above, names
// unique, exactly one point without a graph, inputs / outputs as the main graph's.
struct VerifiedPoint {
  OperatingPoint info;
  bool has_graph = false;
  Verified graph;
};
std::vector<VerifiedPoint> verify_points(const fb::Model& m, const Verified& main, const uint8_t* base, size_t size,
                                         const std::string& origin);

// Throws slimrt::Error "<origin>: op 3 'conv1' (Conv2d): …" / "tensor 7 'x': …".
// Format version 2: the checksums are checked first unless verify_checksums is false.
Verified verify_model(const fb::Model& model, const uint8_t* base, size_t size, const std::string& origin,
                      bool verify_checksums = true);

// ---- integrity (integrity.cpp) ------------------------------------------------------
// Model.crc32c's 4 bytes in the file, null when the field is absent.
const uint8_t* model_crc_field(const fb::Model& m);
// CRC-32C of the file [base, base + size) except every Buffer's data and Model.crc32c.
uint32_t structure_crc32c(const fb::Model& m, const uint8_t* base, size_t size);
// Format version 2: the structure's checksum ("<origin>: metadata checksum mismatch …"),
// then every buffer's ("<origin>: tensor 'conv1.weight': checksum mismatch …").
void check_checksums(const fb::Model& m, const uint8_t* base, size_t size, const std::string& origin);

// Limits (docs/SLIMRT.md).
constexpr size_t kMaxTensors = 1 << 20;
constexpr size_t kMaxOps = 1 << 20;
constexpr int kMaxRank = 6;
constexpr int64_t kMaxDim = int64_t(1) << 30;
constexpr size_t kMaxTensorBytes = size_t(1) << 31;      // one tensor
constexpr size_t kMaxActivationBytes = size_t(1) << 32;  // all activations together

}  // namespace slimrt::detail
