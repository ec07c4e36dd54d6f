#include "verifier.h"

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
  const auto i = static_cast<unsigned>(t);
  if (i > static_cast<unsigned>(OpType::MAX)) return "?";
  return fb::EnumNameOpType(t);
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

std::string shape_str(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

bool is_fixed(DType t) { return t == DType::I8 || t == DType::I16; }

// Throws Error(prefix + printf(fmt, ...)). One out-of-line formatter instead of a
// std::string concatenation at every check keeps the library small (docs/BENCHMARKS.md).
[[noreturn]] __attribute__((noinline, cold)) void vfail(const std::string& prefix, const char* fmt, va_list ap) {
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
}  // namespace

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

// Checks for one op; `fail` prefixes the op's index, name and type.
class OpChecker {
 public:
  OpChecker(const std::string& origin, size_t index, OpDesc& op, const std::vector<TensorDesc>& t)
      : op_(op), t_(t) {
    where_ = origin + ": op " + std::to_string(index) + " '" + op.name + "' (" + op_name(op.type) + "): ";
  }

  [[noreturn]] __attribute__((format(printf, 2, 3), noinline, cold)) void fail(const char* fmt, ...) const {
    va_list ap;
    va_start(ap, fmt);
    vfail(where_, fmt, ap);
  }

  void check();

 private:
  // Input i must exist (not -1) unless optional.
  const TensorDesc* in(size_t i, bool optional = false) const {
    if (i >= op_.inputs.size() || op_.inputs[i] < 0) {
      if (optional) return nullptr;
      fail("input %lld is missing", (long long)i);
    }
    return &t_[size_t(op_.inputs[i])];
  }
  const TensorDesc& x() const { return *in(0); }
  const TensorDesc& y() const { return t_[size_t(op_.outputs[0])]; }
  void inputs_between(size_t lo, size_t hi) const {
    if (op_.inputs.size() < lo || op_.inputs.size() > hi)
      fail("takes %lld..%lld inputs, the file gives %lld", (long long)lo, (long long)hi, (long long)op_.inputs.size());
  }
  void need_shape(const TensorDesc& t, const std::vector<int64_t>& want, const char* role) const {
    if (t.shape != want)
      fail("%s '%s' has shape %s, expected %s", role, t.name.c_str(), shape_str(t.shape).c_str(), shape_str(want).c_str());
  }
  void need_dtype(const TensorDesc& t, DType d, const char* role) const {
    if (t.dtype != d)
      fail("%s '%s' is %s, expected %s", role, t.name.c_str(), dtype_name(t.dtype), dtype_name(d));
  }
  void need_const(const TensorDesc& t, const char* role) const {
    if (!t.constant()) fail("%s '%s' must be a constant (weights)", role, t.name.c_str());
  }
  void need_rank(const TensorDesc& t, size_t r, const char* role) const {
    if (t.shape.size() != r)
      fail("%s '%s' has rank %lld, expected %lld", role, t.name.c_str(), (long long)t.shape.size(), (long long)r);
  }
  void same_fl(const TensorDesc& a, const TensorDesc& b) const {
    if (is_fixed(a.dtype) && a.fl != b.fl)
      fail("'%s' (FL %d) and '%s' (FL %d) must share a fixed-point format", a.name.c_str(), a.fl, b.name.c_str(), b.fl);
  }
  // Per-axis attribute with `axes` entries (empty = fallback), each within [lo, hi].
  std::vector<int> attr(std::vector<int>& v, size_t axes, int fallback, int lo, int hi, const char* name) const {
    if (v.empty()) v.assign(axes, fallback);
    if (v.size() != axes)
      fail("%s has %lld entries for %lld spatial axes", name, (long long)v.size(), (long long)axes);
    for (int e : v)
      if (e < lo || e > hi)
        fail("%s %lld is outside [%lld, %lld]", name, (long long)e, (long long)lo, (long long)hi);
    return v;
  }
  int64_t window_out(int64_t len, int k, int s, int p, int d, const char* axis) const {
    const int64_t span = len + 2 * int64_t(p) - int64_t(d) * (k - 1) - 1;
    if (span < 0) fail("the window does not fit the input along %s", axis);
    return span / s + 1;
  }

  void check_dense();
  void check_conv();
  void check_pool();
  void check_rnn();
  void check_bias(const TensorDesc* b, int64_t n, OpPrecision p, int fl_acc) const;
  void check_bnn_outputs(size_t first_extra, int64_t channels) const;

  OpDesc& op_;
  const std::vector<TensorDesc>& t_;
  std::string where_;
};

void OpChecker::check_bias(const TensorDesc* b, int64_t n, OpPrecision p, int fl_acc) const {
  if (!b) return;
  need_const(*b, "bias");
  need_shape(*b, {n}, "bias");
  if (p == OpPrecision::kF32 || p == OpPrecision::kBcF32) {
    need_dtype(*b, DType::F32, "bias");
  } else {
    need_dtype(*b, DType::I32, "bias");
    if (b->fl != fl_acc)
      fail("bias '%s' has FL %d, the accumulator's is %lld", b->name.c_str(), b->fl, (long long)fl_acc);
  }
}

// BNN outputs: packed signs need per-channel thresholds [n, 3] (threshold, direction,
// constant); float outputs take optional scale and bias [n]; int32 outputs nothing.
void OpChecker::check_bnn_outputs(size_t first, int64_t n) const {
  const TensorDesc& out = y();
  // The BNN kernels apply no fused activation: a file asking for one would silently
  // compute something else, so it is refused.
  if (op_.activation != fb::Activation::None) fail("binary (BNN) layers have no fused activation");
  if (out.dtype == DType::BIN) {
    const TensorDesc* th = in(first);
    need_const(*th, "thresholds");
    need_dtype(*th, DType::F32, "thresholds");
    need_shape(*th, {n, 3}, "thresholds");
    const float* v = reinterpret_cast<const float*>(th->data);
    for (int64_t c = 0; c < n; ++c) {
      const float dir = v[c * 3 + 1], cst = v[c * 3 + 2];
      if (!(dir == 1 || dir == -1 || dir == 0) || !(cst == 1 || cst == -1))
        fail("thresholds '%s' row %lld has direction/constant outside {−1, 0, 1}", th->name.c_str(), (long long)c);
    }
  } else if (out.dtype == DType::F32) {
    for (size_t i = first; i < first + 2; ++i)
      if (const TensorDesc* s = in(i, true)) {
        need_const(*s, "scale/bias");
        need_dtype(*s, DType::F32, "scale/bias");
        need_shape(*s, {n}, "scale/bias");
      }
  } else if (out.dtype != DType::I32) {
    fail("a binary (BNN) layer writes bin, f32 or i32, not %s", dtype_name(out.dtype));
  }
}

void OpChecker::check_dense() {
  inputs_between(2, 4);
  const TensorDesc &xt = x(), &w = *in(1);
  need_const(w, "weight");
  need_rank(w, 2, "weight");
  const int64_t out = w.shape[0], nin = w.shape[1];
  const OpPrecision p = op_precision(op_, t_);
  if (xt.numel % nin != 0)
    fail("input '%s' %s is not a multiple of %lld features", xt.name.c_str(), shape_str(xt.shape).c_str(), (long long)nin);
  const int64_t rows = xt.numel / nin;
  if (xt.dtype == DType::BIN && xt.shape.back() != nin)
    fail("packed input '%s' must have the features on its last axis", xt.name.c_str());
  if (y().shape.empty() || y().shape.back() != out || y().numel != rows * out)
    fail("output '%s' %s does not hold %lld × %lld values", y().name.c_str(), shape_str(y().shape).c_str(), (long long)rows,
         (long long)out);
  switch (p) {
    case OpPrecision::kF32: need_dtype(y(), DType::F32, "output"); break;
    case OpPrecision::kI8: case OpPrecision::kBcI8: need_dtype(y(), DType::I8, "output"); break;
    case OpPrecision::kI16: case OpPrecision::kBcI16: need_dtype(y(), DType::I16, "output"); break;
    case OpPrecision::kBcF32: need_dtype(y(), DType::F32, "output"); break;
    default: break;
  }
  if (p == OpPrecision::kBnn) {
    check_bnn_outputs(2, out);
  } else {
    const int fl_w = p == OpPrecision::kBcF32 ? 0 : w.fl;  // BinaryConnect: ±2^−FL weights
    check_bias(in(2, true), out, p, xt.fl + fl_w);
    if (p == OpPrecision::kBcF32) {
      if (const TensorDesc* s = in(3, true)) {
        need_const(*s, "scale");
        need_dtype(*s, DType::F32, "scale");
        need_shape(*s, {out}, "scale");
      }
    } else if (op_.inputs.size() > 3) {
      fail("takes at most 3 inputs at this precision");
    }
  }
  op_.macs = rows * nin * out;
}

void OpChecker::check_conv() {
  inputs_between(2, 4);
  const bool one_d = op_.type == OpType::Conv1d;
  const size_t axes = one_d ? 1 : 2;
  const TensorDesc &xt = x(), &w = *in(1);
  need_const(w, "weight");
  const OpPrecision p = op_precision(op_, t_);
  const bool bnn = p == OpPrecision::kBnn;
  const bool bc = p == OpPrecision::kBcF32 || p == OpPrecision::kBcI8 || p == OpPrecision::kBcI16;
  if (bnn && one_d) fail("binary (BNN) convolutions are 2-D only");
  need_rank(xt, axes + 1, "input");
  // Input extents: CHW (packed BNN maps are HWC).
  const int64_t C = bnn ? xt.shape[2] : xt.shape[0];
  const int64_t H = one_d ? 1 : (bnn ? xt.shape[0] : xt.shape[1]);
  const int64_t W = one_d ? xt.shape[1] : (bnn ? xt.shape[1] : xt.shape[2]);
  if (op_.groups < 1 || op_.groups > C || C % op_.groups != 0)
    fail("groups %d does not divide %lld input channels", op_.groups, (long long)C);
  if (op_.type == OpType::DepthwiseConv2d && op_.groups != C)
    fail("a depthwise convolution needs groups == input channels (%lld)", (long long)C);
  if (bnn && op_.groups != 1) fail("binary (BNN) convolutions need groups = 1");
  attr(op_.kernel, axes, 1, 1, 1 << 16, "kernel");
  attr(op_.stride, axes, 1, 1, 1 << 16, "stride");
  attr(op_.padding, axes, 0, 0, 1 << 16, "padding");
  attr(op_.dilation, axes, 1, 1, 1 << 16, "dilation");
  const int kh = one_d ? 1 : op_.kernel[0], kw = op_.kernel[axes - 1];
  const int64_t cg = C / op_.groups;
  int64_t O = 0;
  if (bnn) {
    need_rank(w, 4, "weight");
    O = w.shape[0];
    need_shape(w, {O, kh, kw, C}, "weight");
  } else if (bc) {
    need_rank(w, 2, "weight");
    O = w.shape[0];
    need_shape(w, {O, cg * kh * kw}, "weight");
  } else {
    need_rank(w, axes + 2, "weight");
    O = w.shape[0];
    if (one_d) need_shape(w, {O, cg, kw}, "weight");
    else need_shape(w, {O, cg, kh, kw}, "weight");
  }
  if (O % op_.groups != 0)
    fail("%lld output channels are not a multiple of groups %d", (long long)O, op_.groups);
  const int64_t OH = one_d ? 1 : window_out(H, kh, op_.stride[0], op_.padding[0], op_.dilation[0], "height");
  const int64_t OW = window_out(W, kw, op_.stride[axes - 1], op_.padding[axes - 1], op_.dilation[axes - 1],
                                one_d ? "length" : "width");
  std::vector<int64_t> want = one_d ? std::vector<int64_t>{O, OW} : std::vector<int64_t>{O, OH, OW};
  if (bnn && y().dtype == DType::BIN) want = {OH, OW, O};
  need_shape(y(), want, "output");
  if (bnn) {
    check_bnn_outputs(2, O);
  } else {
    DType yd = p == OpPrecision::kI8 || p == OpPrecision::kBcI8 ? DType::I8
               : p == OpPrecision::kI16 || p == OpPrecision::kBcI16 ? DType::I16 : DType::F32;
    need_dtype(y(), yd, "output");
    const int fl_w = p == OpPrecision::kBcF32 ? 0 : w.fl;  // BinaryConnect: ±2^−FL weights
    check_bias(in(2, true), O, p, xt.fl + fl_w);
    if (p == OpPrecision::kBcF32) {
      if (const TensorDesc* s = in(3, true)) {
        need_const(*s, "scale");
        need_dtype(*s, DType::F32, "scale");
        need_shape(*s, {O}, "scale");
      }
    } else if (op_.inputs.size() > 3) {
      fail("takes at most 3 inputs at this precision");
    }
  }
  op_.macs = O * OH * OW * cg * kh * kw;
}

void OpChecker::check_pool() {
  inputs_between(1, 1);
  const bool one_d = op_.type == OpType::MaxPool1d || op_.type == OpType::AvgPool1d;
  const size_t axes = one_d ? 1 : 2;
  const TensorDesc& xt = x();
  need_rank(xt, axes + 1, "input");
  const bool bits = xt.dtype == DType::BIN;
  if (bits && op_.type != OpType::MaxPool2d) fail("packed (BNN) maps support 2-D max pooling only");
  if (xt.dtype != DType::F32 && !is_fixed(xt.dtype) && !bits)
    fail("input '%s' is %s, pooling takes f32, i8, i16 or bin", xt.name.c_str(), dtype_name(xt.dtype));
  need_dtype(y(), xt.dtype, "output");
  // Max pooling selects values (same format); fixed-point average pooling rounds the
  // mean once into the output's own format.
  if (op_.type == OpType::MaxPool1d || op_.type == OpType::MaxPool2d) same_fl(xt, y());
  attr(op_.kernel, axes, 1, 1, 1 << 16, "kernel");
  std::vector<int> kernel = op_.kernel;
  attr(op_.stride, axes, 1, 1, 1 << 16, "stride");
  if (op_.stride.empty()) op_.stride = kernel;
  attr(op_.padding, axes, 0, 0, 1 << 16, "padding");
  for (size_t a = 0; a < axes; ++a)
    if (op_.padding[a] * 2 > op_.kernel[a]) fail("padding must be at most half the kernel");
  const int64_t C = bits ? xt.shape[2] : xt.shape[0];
  const int64_t H = one_d ? 1 : (bits ? xt.shape[0] : xt.shape[1]);
  const int64_t W = one_d ? xt.shape[1] : (bits ? xt.shape[1] : xt.shape[2]);
  const int64_t OH = one_d ? 1 : window_out(H, op_.kernel[0], op_.stride[0], op_.padding[0], 1, "height");
  const int64_t OW = window_out(W, op_.kernel[axes - 1], op_.stride[axes - 1], op_.padding[axes - 1], 1,
                                one_d ? "length" : "width");
  if (bits) need_shape(y(), {OH, OW, C}, "output");
  else if (one_d) need_shape(y(), {C, OW}, "output");
  else need_shape(y(), {C, OH, OW}, "output");
  op_.macs = C * OH * OW * op_.kernel[0] * op_.kernel[axes - 1];
}

void OpChecker::check_rnn() {
  inputs_between(3, 5);
  const int64_t G = op_.type == OpType::Gru ? 3 : 4;
  const TensorDesc &xt = x(), &wi = *in(1), &wh = *in(2);
  need_const(wi, "weight_ih");
  need_const(wh, "weight_hh");
  need_rank(xt, 2, "input");
  need_rank(wh, 2, "weight_hh");
  const int64_t T = xt.shape[0], F = xt.shape[1], Hd = wh.shape[1];
  need_shape(wi, {G * Hd, F}, "weight_ih");
  need_shape(wh, {G * Hd, Hd}, "weight_hh");
  need_shape(y(), {T, Hd}, "output");
  const OpPrecision p = op_precision(op_, t_);
  if (p != OpPrecision::kF32 && p != OpPrecision::kI8 && p != OpPrecision::kI16)
    fail("recurrent layers run in f32, i8 or i16");
  const DType d = xt.dtype;
  need_dtype(wi, d, "weight_ih");
  need_dtype(wh, d, "weight_hh");
  need_dtype(y(), d, "output");
  check_bias(in(3, true), G * Hd, p, xt.fl + wi.fl);
  check_bias(in(4, true), G * Hd, p, y().fl + wh.fl);
  if (p != OpPrecision::kF32) {
    const int bits = d == DType::I8 ? 8 : 16;
    if (op_.gate_wl < 2 || op_.gate_wl > bits || op_.gate_fl < -16 || op_.gate_fl > 30)
      fail("gate format ⟨%d, %d⟩ is not valid", op_.gate_wl, op_.gate_fl);
    if (G == 4 && (op_.cell_wl < 2 || op_.cell_wl > bits || op_.cell_fl < -16 || op_.cell_fl > 30))
      fail("cell format ⟨%d, %d⟩ is not valid", op_.cell_wl, op_.cell_fl);
    if (op_.pre_wl != 0 && (op_.pre_wl < 2 || op_.pre_wl > 16 || op_.pre_fl < -16 || op_.pre_fl > 30))
      fail("gate pre-activation format ⟨%d, %d⟩ is not valid", op_.pre_wl, op_.pre_fl);
  }
  op_.macs = T * G * Hd * (F + Hd);
}

void OpChecker::check() {
  if (op_.outputs.size() != 1) fail("every op has exactly one output, the file gives %lld", (long long)op_.outputs.size());
  if (op_.inputs.empty()) fail("has no inputs");
  if (op_.inputs[0] < 0) fail("input 0 is missing");
  const TensorDesc& xt = x();
  const TensorDesc& yt = y();
  if (yt.dtype == DType::F16 || xt.dtype == DType::F16) fail("f16 activations are not supported by this build");
  switch (op_.type) {
    case OpType::Dense: check_dense(); break;
    case OpType::Conv1d: case OpType::Conv2d: case OpType::DepthwiseConv2d: check_conv(); break;
    case OpType::MaxPool1d: case OpType::MaxPool2d: case OpType::AvgPool2d: case OpType::AvgPool1d: check_pool(); break;
    case OpType::Gru: case OpType::Lstm: check_rnn(); break;
    case OpType::GlobalAvgPool: case OpType::MeanOverTime: {
      inputs_between(1, 1);
      if (xt.dtype != DType::F32 && !is_fixed(xt.dtype)) fail("takes f32, i8 or i16");
      need_dtype(yt, xt.dtype, "output");
      if (op_.type == OpType::MeanOverTime) {
        need_rank(xt, 2, "input");
        need_shape(yt, {xt.shape[1]}, "output");
      } else {
        if (xt.shape.size() < 2) fail("input '%s' needs [C, ...]", xt.name.c_str());
        need_shape(yt, {xt.shape[0]}, "output");
      }
      op_.macs = xt.numel;
      break;
    }
    case OpType::Relu: case OpType::Relu6: case OpType::HardTanh: case OpType::Sign: {
      inputs_between(1, 1);
      if (xt.dtype != DType::F32 && !is_fixed(xt.dtype)) fail("takes f32, i8 or i16");
      if (op_.type == OpType::HardTanh && !(op_.min_value <= op_.max_value))
        fail("hard-tanh bounds [%f, %f] are not ordered", double(op_.min_value), double(op_.max_value));
      if (op_.type == OpType::Sign && yt.dtype == DType::BIN) {
        // Sign into packed bits: CHW → [spatial..., C] packed along C.
        std::vector<int64_t> want(xt.shape.begin() + 1, xt.shape.end());
        want.push_back(xt.shape[0]);
        need_shape(yt, want, "output");
      } else {
        need_dtype(yt, xt.dtype, "output");
        need_shape(yt, xt.shape, "output");
        if (op_.type != OpType::Sign) same_fl(xt, yt);  // sign writes ±1 in its output's format
      }
      op_.macs = xt.numel;
      break;
    }
    case OpType::Softmax:
      inputs_between(1, 1);
      if (xt.dtype != DType::F32 && !is_fixed(xt.dtype)) fail("takes f32, i8 or i16");
      need_dtype(yt, xt.dtype, "output");
      need_shape(yt, xt.shape, "output");
      op_.macs = xt.numel;
      break;
    case OpType::Reshape:
      inputs_between(1, 1);
      if (xt.dtype == DType::BIN) fail("packed tensors cannot be reshaped");
      need_dtype(yt, xt.dtype, "output");
      same_fl(xt, yt);
      if (yt.numel != xt.numel)
        fail("output '%s' %s does not hold the %lld values of %s", yt.name.c_str(), shape_str(yt.shape).c_str(),
             (long long)xt.numel, shape_str(xt.shape).c_str());
      break;
    case OpType::Concat: {
      if (op_.inputs.size() > 64) fail("concatenates at most 64 inputs");
      const size_t rank = yt.shape.size();
      if (op_.axis < 0 || size_t(op_.axis) >= rank) fail("axis %d is out of range", op_.axis);
      int64_t sum = 0;
      for (size_t i = 0; i < op_.inputs.size(); ++i) {
        const TensorDesc& t = *in(i);
        if (t.dtype == DType::BIN) fail("packed tensors cannot be concatenated");
        need_dtype(t, yt.dtype, "input");
        same_fl(t, yt);
        need_rank(t, rank, "input");
        for (size_t a = 0; a < rank; ++a)
          if (int(a) != op_.axis && t.shape[a] != yt.shape[a])
            fail("input '%s' %s does not match output %s off the concat axis", t.name.c_str(), shape_str(t.shape).c_str(),
                 shape_str(yt.shape).c_str());
        sum += t.shape[size_t(op_.axis)];
      }
      if (sum != yt.shape[size_t(op_.axis)]) fail("the inputs do not add up to the output along the concat axis");
      break;
    }
    case OpType::Add: {
      inputs_between(2, 2);
      const TensorDesc& b = *in(1);
      if (xt.dtype != DType::F32 && !is_fixed(xt.dtype)) fail("takes f32, i8 or i16");
      need_dtype(b, xt.dtype, "input");
      need_dtype(yt, xt.dtype, "output");
      need_shape(b, xt.shape, "input");
      need_shape(yt, xt.shape, "output");
      op_.macs = xt.numel;
      break;
    }
    case OpType::Slice: {
      inputs_between(1, 1);
      if (xt.dtype == DType::BIN) fail("packed tensors cannot be sliced");
      need_dtype(yt, xt.dtype, "output");
      same_fl(xt, yt);
      const size_t rank = xt.shape.size();
      if (op_.axis < 0 || size_t(op_.axis) >= rank) fail("axis %d is out of range", op_.axis);
      if (op_.begin < 0 || op_.end <= op_.begin || op_.end > xt.shape[size_t(op_.axis)])
        fail("slice [%d, %d) is outside the axis of %lld", op_.begin, op_.end, (long long)xt.shape[size_t(op_.axis)]);
      std::vector<int64_t> want = xt.shape;
      want[size_t(op_.axis)] = op_.end - op_.begin;
      need_shape(yt, want, "output");
      break;
    }
    case OpType::Transpose: {
      inputs_between(1, 1);
      if (xt.dtype == DType::BIN) fail("packed tensors cannot be transposed");
      need_dtype(yt, xt.dtype, "output");
      same_fl(xt, yt);
      const size_t rank = xt.shape.size();
      if (op_.perm.size() != rank) fail("perm has %lld entries for rank %lld", (long long)op_.perm.size(), (long long)rank);
      std::vector<int64_t> want(rank);
      std::vector<bool> seen(rank, false);
      for (size_t i = 0; i < rank; ++i) {
        const int a = op_.perm[i];
        if (a < 0 || size_t(a) >= rank || seen[size_t(a)]) fail("perm is not a permutation");
        seen[size_t(a)] = true;
        want[i] = xt.shape[size_t(a)];
      }
      need_shape(yt, want, "output");
      break;
    }
    case OpType::Scale: {
      inputs_between(3, 3);
      need_dtype(xt, DType::F32, "input");
      need_dtype(yt, DType::F32, "output");
      need_shape(yt, xt.shape, "output");
      for (size_t i = 1; i < 3; ++i) {
        const TensorDesc& s = *in(i);
        need_const(s, "scale/shift");
        need_dtype(s, DType::F32, "scale/shift");
        need_shape(s, {xt.shape[0]}, "scale/shift");
      }
      op_.macs = xt.numel;
      break;
    }
    case OpType::Quantize:
      inputs_between(1, 1);
      if (xt.dtype != DType::F32 && !is_fixed(xt.dtype)) fail("quantizes f32 or fixed point");
      if (!is_fixed(yt.dtype)) fail("output '%s' must be i8 or i16", yt.name.c_str());
      need_shape(yt, xt.shape, "output");
      break;
    case OpType::Dequantize:
      inputs_between(1, 1);
      if (!is_fixed(xt.dtype) && xt.dtype != DType::I32 && xt.dtype != DType::BIN)
        fail("dequantizes i8, i16, i32 or bin");
      need_dtype(yt, DType::F32, "output");
      if (xt.dtype == DType::BIN) {
        // Packed [spatial..., C] back to CHW.
        std::vector<int64_t> want{xt.shape.back()};
        want.insert(want.end(), xt.shape.begin(), xt.shape.end() - 1);
        need_shape(yt, want, "output");
      } else {
        need_shape(yt, xt.shape, "output");
      }
      break;
  }
}

}  // namespace

OpPrecision op_precision(const OpDesc& op, const std::vector<TensorDesc>& t) {
  if (op.inputs.empty() || op.inputs[0] < 0) return OpPrecision::kAny;
  const DType x = t[size_t(op.inputs[0])].dtype;
  const bool weighted = op.type == OpType::Dense || op.type == OpType::Conv1d || op.type == OpType::Conv2d ||
                        op.type == OpType::DepthwiseConv2d;
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

Verified verify_model(const fb::Model& m, const uint8_t* base, size_t size, const std::string& origin) {
  if (m.format_version() != kFormatVersion)
    fail_fmt(origin, "format version %lld is not supported (this slimrt reads version %lld)",
             (long long)m.format_version(), (long long)kFormatVersion);
  Verified v;
  const auto* tensors = m.tensors();
  const auto* buffers = m.buffers();
  const auto* ops = m.ops();
  if (!tensors || tensors->size() == 0) fail_fmt(origin, "the model has no tensors");
  if (!ops || ops->size() == 0) fail_fmt(origin, "the model has no ops");
  if (tensors->size() > kMaxTensors) fail_fmt(origin, "too many tensors (%lld)", (long long)tensors->size());
  if (ops->size() > kMaxOps) fail_fmt(origin, "too many ops (%lld)", (long long)ops->size());
  const size_t n_buffers = buffers ? buffers->size() : 0;
  if (n_buffers > 0 && buffers->Get(0)->data() && buffers->Get(0)->data()->size() != 0)
    fail_fmt(origin, "buffer 0 is reserved and must be empty");

  // ---- tensors ----
  size_t activation_bytes = 0;
  v.tensors.resize(tensors->size());
  for (flatbuffers::uoffset_t i = 0; i < tensors->size(); ++i) {
    const fb::Tensor* ft = tensors->Get(i);
    TensorDesc& t = v.tensors[i];
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
    const uint32_t b = ft->buffer();
    if (b != 0) {
      if (b >= n_buffers) fail_fmt(origin, "%sbuffer %lld does not exist (%lld buffers)", tw, (long long)b, (long long)n_buffers);
      const auto* data = buffers->Get(b)->data();
      const size_t have = data ? data->size() : 0;
      if (have != t.bytes)
        fail_fmt(origin, "%sbuffer %lld holds %lld bytes, %s %s needs %lld", tw, (long long)b, (long long)have,
                 dtype_name(t.dtype), shape_str(t.shape).c_str(), (long long)t.bytes);
      t.data = data->data();
      if (t.data < base || t.data + t.bytes > base + size) fail_fmt(origin, "%sbuffer lies outside the file", tw);
      if (t.dtype == DType::BIN) {
        // Padding bits past the last axis must be 0 (the XOR-popcount identity needs it).
        const size_t n = size_t(t.shape.back()), words = (n + 63) / 64, rows = t.bytes / 8 / words;
        if (n % 64 != 0) {
          const uint64_t mask = ~uint64_t(0) << (n % 64);
          for (size_t r = 0; r < rows; ++r) {
            uint64_t last;
            std::memcpy(&last, t.data + (r * words + words - 1) * 8, 8);
            if (last & mask) fail_fmt(origin, "%srow %lld has non-zero padding bits", tw, (long long)r);
          }
        }
      }
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
  if (!m.inputs() || m.inputs()->size() == 0 || m.inputs()->size() > 64) fail_fmt(origin, "the model needs 1..64 inputs");
  if (!m.outputs() || m.outputs()->size() == 0 || m.outputs()->size() > 64) fail_fmt(origin, "the model needs 1..64 outputs");
  for (int32_t idx : *m.inputs()) {
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
    OpChecker(origin, k, op, v.tensors).check();
  }
  for (int32_t idx : *m.outputs()) {
    const int i = tensor_index(idx, "", "a model output", -1);
    const TensorDesc& t = v.tensors[size_t(i)];
    if (producer[size_t(i)] == -2) fail_fmt(origin, "model output '%s' is never written", t.name.c_str());
    if (t.dtype != DType::F32) fail_fmt(origin, "model output '%s' must be f32", t.name.c_str());
    v.outputs.push_back(i);
  }

  // ---- metadata ----
  if (const fb::Metadata* md = m.metadata()) {
    v.metadata.model = to_str(md->model());
    v.metadata.precision = to_str(md->precision());
    v.metadata.feature_type = to_str(md->feature_type());
    v.metadata.source_run = to_str(md->source_run());
    v.metadata.exporter = to_str(md->exporter());
    v.metadata.sample_rate = md->sample_rate();
    v.metadata.window_length = md->window_length();
    v.metadata.accuracy = md->accuracy();
    if (md->class_names()) {
      if (md->class_names()->size() > 100000) fail_fmt(origin, "metadata: too many class names");
      for (const auto* s : *md->class_names()) v.metadata.class_names.push_back(to_str(s));
    }
    if (md->norm_mean()) v.metadata.norm_mean.assign(md->norm_mean()->begin(), md->norm_mean()->end());
    if (md->norm_std()) v.metadata.norm_std.assign(md->norm_std()->begin(), md->norm_std()->end());
  }
  return v;
}

}  // namespace detail
}  // namespace slimrt
