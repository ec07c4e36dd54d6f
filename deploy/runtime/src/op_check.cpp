// The helpers of the ops' verification rules (ops/*.cpp): ops::Check.
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "op_registry.h"
#include "slimrt/fixed_point.h"

namespace slimrt::ops {

bool is_fixed(DType t) { return t == DType::I8 || t == DType::I16; }

std::string shape_str(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

Check::Check(const std::string& origin, size_t index, OpDesc& o, const std::vector<TensorDesc>& tensors)
    : op(o), t(tensors), origin_(origin), index_(index) {}

void Check::fail(const char* fmt, ...) const {
  char where[96];
  std::snprintf(where, sizeof where, ": op %zu '", index_);
  const std::string prefix = origin_ + where + op.name + "' (" + op_name(op.type) + "): ";
  va_list ap;
  va_start(ap, fmt);
  detail::vfail(prefix, fmt, ap);
}

const TensorDesc* Check::in(size_t i, bool optional) const {
  if (i >= op.inputs.size() || op.inputs[i] < 0) {
    if (optional) return nullptr;
    fail("input %lld is missing", (long long)i);
  }
  return &t[size_t(op.inputs[i])];
}

void Check::inputs_between(size_t lo, size_t hi) const {
  if (op.inputs.size() < lo || op.inputs.size() > hi)
    fail("takes %lld..%lld inputs, the file gives %lld", (long long)lo, (long long)hi, (long long)op.inputs.size());
}
void Check::same_out(bool numeric) const {
  if (numeric) need_numeric(x());
  need_dtype(y(), x().dtype, "output");
  need_shape(y(), x().shape, "output");
}
void Check::same_format_out(const char* verb) const {
  if (x().dtype == DType::BIN) fail("packed tensors cannot be %s", verb);
  need_dtype(y(), x().dtype, "output");
  same_fl(x(), y());
}
Check::Extents Check::extents(const TensorDesc& m, bool one_d, bool hwc) {
  const auto& s = m.shape;
  if (one_d) return {s[0], 1, s[1]};
  return hwc ? Extents{s[2], s[0], s[1]} : Extents{s[0], s[1], s[2]};
}
void Check::need_shape(const TensorDesc& d, const std::vector<int64_t>& want, const char* role) const {
  if (d.shape != want)
    fail("%s '%s' has shape %s, expected %s", role, d.name.c_str(), shape_str(d.shape).c_str(), shape_str(want).c_str());
}
void Check::need_dtype(const TensorDesc& d, DType want, const char* role) const {
  if (d.dtype != want) fail("%s '%s' is %s, expected %s", role, d.name.c_str(), dtype_name(d.dtype), dtype_name(want));
}
void Check::need_const(const TensorDesc& d, const char* role) const {
  if (!d.constant()) fail("%s '%s' must be a constant (weights)", role, d.name.c_str());
}
void Check::need_rank(const TensorDesc& d, size_t r, const char* role) const {
  if (d.shape.size() != r)
    fail("%s '%s' has rank %lld, expected %lld", role, d.name.c_str(), (long long)d.shape.size(), (long long)r);
}
void Check::need_numeric(const TensorDesc& d) const {
  if (d.dtype != DType::F32 && !is_fixed(d.dtype)) fail("takes f32, i8 or i16");
}
void Check::same_fl(const TensorDesc& a, const TensorDesc& b) const {
  if (is_fixed(a.dtype) && a.fl != b.fl)
    fail("'%s' (FL %d) and '%s' (FL %d) must share a fixed-point format", a.name.c_str(), a.fl, b.name.c_str(), b.fl);
}
void Check::need_vector(size_t i, int64_t n, const char* role, bool optional) const {
  if (const TensorDesc* s = in(i, optional)) {
    need_const(*s, role);
    need_dtype(*s, DType::F32, role);
    need_shape(*s, {n}, role);
  }
}
void Check::attr(std::vector<int>& v, size_t axes, int fallback, int lo, int hi, const char* name) const {
  if (v.empty()) v.assign(axes, fallback);
  if (v.size() != axes) fail("%s has %lld entries for %lld spatial axes", name, (long long)v.size(), (long long)axes);
  for (int e : v)
    if (e < lo || e > hi) fail("%s %lld is outside [%lld, %lld]", name, (long long)e, (long long)lo, (long long)hi);
}
int64_t Check::window_out(int64_t len, int k, int s, int p, int d, const char* axis) const {
  const int64_t span = len + 2 * int64_t(p) - int64_t(d) * (k - 1) - 1;
  if (span < 0) fail("the window does not fit the input along %s", axis);
  return span / s + 1;
}

void Check::check_bias(const TensorDesc* b, int64_t n, OpPrecision p, int fl_acc) const {
  if (!b) return;
  need_const(*b, "bias");
  need_shape(*b, {n}, "bias");
  if (p == OpPrecision::kF32 || p == OpPrecision::kBcF32) {
    need_dtype(*b, DType::F32, "bias");
  } else {
    need_dtype(*b, DType::I32, "bias");
    if (b->fl != fl_acc) fail("bias '%s' has FL %d, the accumulator's is %lld", b->name.c_str(), b->fl, (long long)fl_acc);
  }
}

// BNN outputs: packed signs need per-channel thresholds [n, 3] (threshold, direction,
// constant); float outputs take optional scale and bias [n]; int32 outputs nothing.
void Check::check_bnn_outputs(int64_t n) const {
  const TensorDesc& out = y();
  // The BNN kernels apply no fused activation: a file asking for one would silently
  // compute something else, so it is refused.
  if (op.activation != fb::Activation::None) fail("binary (BNN) layers have no fused activation");
  if (out.dtype == DType::BIN) {
    const TensorDesc* th = in(2);
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
    for (size_t i = 2; i < 4; ++i) need_vector(i, n, "scale/bias", true);
  } else if (out.dtype != DType::I32) {
    fail("a binary (BNN) layer writes bin, f32 or i32, not %s", dtype_name(out.dtype));
  }
}

void Check::check_weighted_tail(OpPrecision p, int64_t out, bool any_writes_f32) const {
  if (p == OpPrecision::kBnn) return check_bnn_outputs(out);
  DType yd = DType::F32;
  if (p == OpPrecision::kI8 || p == OpPrecision::kBcI8) yd = DType::I8;
  if (p == OpPrecision::kI16 || p == OpPrecision::kBcI16) yd = DType::I16;
  if (p != OpPrecision::kAny || any_writes_f32) need_dtype(y(), yd, "output");
  const int fl_w = p == OpPrecision::kBcF32 ? 0 : in(1)->fl;  // BinaryConnect: ±2^−FL weights
  check_bias(in(2, true), out, p, x().fl + fl_w);
  if (p == OpPrecision::kBcF32) need_vector(3, out, "scale", true);
  else if (p == OpPrecision::kF32 && op.inputs.size() > 3) fail("takes at most 3 inputs at this precision");
  else check_channel_requant(out, x().fl + fl_w);
}

// A batch norm folded into a fixed-point conv / dense (kernels::ChannelRequant): input 3
// the per-channel multiplier (i32 at its FL, |m| < 2^16), input 4 the offset (i32 at
// the accumulator's FL + the multiplier's).
void Check::check_channel_requant(int64_t out, int fl_acc) const {
  const TensorDesc *m = in(3, true), *off = in(4, true);
  if (op.inputs.size() > 5) fail("takes at most 5 inputs at this precision");
  if (off && !m) fail("a channel offset needs a channel multiplier (input 3)");
  if (!m) return;
  for (const TensorDesc* d : {m, off}) {
    if (!d) continue;
    need_const(*d, "channel requantization");
    need_dtype(*d, DType::I32, "channel requantization");
    need_shape(*d, {out}, "channel requantization");
  }
  if (m->fl < fixed::kMinFractionalBits || m->fl > fixed::kMaxFractionalBits)
    fail("channel multiplier '%s' has FL %d outside [%d, %d]", m->name.c_str(), m->fl, fixed::kMinFractionalBits,
         fixed::kMaxFractionalBits);
  for (int64_t c = 0; c < out; ++c) {
    int32_t v;
    std::memcpy(&v, m->data + size_t(c) * 4, 4);
    if (v <= -(1 << 16) || v >= (1 << 16)) fail("channel multiplier '%s'[%lld] = %d is outside (-2^16, 2^16)", m->name.c_str(), (long long)c, int(v));
  }
  if (off && off->fl != fl_acc + m->fl)
    fail("channel offset '%s' has FL %d, the accumulator's + the multiplier's is %d", off->name.c_str(), off->fl, fl_acc + m->fl);
}

}  // namespace slimrt::ops
