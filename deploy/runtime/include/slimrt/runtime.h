#pragma once
// slimrt's C++ core: a verified .slim model (Model), the static arena plan
// (ArenaPlan) and the interpreter that prepares once and runs without allocating.
// The C API (slimrt.h) and slimrt-run are thin layers over this. Errors are
// slimrt::Error exceptions naming the tensor / op at fault; the C API turns them
// into return codes and a message.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "slimrt/slim_generated.h"

namespace slimrt {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The .slim format version written (2: CRC-32C checksums over every weight buffer and
// the rest of the file); versions 1 (no checksums) and 2 are read.
constexpr uint32_t kFormatVersion = 2;
constexpr uint32_t kFormatVersionChecksums = 2;  // the first version with checksums
constexpr size_t kAlign = 64;  // weights, packed weights, arena offsets

using DType = fb::DType;
using OpType = fb::OpType;
const char* dtype_name(DType t);
const char* op_name(OpType t);

// Storage of a tensor of `dtype` and `shape`: element bytes × numel, or for BIN the
// last axis packed into uint64 words. Returns false when the size overflows or
// exceeds `limit` bytes.
bool storage_bytes(DType dtype, const std::vector<int64_t>& shape, size_t limit, size_t* bytes);

struct TensorDesc {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;  // no batch axis
  int fl = 0;                  // fixed point fractional bits
  int wl = 0;                  // fixed point word length (storage bits when the file says 0)
  int64_t numel = 0;
  size_t bytes = 0;            // storage bytes
  const uint8_t* data = nullptr;  // weights (inside the model buffer); null for activations
  bool constant() const { return data != nullptr; }
};

// Op.frontend: the parameters of a sensor front-end op (schema FrontEnd; the ops live in
// the optional library slimrt_frontend). `present` is false on every other op.
struct FrontEndParams {
  bool present = false;
  double sample_rate = 0, target_rate = 0, fmin = 0, fmax = 0;
  int n_fft = 0, win_length = 0, hop_length = 0, n_mels = 0, n_mfcc = 0;
  int intervals = 0, fft_bins = 0, axes_per_sensor = 0;
  int64_t stream_hop = 0;
  int smooth_window = 0, smooth_mode = 0;  // fb::SmoothMode
};

struct OpDesc {
  OpType type = OpType::Dense;
  std::string name;
  std::vector<int> inputs, outputs;  // -1 = an absent optional input
  std::vector<int> kernel, stride, padding, dilation, perm;
  int groups = 1, axis = 0, begin = 0, end = 0;
  float min_value = -1, max_value = 1;
  float alpha = 0, beta = 0;  // LeakyRelu, HardSigmoid (kernels.h UnaryParams)
  fb::Activation activation = fb::Activation::None;
  std::string variant;
  int gate_fl = 0, gate_wl = 0, cell_fl = 0, cell_wl = 0;  // fixed-point RNN
  int pre_fl = 0, pre_wl = 0;  // fixed-point RNN gate pre-activations (pre_wl 0: ⟨8, 0⟩)
  int64_t macs = 0;  // multiply-accumulates (or XNOR-popcount lanes) per inference
  FrontEndParams frontend;
};

struct Metadata {
  std::string model, precision, feature_type, source_run, exporter;
  std::vector<std::string> class_names;
  double sample_rate = 0;
  int64_t window_length = 0;
  std::vector<float> norm_mean, norm_std;
  double accuracy = -1;
};

// One operating point of a model (schema OperatingPoint, docs/ADAPTIVE.md): a graph
// the interpreter can switch to between invokes, and what it costs. A file without a
// point table has one implicit point (the model itself; `from_table` false).
struct OperatingPoint {
  std::string name;
  double width = 0;             // slimmable width (0: not a width point)
  std::string precision;
  double accuracy = -1;         // test accuracy in the source run (-1 unknown)
  int64_t macs = 0;
  int64_t weight_bytes = 0;     // bytes of the weights this point reads
  double latency_us = -1;       // measured at export (-1: not measured)
  double energy_uj = -1;        // estimated energy per inference (-1: unknown)
  bool main = false;            // the model's own graph (Model::ops())
  bool from_table = false;      // false: the implicit point of a file without a table
};

struct LoadOptions {
  // Format version 2 files are checked against their CRC-32C checksums at load (every
  // weight buffer, and the rest of the file); a mismatch is an Error naming the tensor.
  // false skips that — only for zero-copy images in flash whose integrity the device
  // guarantees otherwise (it reads every weight byte once).
  bool verify_checksums = true;
  // Receives notes about the file ("format version 1: no checksums"); null: stderr.
  std::function<void(const std::string&)> log;
};

// A loaded and verified model. Immutable; share it between interpreters.
class Model {
 public:
  // Maps the file (zero copy) or reads it into 64-byte-aligned memory.
  static std::shared_ptr<const Model> from_file(const std::string& path, const LoadOptions& options = {});
  // copy = false keeps a pointer to `data` (zero copy; the caller keeps it alive and
  // unchanged) when it is 64-byte aligned; otherwise the bytes are copied.
  static std::shared_ptr<const Model> from_memory(const void* data, size_t size, bool copy = true,
                                                  const LoadOptions& options = {});
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const std::vector<TensorDesc>& tensors() const { return tensors_; }
  const std::vector<OpDesc>& ops() const { return ops_; }
  const std::vector<int>& inputs() const { return inputs_; }
  const std::vector<int>& outputs() const { return outputs_; }
  const Metadata& metadata() const { return metadata_; }
  size_t file_bytes() const { return size_; }
  int64_t macs() const;
  size_t weight_bytes() const;
  // Where the bytes come from: "mmap", "borrowed" or "copied".
  const char* storage() const { return storage_kind_; }
  uint32_t format_version() const { return format_version_; }
  // True when the file's checksums were verified at load (format version 2, not skipped).
  bool checksums_verified() const { return checksums_verified_; }
  // "format version 2: checksums verified", "format version 1: no checksums", …
  std::string integrity() const;

  // Operating points (docs/ADAPTIVE.md): at least one; the file's table order.
  const std::vector<OperatingPoint>& operating_points() const { return points_; }
  size_t main_point() const { return main_point_; }
  // The graph of point i (tensors, ops, inputs, outputs; weights inside this model's
  // bytes, valid while this model lives); null for the main point (this model itself).
  const Model* point_graph(size_t i) const;
  // The index of the point named `name`; throws slimrt::Error listing the names.
  size_t find_point(const std::string& name) const;

 private:
  Model() = default;
  void index_points(const std::string& origin, const LoadOptions& options);
  void verify_and_index(const std::string& origin, const LoadOptions& options);

  const uint8_t* bytes_ = nullptr;
  size_t size_ = 0;
  void* owned_ = nullptr;        // aligned heap copy
  void* mapped_ = nullptr;       // mmap
  size_t mapped_size_ = 0;
  const char* storage_kind_ = "copied";
  uint32_t format_version_ = 0;
  bool checksums_verified_ = false;
  std::vector<TensorDesc> tensors_;
  std::vector<OpDesc> ops_;
  std::vector<int> inputs_, outputs_;
  Metadata metadata_;
  std::vector<OperatingPoint> points_;
  std::vector<std::unique_ptr<Model>> point_graphs_;  // per point; null for the main one
  size_t main_point_ = 0;
};

// Choosing an operating point for a budget per inference (docs/ADAPTIVE.md "Policy").
enum class BudgetKind { kLatencyUs = 0, kEnergyUj = 1, kMacs = 2 };
// Point i's cost in `kind`; -1 when the file does not know it (latency / energy).
double point_cost(const OperatingPoint& p, BudgetKind kind);
// The most accurate point whose cost is within `budget` (ties: the cheaper); none
// within it: the cheapest. With `current` a valid index and hysteresis h in [0, 1): the
// current point is kept while it fits the budget, unless a more accurate point costs
// at most budget·(1 − h) — so a budget hovering at a point's cost does not make it
// flip back and forth. Throws slimrt::Error when a point lacks the cost (latency /
// energy not in the file) or h is out of range.
size_t choose_point(const std::vector<OperatingPoint>& points, BudgetKind kind, double budget,
                    long current = -1, double hysteresis = 0);
// A level in [0, 1] (battery charge, thermal headroom) mapped linearly to a budget
// between the cheapest (0) and the dearest (1) point's cost.
double budget_for_level(const std::vector<OperatingPoint>& points, BudgetKind kind, double level);

// The policy with its state: the point chosen last is the `current` of the next call.
class PointPolicy {
 public:
  explicit PointPolicy(std::vector<OperatingPoint> points, double hysteresis = 0);
  size_t choose(BudgetKind kind, double budget);
  size_t choose_level(BudgetKind kind, double level) { return choose(kind, budget_for_level(points_, kind, level)); }
  size_t current() const { return current_; }
  size_t switches() const { return switches_; }

 private:
  std::vector<OperatingPoint> points_;
  double hysteresis_;
  long current_ = -1;
  size_t switches_ = 0;
};

// Energy-rate planning (docs/ADAPTIVE.md "Energy-rate planner"): when the budget is an
// energy *allowance* spent over time (a battery's charge over the hours left, a duty
// cycle's mean) rather than a cap on each inference, the best use of it is a constant
// mean rate R µJ / inference spent on the upper concave hull of (energy, accuracy):
// R between two hull points e_lo < R < e_hi is met by running e_hi on a fraction
// (R − e_lo) / (e_hi − e_lo) of the inferences and e_lo on the rest, whose expected
// accuracy is the hull at R — never below any single point that costs ≤ R, and above
// it wherever R falls between points. A credit counter spreads the two evenly: each
// next() adds R and runs e_hi when the credit covers it; the mean energy over any n
// calls is within (e_hi − e_lo) / n of R. Points without an accuracy in the file make
// the hull every point by energy (assumed to gain accuracy with cost).
class RatePlanner {
 public:
  // Throws slimrt::Error when there are no points or one has no energy estimate.
  explicit RatePlanner(std::vector<OperatingPoint> points);
  void set_rate(double energy_uj);   // the mean to keep; throws when not finite or < 0
  size_t next();                     // the point of the next inference
  const std::vector<size_t>& hull() const { return hull_; }  // by energy, ascending
  size_t switches() const { return switches_; }

 private:
  std::vector<OperatingPoint> points_;
  std::vector<size_t> hull_;
  double rate_ = 0, credit_ = 0;
  long current_ = -1;
  size_t switches_ = 0;
};

// Greedy placement of buffers with lifetimes [first, last] (inclusive op steps) in
// one arena. Buffers whose lifetimes overlap never share bytes.
struct ArenaPlan {
  std::vector<size_t> offsets;  // per buffer, multiples of `alignment`
  size_t arena_bytes = 0;
  size_t lower_bound = 0;       // max over steps of the aligned bytes alive at once
};
ArenaPlan plan_arena(const std::vector<size_t>& sizes, const std::vector<std::pair<int, int>>& lifetimes,
                     size_t alignment = kAlign);

struct InterpreterOptions {
  // "" = fastest the CPU supports; "ref" = reference kernels only; an ISA name
  // ("avx2", "avx512", "neon") caps the choice.
  std::string isa;
  // Threads running one inference: 0 or 1 = the calling thread only; N > 1 = a pool of
  // N − 1 workers created here (none during invoke) splits each dense / conv op with
  // enough work by output channels (or rows) — bit-identical results (docs/SLIMRT.md).
  int threads = 1;
  // Reshape, Slice along the outermost axis and Concat along it become views: no
  // copy, the arena planner places the tensors inside one another. false: copies.
  bool views = true;  // taken where they do not grow the arena (docs/SLIMRT.md)
  // "" or "cpu": CPU kernels. "opencl[:N][,fp16]": ops run on a device backend
  // registered with register_device_backend (slimrt_opencl); an op the device cannot
  // run falls back to the CPU kernel above with a log line naming the op and why.
  std::string device;
  // Receives those log lines (null: written to stderr).
  std::function<void(const std::string&)> log;
};

// ---- device backends (OpenCL: deploy/runtime/opencl, library slimrt_opencl) -------
namespace kernels {
struct Kernel;
enum class Op : int;
enum class Precision : int;
}  // namespace kernels
class DeviceBackend {
 public:
  virtual ~DeviceBackend() = default;
  virtual std::string describe() const = 0;
  // The backend's kernel for op/precision and these args, or null with *why set.
  virtual const kernels::Kernel* kernel_for(kernels::Op op, kernels::Precision precision, const void* args,
                                            std::string* why) = 0;
  // A one-time remark about the last kernel_for (e.g. an fp16 fallback), "" if none.
  virtual std::string take_note() { return ""; }
};
// Opens a backend for a device string ("opencl:1,fp16"); throws slimrt::Error.
using DeviceBackendFactory = std::shared_ptr<DeviceBackend> (*)(const std::string& device);
// Registers the factory for device strings starting with `name` ("opencl").
void register_device_backend(const std::string& name, DeviceBackendFactory factory);

struct InterpreterStorage;
constexpr int kMaxThreads = 64;  // InterpreterOptions::threads

// A view: `tensor`'s bytes lie inside `target`'s, `offset` bytes in; op `op` (a
// Reshape, Slice or Concat) then runs nothing, its kernel named `kernel`.
struct TensorAlias {
  int tensor = -1, target = -1;
  size_t offset = 0;
  int op = -1;
  const char* kernel = nullptr;
};

class Interpreter {
 public:
  explicit Interpreter(std::shared_ptr<const Model> model, InterpreterOptions options = {});
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  const Model& model() const { return *model_; }
  size_t num_inputs() const { return model_->inputs().size(); }
  size_t num_outputs() const { return model_->outputs().size(); }
  const TensorDesc& input(size_t i) const;
  const TensorDesc& output(size_t i) const;

  // Copies `count` floats into input i (count must equal its numel; fixed-point
  // inputs are quantized, BIN inputs packed by sign).
  void set_input(size_t i, const float* data, size_t count);
  void invoke();  // no allocation
  // invoke() with each op timed: adds op s's wall seconds to seconds[s] (kernel_names().size()
  // entries, owned by the caller). For profiling (slimrt-run bench --per-op): two clock
  // reads per op, no allocation.
  void invoke_timed(double* seconds);
  // Copies output i as floats (fixed point dequantized, BIN unpacked to ±1).
  void get_output(size_t i, float* data, size_t count) const;
  // Raw storage of any activation tensor (null for constants).
  const void* tensor_data(int tensor) const;

  size_t arena_bytes() const { return arena_bytes_; }
  size_t arena_lower_bound() const { return plan_.lower_bound; }
  size_t packed_weight_bytes() const { return packed_bytes_; }
  // Operating points (Model::operating_points()): every point is prepared here and
  // shares the one arena (planned for the largest), so switching between invokes only
  // changes which prepared graph runs — no allocation. Throws slimrt::Error for an
  // index out of range. The inputs and outputs keep their shapes across points.
  size_t num_operating_points() const { return model_->operating_points().size(); }
  void set_operating_point(size_t i);
  size_t operating_point() const { return point_; }

  // Per op: the kernel chosen ("Dense/f32/avx2", "Reshape/any/view", …).
  std::vector<std::string> kernel_names() const;
  // Op i's kernel name (valid until the point changes); null past the last op.
  const char* kernel_name(size_t i) const;
  // Per op: how many threads share it (1: not split).
  std::vector<int> node_parts() const;

  struct Node;  // one prepared op (interpreter.cpp)

 private:
  void choose_views(const std::vector<TensorAlias>& aliases);
  void plan_memory(const std::vector<TensorAlias>& aliases);
  Interpreter(std::shared_ptr<const Model> graph, InterpreterOptions options, InterpreterStorage* shared);
  void prepare(InterpreterStorage* shared);
  void bind_arena(uint8_t* arena);

  std::shared_ptr<const Model> model_;
  InterpreterOptions options_;
  std::vector<std::unique_ptr<Node>> nodes_;
  ArenaPlan plan_;
  std::vector<size_t> tensor_offset_;  // per tensor, SIZE_MAX for constants
  uint8_t* arena_ = nullptr;
  size_t arena_bytes_ = 0;  // allocated: the largest point's plan
  size_t packed_bytes_ = 0;
  std::vector<size_t> scratch_offset_;  // per node, its scratch's arena offset
  std::vector<std::unique_ptr<Interpreter>> points_;  // per operating point; null for the main one
  Interpreter* active_ = this;
  size_t point_ = 0;
  std::unique_ptr<InterpreterStorage> storage_;  // arena, aligned weight copies, BNN thresholds
};

// Aligned heap memory that frees itself (prepare-time only).
struct AlignedFree {
  void operator()(void* p) const;
};
using AlignedBytes = std::unique_ptr<uint8_t, AlignedFree>;
AlignedBytes aligned_alloc_bytes(size_t bytes);

}  // namespace slimrt
