#pragma once
// The op registry: what slimrt knows of each op kind of the one op list
// (slimrt/op_list.h), defined in deploy/runtime/ops/<op>.cpp —
//   check   its verification rule (shapes, dtypes, attributes; sets OpDesc::macs),
//           run by the verifier after the graph-level checks (verifier.cpp);
//   bind    its binding: op description → kernel args, and its prepare (kernel choice,
//           weight packing, scratch: Bind::finish), run by the interpreter;
// and, beside it in ops/opencl/<op>.cpp, its OpenCL glue. Each ops file registers its
// ops in the one table indexed by OpId with SLIMRT_REGISTER_OPS(<file name>); the
// build lists the files (ops_families.inc), so adding an ops file edits nothing else.
#include <cstring>
#include <initializer_list>
#include <memory>
#include <new>
#include <type_traits>
#include <string>
#include <utility>
#include <vector>

#include "kernels/kernels.h"
#include "slimrt/op_list.h"
#include "slimrt/runtime.h"
#include "verifier.h"

namespace slimrt {

class ThreadPool;

// One prepared op. Pointers into the arena are recorded as slots (the address of an
// args field, the tensor it points to or -1 for the node's scratch, and a byte offset
// into it) and written once the arena exists.
struct Interpreter::Node {
  virtual ~Node() = default;
  virtual void run() = 0;
  std::string kernel_name;
  size_t scratch_bytes = 0;
  int parts = 1;  // > 1: split over that many threads (split.h)
  struct Slot {
    void* field;
    int tensor;
    size_t offset;
  };
  std::vector<Slot> slots;
  AlignedBytes packed;
  size_t packed_size = 0;
  template <class P>
  void bind(P* field, int tensor, size_t offset = 0) { add_slot(static_cast<void*>(field), tensor, offset); }
  void add_slot(void* field, int tensor, size_t offset);  // out of line: one copy (library size)
};

namespace ops {
namespace k = kernels;
using Node = Interpreter::Node;
using NodePtr = std::unique_ptr<Node>;
using detail::OpPrecision;

// A node that calls a kernel. Nothing here is a template: the kernel's args live in the
// node's storage, so no args type costs a class, vtable or destructor of its own
// (library size, docs/BENCHMARKS.md). KernelNode<A> is the typed view the ops fill.
constexpr size_t kMaxArgsBytes = 320;
struct KernelNodeBase : Node {
  const k::Kernel* kernel = nullptr;
  void* args_ptr = nullptr;    // the args, in `storage`
  k::Workspace* ws = nullptr;  // their workspace
  alignas(16) unsigned char storage[kMaxArgsBytes];
  void run() override { kernel->run(args_ptr, kernel->context); }
  ~KernelNodeBase() override {
    if (kernel && kernel->release && packed) kernel->release(args_ptr, packed.get());
  }
};
// A new kernel node with args of type A (trivially destructible, as every kernels.h
// args struct), filled by an op's binding and handed to Bind::finish.
template <class A>
struct KernelNode {
  static_assert(sizeof(A) <= kMaxArgsBytes && alignof(A) <= 16, "raise kMaxArgsBytes");
  static_assert(std::is_trivially_destructible_v<A>, "kernel args own nothing");
  explicit KernelNode(std::unique_ptr<KernelNodeBase> base = std::make_unique<KernelNodeBase>())
      : node(std::move(base)), args(*new (node->storage) A()) {
    node->args_ptr = &args;
    node->ws = &args.ws;
  }
  template <class P>
  void bind(P* field, int tensor) { node->bind(field, tensor); }
  std::unique_ptr<KernelNodeBase> node;
  A& args;
};

bool is_fixed(DType t);  // i8 or i16
std::string shape_str(const std::vector<int64_t>& s);
k::Precision elem_precision(DType d);
k::Activation fused(fb::Activation a);
int elem_bytes(DType d);
int64_t prod(const std::vector<int64_t>& s, size_t from, size_t to);  // s[from] · … · s[to − 1]

// ---- verification (op_check.cpp) ----------------------------------------------------
// An op's check sees its description (attributes may be normalised: empty per-axis
// lists filled) and the verified tensors. fail() prefixes "<origin>: op N 'name' (Type): ".
class Check {
 public:
  Check(const std::string& origin, size_t index, OpDesc& op, const std::vector<TensorDesc>& tensors);
  [[noreturn]] __attribute__((format(printf, 2, 3), noinline, cold)) void fail(const char* fmt, ...) const;

  OpDesc& op;
  const std::vector<TensorDesc>& t;

  // Input i must exist (not -1) unless optional.
  const TensorDesc* in(size_t i, bool optional = false) const;
  void check_channel_requant(int64_t out, int fl_acc) const;  // op_check.cpp
  const TensorDesc& x() const { return *in(0); }
  const TensorDesc& y() const { return t[size_t(op.outputs[0])]; }
  OpPrecision precision() const { return detail::op_precision(op, t); }
  void inputs_between(size_t lo, size_t hi) const;
  // The output has the input's dtype and shape (element-wise ops); numeric: f32, i8 or i16.
  void same_out(bool numeric) const;
  // Data movement (slice, transpose, reshape): not packed bits ("packed tensors cannot be
  // <verb>"), the output in the input's dtype and fixed-point format.
  void same_format_out(const char* verb) const;
  // A map's channels, height and width: CHW (packed BNN maps HWC); 1-D maps [C, W], H = 1.
  struct Extents { int64_t c, h, w; };
  static Extents extents(const TensorDesc& map, bool one_d, bool hwc);
  void need_shape(const TensorDesc& d, const std::vector<int64_t>& want, const char* role) const;
  void need_dtype(const TensorDesc& d, DType want, const char* role) const;
  void need_const(const TensorDesc& d, const char* role) const;
  void need_rank(const TensorDesc& d, size_t rank, const char* role) const;
  void need_numeric(const TensorDesc& d) const;  // f32, i8 or i16
  void same_fl(const TensorDesc& a, const TensorDesc& b) const;
  // A constant f32 [n] (scale, shift, …) at input i; optional inputs may be absent.
  void need_vector(size_t i, int64_t n, const char* role, bool optional) const;
  // Per-axis attribute with `axes` entries (empty = fallback), each within [lo, hi].
  void attr(std::vector<int>& v, size_t axes, int fallback, int lo, int hi, const char* name) const;
  int64_t window_out(int64_t len, int kernel, int stride, int pad, int dilation, const char* axis) const;
  void check_bias(const TensorDesc* b, int64_t n, OpPrecision p, int fl_acc) const;
  // Dense / conv outputs past the weight (input 1): BNN thresholds or scale/bias, else
  // the output dtype and bias (+ BinaryConnect f32 scale) at the accumulator's format.
  void check_weighted_tail(OpPrecision p, int64_t out_channels, bool any_writes_f32) const;

 private:
  void check_bnn_outputs(int64_t channels) const;
  const std::string& origin_;
  size_t index_;
};

// ---- binding (bind.cpp) ---------------------------------------------------------------
struct SplitNode;  // split.h
namespace split {
struct Fns;
template <class A>
struct Table;
}  // namespace split

class Bind {
 public:
  Bind(const Model& m, const InterpreterOptions& o) : opt_(o), t_(m.tensors()) {}

  // The node of op `index` (the interpreter's prepare loop calls this per op).
  NodePtr build(size_t index, const OpDesc& op);

  const OpDesc& op() const { return *op_; }
  size_t index() const { return index_; }  // the op's position in its graph
  const TensorDesc& in(size_t i) const { return t_[size_t(op_->inputs[i])]; }
  const TensorDesc& out() const { return t_[size_t(op_->outputs[0])]; }
  bool has(size_t i) const { return i < op_->inputs.size() && op_->inputs[i] >= 0; }
  OpPrecision precision() const { return detail::op_precision(*op_, t_); }
  // A constant's bytes, copied to aligned memory when the file's copy is not aligned.
  const void* weights(size_t i);
  k::FixedFormats formats(int fl_w) const;
  [[noreturn]] void fail(const char* what) const;

  template <class N>
  void bind_xy(N& n) const {
    n.bind(&n.args.x, op_->inputs[0]);
    n.bind(&n.args.y, op_->outputs[0]);
  }
  // Picks the kernel, packs weights, records scratch.
  template <class A>
  NodePtr finish(KernelNode<A>& n, k::Op kop, k::Precision p) {
    if (NodePtr parts = split(n, kop, p)) return parts;
    finish_node(*n.node, kop, p);
    return std::move(n.node);
  }
  // The same after binding args.x to input 0 and args.y to the output.
  template <class A>
  NodePtr finish_xy(KernelNode<A>& n, k::Op kop, k::Precision p) {
    bind_xy(n);
    return finish(n, kop, p);
  }
  // A conv / pool op's window (kernel, stride, zero padding) into a kernels shape
  // (ConvShape, PoolShape); 1-D ops have height 1.
  template <class S>
  void set_window(S& s, bool one_d) const {
    const OpDesc& o = *op_;
    const size_t last = o.kernel.size() - 1;
    s.kernel_h = one_d ? 1 : o.kernel[0];
    s.kernel_w = o.kernel[last];
    s.stride_h = one_d ? 1 : o.stride[0];
    s.stride_w = o.stride[last];
    s.pad_top = s.pad_bottom = one_d ? 0 : o.padding[0];
    s.pad_left = s.pad_right = o.padding[last];
  }
  // Element-wise kernels whose args are count and formats: one call.
  template <class A>
  NodePtr elementwise(k::Op kop, k::Precision p) {
    KernelNode<A> n;
    n.args.count = in(0).numel;
    n.args.q = formats(0);
    return finish_xy(n, kop, p);
  }
  // A node that runs its own loop (no registry kernel): x, y bound, named.
  template <class N>
  NodePtr builtin(std::unique_ptr<N> n, const char* kernel_name) const {
    n->bind(&n->x, op_->inputs[0]);
    n->bind(&n->y, op_->outputs[0]);
    n->kernel_name = kernel_name;
    return n;
  }
  // Calls f with a value of the op's element type (float, int8_t, int16_t), picked
  // from input 0's dtype: one dispatch for every binding templated on it.
  template <class F>
  NodePtr by_element_type(F&& f) {
    switch (in(0).dtype) {
      case DType::F32: return f(float{});
      case DType::I8: return f(int8_t{});
      default: return f(int16_t{});
    }
  }
  // Storage that lives as long as the interpreter (BNN thresholds).
  std::vector<bits::SignThreshold>& new_thresholds(size_t n) {
    thresholds_.emplace_back(n);
    return thresholds_.back();
  }

  void log(const std::string& line) const;

  // Views: `tensor` lives inside `target` at `offset` (no copy). False when views are
  // off (InterpreterOptions::views, a device backend) or either tensor is a constant or
  // `tensor` already lives inside another one.
  // The op still builds its copy node: the interpreter swaps it for a node that runs
  // nothing when the views do not grow the arena.
  bool can_view(int tensor, int target) const;
  void add_view(int tensor, int target, size_t offset, const char* kernel) {
    aliases.push_back({tensor, target, offset, int(index_), kernel});
  }

  bool views = false;
  std::vector<TensorAlias> aliases;
  size_t packed_total = 0;
  DeviceBackend* backend = nullptr;  // InterpreterOptions::device, null for the CPU
  ThreadPool* pool = nullptr;        // InterpreterOptions::threads > 1
  std::vector<AlignedBytes> owned_;                           // aligned copies of weights
  std::vector<std::vector<bits::SignThreshold>> thresholds_;  // BNN thresholds

 private:
  const k::Kernel* choose(k::Op kop, k::Precision p, const void* args);
  void finish_node(KernelNodeBase& n, k::Op kop, k::Precision p);
  // Threads (split.h): the node as per-thread parts, or null to keep it whole.
  template <class A>
  NodePtr split(KernelNode<A>& whole, k::Op kop, k::Precision p);
  NodePtr split_node(KernelNodeBase& whole, const split::Fns& f, k::Op kop, k::Precision p);
  template <class A>
  friend struct split::Table;
  template <class A>
  void align_weights(A& a);
  // Whether every part gets the kernel the whole op would (else it stays whole).
  bool same_kernel(k::Op kop, k::Precision p, const void* whole, const std::vector<void*>& parts);
  // Prepares the parts (kernel, packing, scratch) and gathers their slots.
  void adopt_parts(SplitNode& node, k::Op kop, k::Precision p);
  // p, or a 64-byte-aligned copy of its `bytes` bytes where p is not aligned.
  const void* aligned(const void* p, size_t bytes);

  const InterpreterOptions& opt_;
  // "op N 'name' (Type)", built only on the error and log paths.
  std::string where() const;

  const std::vector<TensorDesc>& t_;
  const OpDesc* op_ = nullptr;
  size_t index_ = 0;
};

// ---- the table ------------------------------------------------------------------------
struct OpDef {
  void (*check)(Check&) = nullptr;
  NodePtr (*bind)(Bind&) = nullptr;
  int min_inputs = 1, max_inputs = 1;  // the verifier checks the count before `check`
  bool weighted = false;  // input 1 holds weights whose dtype takes part in the precision
};
struct OpTable {
  OpDef def[op_count()] = {};
  void add(std::initializer_list<OpId> ids, const OpDef& d) {
    for (OpId id : ids) def[static_cast<int>(id)] = d;
  }
};
// The op's definition, null when this build has none (or the id is out of range).
const OpDef* op_def(OpId id);
inline const OpDef* op_def(OpType t) { return op_def(static_cast<OpId>(t)); }

// Ops defined outside the core library (slimrt_frontend's front-end ops): `fill` adds
// them to the table. Call before loading a model that uses them; idempotent per `fill`.
void register_ops(void (*fill)(OpTable&));

// In ops/<file>.cpp: SLIMRT_REGISTER_OPS(<file>) { t.add({OpId::X, …}, {&check, &bind, 1, 1}); }
#define SLIMRT_REGISTER_OPS(file) void register_ops_##file(::slimrt::ops::OpTable& t)

}  // namespace ops
}  // namespace slimrt

#include "split.h"
