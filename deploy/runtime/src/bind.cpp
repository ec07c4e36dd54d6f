// ops::Bind: what an op's binding (ops/*.cpp) uses to build its node — tensor lookup,
// aligned weights, fixed-point formats — and the prepare step every kernel node shares:
// the kernel's choice (a device backend first, a variant the file names, the ISA cap),
// weight packing and scratch.
#include <cstdio>
#include <cstring>

#include "op_registry.h"

namespace slimrt {
void Interpreter::Node::add_slot(void* field, int tensor, size_t offset) { slots.push_back({field, tensor, offset}); }
}  // namespace slimrt

namespace slimrt::ops {

using detail::throw_fmt;

k::Precision elem_precision(DType d) {
  switch (d) {
    case DType::I8: return k::Precision::kI8;
    case DType::I16: return k::Precision::kI16;
    case DType::BIN: return k::Precision::kBnn;
    default: return k::Precision::kF32;
  }
}

k::Activation fused(fb::Activation a) {
  switch (a) {
    case fb::Activation::Relu: return k::Activation::kRelu;
    case fb::Activation::Relu6: return k::Activation::kRelu6;
    default: return k::Activation::kNone;
  }
}

int elem_bytes(DType d) {
  switch (d) {
    case DType::I8: return 1;
    case DType::I16: case DType::F16: return 2;
    case DType::BIN: return 8;
    default: return 4;
  }
}

int64_t prod(const std::vector<int64_t>& s, size_t from, size_t to) {
  int64_t n = 1;
  for (size_t i = from; i < to && i < s.size(); ++i) n *= s[i];
  return n;
}

namespace {
k::Isa isa_from(const std::string& s) {
  if (s == "avx2") return k::Isa::kAvx2;
  if (s == "avx512") return k::Isa::kAvx512;
  if (s == "neon") return k::Isa::kNeon;
  if (s == "ref") return k::Isa::kRef;
  throw_fmt("unknown instruction set '%s' (ref, avx2, avx512, neon)", s.c_str());
}
}  // namespace

NodePtr Bind::build(size_t index, const OpDesc& op) {
  op_ = &op;
  index_ = index;
  const OpDef* d = op_def(op.type);
  if (!d || !d->bind) fail("no implementation");
  return d->bind(*this);
}

std::string Bind::where() const {
  char n[32];
  std::snprintf(n, sizeof n, "op %zu '", index_);
  return n + op_->name + "' (" + op_name(op_->type) + ")";
}

void Bind::fail(const char* what) const { throw_fmt("%s: %s", where().c_str(), what); }

void Bind::log(const std::string& line) const {
  if (opt_.log) opt_.log(line);
  else std::fprintf(stderr, "slimrt: %s\n", line.c_str());
}

const void* Bind::weights(size_t i) {
  if (!has(i)) return nullptr;
  const TensorDesc& t = in(i);
  if (reinterpret_cast<uintptr_t>(t.data) % kAlign == 0) return t.data;
  owned_.push_back(aligned_alloc_bytes(t.bytes));
  std::memcpy(owned_.back().get(), t.data, t.bytes);
  packed_total += t.bytes;
  return owned_.back().get();
}

k::FixedFormats Bind::formats(int fl_w) const {
  k::FixedFormats q;
  q.fl_x = in(0).fl;
  q.fl_w = fl_w;
  q.fl_y = out().fl;
  q.wl_y = out().wl;
  if (has(1)) q.fl_x2 = in(1).fl;
  return q;
}

const k::Kernel* Bind::choose(k::Op kop, k::Precision p, const void* args) {
  const std::string& variant = op_->variant;
  const k::Kernel* kern = nullptr;
  if (backend && variant.empty()) {  // a device (OpenCL) first; the CPU when it cannot
    std::string why;
    kern = backend->kernel_for(kop, p, args, &why);
    const std::string note = backend->take_note();
    if (!note.empty()) log(note);
    if (kern) return kern;
    log(where() + " runs on the CPU: " + why);
  }
  if (!variant.empty()) {
    kern = k::find_kernel(variant);
    if (!kern) throw_fmt("%s: the file asks for kernel '%s', which this build lacks", where().c_str(), variant.c_str());
    if (kern->op != kop || kern->precision != p)
      throw_fmt("%s: kernel '%s' does not implement %s/%s", where().c_str(), variant.c_str(), k::to_string(kop),
                k::to_string(p));
    if (kern->supports && !kern->supports(args))
      throw_fmt("%s: kernel '%s' does not support this op's shape", where().c_str(), variant.c_str());
  } else if (opt_.isa == "ref") {
    kern = k::reference_kernel(kop, p);
  } else if (!opt_.isa.empty()) {
    const k::Isa before = k::max_isa();
    k::set_max_isa(isa_from(opt_.isa));
    kern = k::best_kernel(kop, p, args);
    k::set_max_isa(before);
  } else {
    kern = k::best_kernel(kop, p, args);
  }
  if (!kern) throw_fmt("%s: no kernel for %s/%s in this build", where().c_str(), k::to_string(kop), k::to_string(p));
  return kern;
}

void Bind::finish_node(KernelNodeBase& n, k::Op kop, k::Precision p) {
  n.kernel = choose(kop, p, n.args_ptr);
  n.kernel_name = n.kernel->name;
  n.packed_size = k::packed_bytes(*n.kernel, n.args_ptr);
  if (n.packed_size > 0) {
    n.packed = aligned_alloc_bytes(n.packed_size);
    n.kernel->pack(n.args_ptr, n.packed.get());
    n.ws->packed = n.packed.get();
    packed_total += n.packed_size;
  }
  n.scratch_bytes = k::scratch_bytes(*n.kernel, n.args_ptr);
  if (n.scratch_bytes > 0) n.bind(&n.ws->scratch, -1);
}

bool Bind::same_kernel(k::Op kop, k::Precision p, const void* whole, const std::vector<void*>& parts) {
  try {
    const k::Kernel* kern = choose(kop, p, whole);
    for (const void* a : parts)
      if (choose(kop, p, a) != kern) return false;
    return true;
  } catch (const Error&) {  // a variant the file names that a part's shape does not support
    return false;
  }
}

NodePtr Bind::split_node(KernelNodeBase& whole, const split::Fns& f, k::Op kop, k::Precision p) {
  if (!pool || pool->size() < 2 || backend || op_->macs < split::kMinMacs) return nullptr;
  const int units = f.units(whole.args_ptr), g = f.granule(whole.args_ptr);
  const int granules = g > 0 ? units / g : 0;  // a last partial granule joins the last part
  const int n = std::min(pool->size(), granules);
  if (n < 2) return nullptr;
  // Cuts at the multiple of g nearest to an even share (50 channels: 32 + 18).
  std::vector<int> cut{0};
  for (int i = 1; i < n; ++i) {
    const int c = int((2 * int64_t(i) * units + int64_t(n) * g) / (2 * int64_t(n) * g)) * g;
    if (c > cut.back() && c < units) cut.push_back(c);
  }
  cut.push_back(units);
  if (cut.size() < 3) return nullptr;
  // Each part: a byte copy of the whole op's args (trivially copyable), narrowed.
  const size_t args_at = size_t(static_cast<unsigned char*>(whole.args_ptr) - whole.storage);
  const size_t ws_at = size_t(reinterpret_cast<unsigned char*>(whole.ws) - whole.storage);
  std::vector<std::unique_ptr<KernelNodeBase>> parts;
  std::vector<split::Offsets> offsets(cut.size() - 1);
  std::vector<void*> part_args;
  for (size_t i = 0; i + 1 < cut.size(); ++i) {
    auto part = std::make_unique<KernelNodeBase>();
    std::memcpy(part->storage, whole.storage, sizeof(part->storage));
    part->args_ptr = part->storage + args_at;
    part->ws = reinterpret_cast<k::Workspace*>(part->storage + ws_at);
    f.narrow(part->args_ptr, cut[i], cut[i + 1], offsets[i]);
    part_args.push_back(part->args_ptr);
    parts.push_back(std::move(part));
  }
  if (!same_kernel(kop, p, whole.args_ptr, part_args)) return nullptr;
  auto node = std::make_unique<SplitNode>();
  node->pool = pool;
  for (size_t i = 0; i < parts.size(); ++i) {
    KernelNodeBase& part = *parts[i];
    f.align(*this, part.args_ptr);
    for (const auto& s : whole.slots) {
      const size_t rel = size_t(static_cast<const uint8_t*>(s.field) - whole.storage);
      const size_t shift = s.tensor == op_->inputs[0] ? offsets[i].x : offsets[i].y;
      part.bind(part.storage + rel, s.tensor, s.offset + shift);
    }
    node->nodes.push_back(std::move(parts[i]));
  }
  adopt_parts(*node, kop, p);
  return node;
}

void Bind::adopt_parts(SplitNode& node, k::Op kop, k::Precision p) {
  for (auto& part : node.nodes) {
    finish_node(*part, kop, p);
    for (auto s : part->slots) {
      if (s.tensor < 0) s.offset += node.scratch_bytes;  // each part's own scratch
      node.slots.push_back(s);
    }
    part->slots.clear();
    node.scratch_bytes += k::align_up(part->scratch_bytes);
  }
  node.kernel_name = node.nodes[0]->kernel_name;
  node.parts = int(node.nodes.size());
}

const void* Bind::aligned(const void* p, size_t bytes) {
  if (!p || reinterpret_cast<uintptr_t>(p) % kAlign == 0) return p;
  owned_.push_back(aligned_alloc_bytes(bytes));
  std::memcpy(owned_.back().get(), p, bytes);
  packed_total += bytes;
  return owned_.back().get();
}

bool Bind::can_view(int tensor, int target) const {
  if (!views || tensor < 0 || target < 0 || tensor == target) return false;
  if (t_[size_t(tensor)].constant() || t_[size_t(target)].constant()) return false;
  for (const auto& a : aliases)
    if (a.tensor == tensor) return false;
  return true;
}

// ---- the table: every ops/*.cpp registers its ops (ops_families.inc, written by the build) ----
#define SLIMRT_OP_FAMILY(file) SLIMRT_REGISTER_OPS(file);
#include "ops_families.inc"
#undef SLIMRT_OP_FAMILY

static OpTable& op_table() {
  static OpTable table = [] {
    OpTable t;
#define SLIMRT_OP_FAMILY(file) register_ops_##file(t);
#include "ops_families.inc"
#undef SLIMRT_OP_FAMILY
    return t;
  }();
  return table;
}

void register_ops(void (*fill)(OpTable&)) { fill(op_table()); }

const OpDef* op_def(OpId id) {
  const OpTable& table = op_table();
  const int i = static_cast<int>(id);
  return i >= 0 && i < op_count() && table.def[i].check ? &table.def[i] : nullptr;
}

}  // namespace slimrt::ops
