#include "verifier.h"

#include "op_registry.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <limits>

namespace slimrt {

const char* dtype_name(DType t) {
  switch (t) {
    case DType::F32: return "f32";
    case DType::F16: return "f16";
    case DType::I8: return "i8";
    case DType::I16: return "i16";
    case DType::I32: return "i32";
    case DType::BIN: return "bin";
  }
  return "?";
}

const char* op_name(OpType t) {
  return op_runtime_name(OpId(t));
}

bool storage_bytes(DType dtype, const std::vector<int64_t>& shape, size_t limit, size_t* bytes) {
  // Every product is checked against `limit` before it can overflow.
  size_t n = 1;
  const size_t rank = shape.size();
  for (size_t i = 0; i < rank; ++i) {
    int64_t d = shape[i];
    if (d < 0) return false;
    if (dtype == DType::BIN && i + 1 == rank) d = (d + 63) / 64;  // packed words along the last axis
    if (d != 0 && n > limit / size_t(d)) return false;
    n *= size_t(d);
  }
  size_t elem = 4;
  switch (dtype) {
    case DType::F32: case DType::I32: elem = 4; break;
    case DType::F16: case DType::I16: elem = 2; break;
    case DType::I8: elem = 1; break;
    case DType::BIN: elem = 8; break;
  }
  if (n > limit / elem) return false;
  *bytes = n * elem;
  return true;
}

namespace detail {

namespace {

std::vector<int> to_ints(const flatbuffers::Vector<int32_t>* v) {
  return v ? std::vector<int>(v->begin(), v->end()) : std::vector<int>{};
}
std::string to_str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

}  // namespace

// Throws Error(prefix + printf(fmt, ...)). One out-of-line formatter instead of a
// std::string concatenation at every check keeps the library small (docs/BENCHMARKS.md).
void vfail(const std::string& prefix, const char* fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  const int n = std::vsnprintf(nullptr, 0, fmt, ap);
  std::string msg = prefix;
  const size_t at = msg.size();
  msg.resize(at + size_t(n > 0 ? n : 0));
  if (n > 0) std::vsnprintf(&msg[at], size_t(n) + 1, fmt, ap2);
  va_end(ap2);
  throw Error(msg);
}

void throw_fmt(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail(std::string(), fmt, ap);
}

namespace {

// Throws Error("<origin>: <printf(fmt, ...)>").
[[noreturn]] __attribute__((format(printf, 2, 3), noinline, cold)) void fail_fmt(const std::string& origin,
                                                                                   const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail(origin + ": ", fmt, ap);
}

// The checks every op shares, then its own rule (ops/<op>.cpp).
void check_op(const std::string& origin, size_t index, OpDesc& op, const std::vector<TensorDesc>& t) {
  ops::Check c(origin, index, op, t);
  const ops::OpDef* def = op_in(OpId(op.type), SLIMRT_OP_SLIM) ? ops::op_def(op.type) : nullptr;
  if (!def || !def->check) c.fail("this slimrt has no implementation of the op");
  if (op.outputs.size() != 1) c.fail("every op has exactly one output, the file gives %lld", (long long)op.outputs.size());
  if (op.inputs.empty()) c.fail("has no inputs");
  if (op.inputs[0] < 0) c.fail("input 0 is missing");
  if (c.y().dtype == DType::F16 || c.x().dtype == DType::F16) c.fail("f16 activations are not supported by this build");
  c.inputs_between(size_t(def->min_inputs), size_t(def->max_inputs));
  def->check(c);
}

}  // namespace

OpPrecision op_precision(const OpDesc& op, const std::vector<TensorDesc>& t) {
  if (op.inputs.empty() || op.inputs[0] < 0) return OpPrecision::kAny;
  const DType x = t[size_t(op.inputs[0])].dtype;
  const ops::OpDef* def = ops::op_def(op.type);
  const bool weighted = def && def->weighted;
  const DType w = weighted && op.inputs.size() > 1 && op.inputs[1] >= 0 ? t[size_t(op.inputs[1])].dtype : x;
  if (w == DType::BIN) {
    switch (x) {
      case DType::F32: return OpPrecision::kBcF32;
      case DType::I8: return OpPrecision::kBcI8;
      case DType::I16: return OpPrecision::kBcI16;
      case DType::BIN: return OpPrecision::kBnn;
      default: return OpPrecision::kAny;
    }
  }
  if (x == DType::F32 && w == DType::F32) return OpPrecision::kF32;
  if (x == DType::I8 && w == DType::I8) return OpPrecision::kI8;
  if (x == DType::I16 && w == DType::I16) return OpPrecision::kI16;
  if (x == DType::BIN) return OpPrecision::kBnn;
  return OpPrecision::kAny;
}

namespace {
// A tensor's description (name, dtype, shape, size, fixed-point format), checked.
void read_tensor(const fb::Tensor& tensor, size_t i, const std::string& origin, TensorDesc& t) {
  const fb::Tensor* ft = &tensor;
  t.name = to_str(ft->name());
  const std::string tw_s = "tensor " + std::to_string(i) + " '" + t.name + "': ";
  const char* tw = tw_s.c_str();
  const auto dt = static_cast<int>(ft->dtype());
  if (dt < static_cast<int>(DType::MIN) || dt > static_cast<int>(DType::MAX))
    fail_fmt(origin, "%sunknown dtype %d", tw, dt);
  t.dtype = ft->dtype();
  const auto* shape = ft->shape();
  if (!shape || shape->size() == 0) fail_fmt(origin, "%shas no shape", tw);
  if (shape->size() > size_t(kMaxRank)) fail_fmt(origin, "%srank %lld exceeds %d", tw, (long long)shape->size(), kMaxRank);
  // FlatBuffers' verifier checks a vector's 4-byte length field, not 8-byte elements.
  if (reinterpret_cast<uintptr_t>(shape->data()) % alignof(int64_t) != 0) fail_fmt(origin, "%sshape is misaligned", tw);
  t.numel = 1;
  for (int64_t d : *shape) {
    if (d < 1 || d > kMaxDim) fail_fmt(origin, "%sextent %lld is outside [1, 2^30]", tw, (long long)d);
    t.shape.push_back(d);
    if (t.numel > kMaxDim * 4 / d) fail_fmt(origin, "%shas too many elements", tw);
    t.numel *= d;
  }
  if (!storage_bytes(t.dtype, t.shape, kMaxTensorBytes, &t.bytes)) fail_fmt(origin, "%sis larger than 2 GiB", tw);
  t.fl = ft->fl();
  t.wl = ft->wl();
  if (t.dtype == DType::I8 || t.dtype == DType::I16 || t.dtype == DType::I32) {
    const int storage = t.dtype == DType::I8 ? 8 : t.dtype == DType::I16 ? 16 : 32;
    if (t.wl == 0) t.wl = storage;
    if (t.wl < 2 || t.wl > storage) fail_fmt(origin, "%sword length %d does not fit %s", tw, t.wl, dtype_name(t.dtype));
    if (t.fl < -32 || t.fl > 62) fail_fmt(origin, "%sfractional bits %d are out of range", tw, t.fl);
  } else if (t.dtype == DType::BIN && t.wl == 0) {
    // Binary weights ±2^−FL (BinaryConnect with fixed-point activations): the FL of the ±1 values.
    if (t.fl < -32 || t.fl > 62) fail_fmt(origin, "%sfractional bits %d are out of range", tw, t.fl);
  } else if (t.fl != 0 || t.wl != 0) {
    fail_fmt(origin, "%sa %s tensor has no fixed-point format", tw, dtype_name(t.dtype));
  }
}

// An op's description from the file (the fields; check_op checks their meaning).
void read_op(const fb::Op& f, const char* ow, const std::string& origin, OpDesc& op) {
  const fb::Op* fo = &f;
  op.type = fo->type();
  op.inputs = to_ints(fo->inputs());
  op.outputs = to_ints(fo->outputs());
  op.kernel = to_ints(fo->kernel());
  op.stride = to_ints(fo->stride());
  op.padding = to_ints(fo->padding());
  op.dilation = to_ints(fo->dilation());
  op.perm = to_ints(fo->perm());
  op.groups = fo->groups();
  op.axis = fo->axis();
  op.begin = fo->begin();
  op.end = fo->end();
  op.min_value = fo->min_value();
  op.max_value = fo->max_value();
  op.alpha = fo->alpha();
  op.beta = fo->beta();
  const auto act = static_cast<int>(fo->activation());
  if (act < static_cast<int>(fb::Activation::MIN) || act > static_cast<int>(fb::Activation::MAX))
    fail_fmt(origin, "%sunknown fused activation %d", ow, act);
  op.activation = fo->activation();
  op.variant = to_str(fo->variant());
  if (op.variant.size() > 128) fail_fmt(origin, "%svariant name is too long", ow);
  op.gate_fl = fo->gate_fl();
  op.gate_wl = fo->gate_wl();
  op.cell_fl = fo->cell_fl();
  op.cell_wl = fo->cell_wl();
  op.pre_fl = fo->pre_fl();
  op.pre_wl = fo->pre_wl();
  if (const fb::FrontEnd* f = fo->frontend()) {  // checked by the op's own rule (slimrt_frontend)
    FrontEndParams& p = op.frontend;
    p.present = true;
    p.sample_rate = f->sample_rate();
    p.target_rate = f->target_rate();
    p.fmin = f->fmin();
    p.fmax = f->fmax();
    p.n_fft = f->n_fft();
    p.win_length = f->win_length();
    p.hop_length = f->hop_length();
    p.n_mels = f->n_mels();
    p.n_mfcc = f->n_mfcc();
    p.intervals = f->intervals();
    p.fft_bins = f->fft_bins();
    p.axes_per_sensor = f->axes_per_sensor();
    p.stream_hop = f->stream_hop();
    p.smooth_window = f->smooth_window();
    p.smooth_mode = int(f->smooth_mode());
  }
}

void read_metadata(const fb::Metadata* md, const std::string& origin, Metadata& out) {
  if (!md) return;
  out.model = to_str(md->model());
  out.precision = to_str(md->precision());
  out.feature_type = to_str(md->feature_type());
  out.source_run = to_str(md->source_run());
  out.exporter = to_str(md->exporter());
  out.sample_rate = md->sample_rate();
  out.window_length = md->window_length();
  out.accuracy = md->accuracy();
  if (md->class_names()) {
    if (md->class_names()->size() > 100000) fail_fmt(origin, "metadata: too many class names");
    for (const auto* s : *md->class_names()) out.class_names.push_back(to_str(s));
  }
  if (md->norm_mean()) out.norm_mean.assign(md->norm_mean()->begin(), md->norm_mean()->end());
  if (md->norm_std()) out.norm_std.assign(md->norm_std()->begin(), md->norm_std()->end());
}

// Padding bits past the last axis of packed ±1 weights must be 0 (the XOR-popcount
// identity needs it).
void check_bin_padding(const TensorDesc& t, const char* tw, const std::string& origin) {
  const size_t n = size_t(t.shape.back()), words = (n + 63) / 64, rows = t.bytes / 8 / words;
  if (n % 64 == 0) return;
  const uint64_t mask = ~uint64_t(0) << (n % 64);
  for (size_t r = 0; r < rows; ++r) {
    uint64_t last;
    std::memcpy(&last, t.data + (r * words + words - 1) * 8, 8);
    if (last & mask) fail_fmt(origin, "%srow %lld has non-zero padding bits", tw, (long long)r);
  }
}

}  // namespace

Verified verify_model(const fb::Model& m, const uint8_t* base, size_t size, const std::string& origin,
                      bool verify_checksums) {
  if (m.format_version() < 1 || m.format_version() > kFormatVersion)
    fail_fmt(origin, "format version %lld is not supported (this slimrt reads versions 1 to %lld)",
             (long long)m.format_version(), (long long)kFormatVersion);
  Verified v;
  // A file that carries the checksum field is checked whatever its version says (a
  // damaged version field must not turn the checks off).
  v.checksums_verified = verify_checksums && (m.format_version() >= kFormatVersionChecksums || model_crc_field(m));
  if (v.checksums_verified) check_checksums(m, base, size, origin);
  const auto* buffers = m.buffers();
  const size_t n_buffers = buffers ? buffers->size() : 0;
  if (n_buffers > 0 && buffers->Get(0)->data() && buffers->Get(0)->data()->size() != 0)
    fail_fmt(origin, "buffer 0 is reserved and must be empty");
  verify_graph({m.tensors(), m.ops(), m.inputs(), m.outputs()}, buffers, base, size, origin, false, v);
  read_metadata(m.metadata(), origin, v.metadata);
  return v;
}

void verify_graph(const GraphRefs& g, const BufferRefs* buffers, const uint8_t* base, size_t size,
                  const std::string& origin, bool buffer_prefix, Verified& v) {
  const auto* tensors = g.tensors;
  const auto* ops = g.ops;
  if (!tensors || tensors->size() == 0 || !ops || ops->size() == 0)
    fail_fmt(origin, "the model has no %s", !tensors || tensors->size() == 0 ? "tensors" : "ops");
  if (tensors->size() > kMaxTensors) fail_fmt(origin, "too many tensors (%lld)", (long long)tensors->size());
  if (ops->size() > kMaxOps) fail_fmt(origin, "too many ops (%lld)", (long long)ops->size());
  const size_t n_buffers = buffers ? buffers->size() : 0;

  // ---- tensors ----
  size_t activation_bytes = 0;
  v.tensors.resize(tensors->size());
  for (flatbuffers::uoffset_t i = 0; i < tensors->size(); ++i) {
    TensorDesc& t = v.tensors[i];
    read_tensor(*tensors->Get(i), i, origin, t);
    const std::string tw_s = "tensor " + std::to_string(i) + " '" + t.name + "': ";
    const char* tw = tw_s.c_str();
    if (const uint32_t b = tensors->Get(i)->buffer()) {
      if (b >= n_buffers) fail_fmt(origin, "%sbuffer %lld does not exist (%lld buffers)", tw, (long long)b, (long long)n_buffers);
      const auto* data = buffers->Get(b)->data();
      const size_t have = data ? data->size() : 0;
      if (buffer_prefix ? have < t.bytes : have != t.bytes)
        fail_fmt(origin, "%sbuffer %lld holds %lld bytes, %s %s needs %s%lld", tw, (long long)b, (long long)have,
                 dtype_name(t.dtype), ops::shape_str(t.shape).c_str(), buffer_prefix ? "at least " : "",
                 (long long)t.bytes);
      t.data = data->data();
      if (t.data < base || t.data + t.bytes > base + size) fail_fmt(origin, "%sbuffer lies outside the file", tw);
      if (t.dtype == DType::BIN) check_bin_padding(t, tw, origin);
    } else {
      if (activation_bytes > kMaxActivationBytes - t.bytes) fail_fmt(origin, "activations need more than 4 GiB");
      activation_bytes += t.bytes;
    }
  }

  // ---- graph inputs ----
  const size_t nt = v.tensors.size();
  std::vector<int> producer(nt, -2);  // -2: none, -1: graph input, k: op k
  // "<prefix><what>[ <j>] refers to tensor …" (j < 0: no number).
  auto tensor_index = [&](int32_t idx, const char* prefix, const char* what, long long j) -> int {
    if (idx < 0 || size_t(idx) >= nt) {
      if (j >= 0) fail_fmt(origin, "%s%s %lld refers to tensor %lld of %lld", prefix, what, j, (long long)idx, (long long)nt);
      fail_fmt(origin, "%s%s refers to tensor %lld of %lld", prefix, what, (long long)idx, (long long)nt);
    }
    return idx;
  };
  if (!g.inputs || g.inputs->size() == 0 || g.inputs->size() > 64) fail_fmt(origin, "the model needs 1..64 inputs");
  if (!g.outputs || g.outputs->size() == 0 || g.outputs->size() > 64) fail_fmt(origin, "the model needs 1..64 outputs");
  for (int32_t idx : *g.inputs) {
    const int i = tensor_index(idx, "", "a model input", -1);
    const TensorDesc& t = v.tensors[size_t(i)];
    if (t.constant()) fail_fmt(origin, "model input '%s' is a constant", t.name.c_str());
    if (t.dtype != DType::F32) fail_fmt(origin, "model input '%s' must be f32 (the exporter quantizes inside the graph)", t.name.c_str());
    if (producer[size_t(i)] == -1) fail_fmt(origin, "model input '%s' is listed twice", t.name.c_str());
    producer[size_t(i)] = -1;
    v.inputs.push_back(i);
  }

  // ---- ops, in order: every input defined before use (so no cycle), outputs written once ----
  v.ops.resize(ops->size());
  for (flatbuffers::uoffset_t k = 0; k < ops->size(); ++k) {
    const fb::Op* fo = ops->Get(k);
    OpDesc& op = v.ops[k];
    const auto type = static_cast<int>(fo->type());
    op.name = to_str(fo->name());
    const std::string ow_s = "op " + std::to_string(k) + " '" + op.name + "': ";
    const char* ow = ow_s.c_str();
    if (type < static_cast<int>(OpType::MIN) || type > static_cast<int>(OpType::MAX))
      fail_fmt(origin, "%sunknown op type %d (a newer exporter?)", ow, type);
    read_op(*fo, ow, origin, op);
    if (op.inputs.size() > 64 || op.kernel.size() > 4 || op.stride.size() > 4 || op.padding.size() > 4 ||
        op.dilation.size() > 4 || op.perm.size() > size_t(kMaxRank))
      fail_fmt(origin, "%shas implausibly many inputs or attribute entries", ow);
    for (size_t j = 0; j < op.inputs.size(); ++j) {
      const int32_t idx = op.inputs[j];
      if (idx == -1 && j > 0) continue;  // an absent optional input
      const int i = tensor_index(idx, ow, "input", (long long)j);
      const TensorDesc& t = v.tensors[size_t(i)];
      if (!t.constant() && producer[size_t(i)] == -2)
        fail_fmt(origin, "%sreads tensor '%s' before any op writes it (ops out of order or a cycle)", ow, t.name.c_str());
    }
    for (int32_t idx : op.outputs) {
      const int i = tensor_index(idx, ow, "output", -1);
      const TensorDesc& t = v.tensors[size_t(i)];
      if (t.constant()) fail_fmt(origin, "%swrites the constant tensor '%s'", ow, t.name.c_str());
      if (producer[size_t(i)] != -2) fail_fmt(origin, "%swrites tensor '%s', which is already written", ow, t.name.c_str());
      for (int32_t in : op.inputs)
        if (in == idx) fail_fmt(origin, "%sreads and writes tensor '%s'", ow, t.name.c_str());
      producer[size_t(i)] = int(k);
    }
    check_op(origin, k, op, v.tensors);
  }
  for (int32_t idx : *g.outputs) {
    const int i = tensor_index(idx, "", "a model output", -1);
    const TensorDesc& t = v.tensors[size_t(i)];
    if (producer[size_t(i)] == -2) fail_fmt(origin, "model output '%s' is never written", t.name.c_str());
    if (t.dtype != DType::F32) fail_fmt(origin, "model output '%s' must be f32", t.name.c_str());
    v.outputs.push_back(i);
  }
}

}  // namespace detail
}  // namespace slimrt
