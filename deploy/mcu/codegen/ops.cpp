// One op of the .slim graph → a const parameter block and a kernel call (deploy/mcu/kernels).
// Every number slimrt derives at bind time (kernel shapes, requantization shifts, the
// fused activation's integer bounds, BNN thresholds, GRU gate tables) is derived here
// with slimrt's own definitions, so the device repeats nothing in floating point.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "codegen/emit.h"
#include "slimrt/fixed_point.h"

namespace slimrt::mcu {

bool is_fixed(DType d) { return d == DType::I8 || d == DType::I16; }

namespace {
using std::to_string;

const char* sfx(DType d) { return d == DType::I8 ? "i8" : d == DType::I16 ? "i16" : "f32"; }
// A float as an exact C literal (hexadecimal: no decimal rounding on the way).
std::string float_literal(float v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%af", double(v));
  return buf;
}

struct Ext { int64_t c, h, w; };
Ext extents(const TensorDesc& t, bool one_d, bool hwc) {
  const auto& s = t.shape;
  if (one_d) return {s[0], 1, s[1]};
  return hwc ? Ext{s[2], s[0], s[1]} : Ext{s[0], s[1], s[2]};
}
int at(const std::vector<int>& v, size_t i, int fallback) { return i < v.size() ? v[i] : fallback; }

// smcu_conv_geom initializer from the op's window (Bind::set_window, ops/conv.cpp).
std::string conv_geom(const Emitter& e, const OpDesc& op, bool hwc_in, bool hwc_out) {
  const TensorDesc &x = e.t(op.inputs[0]), &y = e.t(op.outputs[0]), &w = e.t(op.inputs[1]);
  const bool one_d = x.shape.size() == 2;
  const Ext in = extents(x, one_d, hwc_in), out = extents(y, one_d, hwc_out);
  const size_t last = one_d ? 0 : 1;
  const int kh = one_d ? 1 : at(op.kernel, 0, 1), kw = at(op.kernel, last, 1);
  const int sh = one_d ? 1 : at(op.stride, 0, 1), sw = at(op.stride, last, 1);
  const int ph = one_d ? 0 : at(op.padding, 0, 0), pw = at(op.padding, last, 0);
  const int dh = one_d ? 1 : at(op.dilation, 0, 1), dw = at(op.dilation, last, 1);
  return "{" + to_string(in.c) + ", " + to_string(in.h) + ", " + to_string(in.w) + ", " + to_string(w.shape[0]) + ", " +
         to_string(out.h) + ", " + to_string(out.w) + ", " + to_string(kh) + ", " + to_string(kw) + ", " +
         to_string(sh) + ", " + to_string(sw) + ", " + to_string(ph) + ", " + to_string(pw) + ", " + to_string(dh) +
         ", " + to_string(dw) + ", " + to_string(op.groups) + "}";
}

// smcu_rq initializer: FixedEpilogue (kernels/detail.h) with bounds as integers.
std::string requant(Emitter& e, const OpDesc& op, int fl_acc) {
  const TensorDesc& y = e.t(op.outputs[0]);
  int64_t lo = fixed::qmin(y.wl), hi = fixed::qmax(y.wl);
  if (op.activation == fb::Activation::Relu) lo = 0;
  if (op.activation == fb::Activation::Relu6) {
    lo = 0;
    hi = std::min(hi, fixed::quantize(6.0, y.wl, y.fl));
  }
  const int mi = op.inputs.size() > 3 ? op.inputs[3] : -1, oi = op.inputs.size() > 4 ? op.inputs[4] : -1;
  const int shift = fl_acc - y.fl + (mi >= 0 ? e.t(mi).fl : 0);
  return "{" + to_string(shift) + ", " + to_string(lo) + ", " + to_string(hi) + ", " + e.weight(mi) + ", " +
         e.weight(oi) + "}";
}

std::string bias(Emitter& e, const OpDesc& op) { return e.weight(op.inputs.size() > 2 ? op.inputs[2] : -1); }

// BNN output side (ops/weighted.h bind_bnn_out): thresholds made integer here.
std::string bnn_out(Emitter& e, const OpDesc& op) {
  const TensorDesc& y = e.t(op.outputs[0]);
  if (y.dtype == DType::BIN) {
    const TensorDesc& th = e.t(op.inputs[2]);
    std::vector<long long> rows;
    for (int64_t c = 0; c < th.shape[0]; ++c) {
      float v[3];
      std::memcpy(v, th.data + size_t(c) * 12, 12);
      int dir = int(int8_t(v[1])), constant = int(int8_t(v[2]));
      long long thr = 0;
      // double(dot) >= t ⇔ dot >= ⌈t⌉ and double(dot) <= t ⇔ dot <= ⌊t⌋ for an integer dot.
      if (dir != 0 && std::isnan(v[0])) { dir = 0; constant = -1; }
      else if (dir > 0) thr = (long long)std::max(-2147483647.0, std::min(2147483647.0, std::ceil(double(v[0]))));
      else if (dir < 0) thr = (long long)std::max(-2147483647.0, std::min(2147483647.0, std::floor(double(v[0]))));
      rows.push_back(thr);
      rows.push_back(dir);
      rows.push_back(constant);
    }
    std::string name = "t_" + to_string(op.outputs[0]);
    e.data << "static const smcu_threshold " << name << "[" << th.shape[0] << "] = {";
    for (size_t i = 0; i < rows.size(); i += 3)
      e.data << (i % 12 == 0 ? "\n " : " ") << "{" << rows[i] << ", " << rows[i + 1] << ", " << rows[i + 2] << "},";
    e.data << "\n};\n";
    e.const_bytes += size_t(th.shape[0]) * 8;
    return "{SMCU_BNN_BITS, " + name + ", 0, 0}";
  }
  if (y.dtype == DType::F32)
    return "{SMCU_BNN_FLOAT, 0, " + e.weight(op.inputs.size() > 2 ? op.inputs[2] : -1) + ", " +
           e.weight(op.inputs.size() > 3 ? op.inputs[3] : -1) + "}";
  return "{SMCU_BNN_INT32, 0, 0, 0}";
}

void emit_weighted(Emitter& e, size_t i, const OpDesc& op, const std::string& p) {
  const TensorDesc &x = e.t(op.inputs[0]), &w = e.t(op.inputs[1]), &y = e.t(op.outputs[0]);
  const bool dense = op.type == OpType::Dense;
  const std::string kind = dense ? "dense" : "conv";
  if (x.dtype == DType::BIN) {  // BNN
    if (dense) {
      const int64_t n = w.shape[1];
      e.consts << "static const smcu_dense_bnn_p " << p << " = {" << n << ", " << w.shape[0] << ", " << (n + 63) / 64
               << ", " << e.weight(op.inputs[1]) << ", " << bnn_out(e, op) << "};\n";
    } else {
      e.consts << "static const smcu_conv_bnn_p " << p << " = {" << conv_geom(e, op, true, y.dtype == DType::BIN) << ", "
               << e.weight(op.inputs[1]) << ", " << bnn_out(e, op) << "};\n";
    }
    e.body << "  smcu_" << kind << "_bnn(&" << p << ", " << e.act(op.inputs[0]) << ", " << e.act(op.outputs[0]) << ");\n";
    return;
  }
  if (x.dtype == DType::F32 && w.dtype == DType::F32) {
    const int act = op.activation == fb::Activation::Relu ? 1 : op.activation == fb::Activation::Relu6 ? 2 : 0;
    // A float Dense (a BNN's float classifier) is a 1×1 conv over a 1×1 image: the same
    // double sum over the input in index order as slimrt's reference dense.
    if (dense && x.numel != w.shape[1]) e.fail(i, "a batched float Dense has no device kernel");
    const std::string geom = dense ? "{" + to_string(w.shape[1]) + ", 1, 1, " + to_string(w.shape[0]) +
                                         ", 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1}"
                                   : conv_geom(e, op, false, false);
    e.consts << "static const smcu_conv_f32_p " << p << " = {" << geom << ", " << e.weight(op.inputs[1]) << ", "
             << bias(e, op) << ", " << act << "};\n";
    e.body << "  smcu_conv_f32(&" << p << ", " << e.act(op.inputs[0]) << ", " << e.act(op.outputs[0]) << ");\n";
    return;
  }
  const bool bc = w.dtype == DType::BIN;
  if (!is_fixed(x.dtype) || y.dtype != x.dtype || (!bc && w.dtype != x.dtype))
    e.fail(i, std::string("precision ") + dtype_name(x.dtype) + " x " + dtype_name(w.dtype) + " -> " +
                  dtype_name(y.dtype) + " has no device kernel");
  const int fl_acc = x.fl + w.fl;  // BinaryConnect: ±2^−FL weights, ±1 in the kernel (ops/weighted.h)
  if (dense) {
    const int64_t nin = w.shape[1];
    e.consts << "static const smcu_dense " << p << " = {" << x.numel / nin << ", " << nin << ", " << w.shape[0] << ", "
             << e.weight(op.inputs[1]) << ", " << bias(e, op) << ", " << requant(e, op, fl_acc) << "};\n";
  } else {
    e.consts << "static const smcu_conv " << p << " = {" << conv_geom(e, op, false, false) << ", "
             << e.weight(op.inputs[1]) << ", " << bias(e, op) << ", " << requant(e, op, fl_acc) << "};\n";
  }
  e.body << "  smcu_" << kind << (bc ? "_bc_" : "_") << sfx(x.dtype) << "(&" << p << ", " << e.act(op.inputs[0])
         << ", " << e.act(op.outputs[0]) << ");\n";
}

void emit_pool(Emitter& e, size_t i, const OpDesc& op, const std::string& p) {
  const TensorDesc &x = e.t(op.inputs[0]), &y = e.t(op.outputs[0]);
  const bool one_d = op.type == OpType::MaxPool1d || op.type == OpType::AvgPool1d;
  const bool is_max = op.type == OpType::MaxPool1d || op.type == OpType::MaxPool2d;
  const bool bits = x.dtype == DType::BIN;
  const Ext in = extents(x, one_d, bits), out = extents(y, one_d, bits);
  const size_t last = one_d ? 0 : 1;
  const int kh = one_d ? 1 : at(op.kernel, 0, 1), kw = at(op.kernel, last, 1);
  const int sh = one_d ? 1 : at(op.stride, 0, kh), sw = at(op.stride, last, kw);
  const int ph = one_d ? 0 : at(op.padding, 0, 0), pw = at(op.padding, last, 0);
  if (!is_max && !is_fixed(x.dtype)) e.fail(i, "average pooling runs on fixed point only");
  const int shift = is_max ? 0 : y.fl - x.fl;
  const int wl = is_fixed(y.dtype) ? y.wl : 8;
  e.consts << "static const smcu_pool " << p << " = {" << in.c << ", " << in.h << ", " << in.w << ", " << out.h << ", "
           << out.w << ", " << kh << ", " << kw << ", " << sh << ", " << sw << ", " << ph << ", " << pw << ", " << ph
           << ", " << pw << ", " << shift << ", " << fixed::qmin(wl) << ", " << fixed::qmax(wl) << "};\n";
  const std::string fn = bits ? "bits" : sfx(x.dtype);
  e.body << "  smcu_" << (is_max ? "max" : "avg") << "_pool_" << fn << "(&" << p << ", " << e.act(op.inputs[0]) << ", "
         << e.act(op.outputs[0]) << ");\n";
}

void emit_mean(Emitter& e, const OpDesc& op, const std::string& p) {
  const TensorDesc &x = e.t(op.inputs[0]), &y = e.t(op.outputs[0]);
  const bool inner = op.type == OpType::GlobalAvgPool;
  e.consts << "static const smcu_mean_p " << p << " = {" << x.shape[0] << ", " << x.numel / x.shape[0] << ", "
           << (inner ? 1 : 0) << ", " << y.fl - x.fl << ", " << fixed::qmin(y.wl) << ", " << fixed::qmax(y.wl) << "};\n";
  e.body << "  smcu_mean_" << sfx(x.dtype) << "(&" << p << ", " << e.act(op.inputs[0]) << ", " << e.act(op.outputs[0])
         << ");\n";
}

void emit_activation(Emitter& e, size_t i, const OpDesc& op) {
  const TensorDesc &x = e.t(op.inputs[0]), &y = e.t(op.outputs[0]);
  if (op.type == OpType::Sign && y.dtype == DType::BIN) {
    const char* fn = x.dtype == DType::F32 ? "f32" : sfx(x.dtype);
    e.body << "  smcu_pack_bits_" << fn << "(" << x.shape[0] << ", " << x.numel / x.shape[0] << ", "
           << e.act(op.inputs[0]) << ", " << e.act(op.outputs[0]) << ");\n";
    return;
  }
  if (x.dtype == DType::F32 && y.dtype == DType::F32 && op.type != OpType::Sign) {
    if (op.type == OpType::Relu) {
      e.body << "  smcu_relu_f32(" << x.numel << ", " << e.act(op.inputs[0]) << ", " << e.act(op.outputs[0]) << ");\n";
      return;
    }
    const float lo = op.type == OpType::Relu6 ? 0.0f : op.min_value, hi = op.type == OpType::Relu6 ? 6.0f : op.max_value;
    e.body << "  smcu_clamp_f32(" << x.numel << ", " << float_literal(lo) << ", " << float_literal(hi) << ", "
           << e.act(op.inputs[0]) << ", " << e.act(op.outputs[0]) << ");\n";
    return;
  }
  if (!is_fixed(x.dtype) || op.type == OpType::Sign) e.fail(i, std::string("no device kernel for ") + dtype_name(x.dtype));
  int64_t lo = 0, hi = fixed::qmax(y.wl);
  if (op.type == OpType::Relu6) hi = fixed::quantize(6.0, y.wl, y.fl);
  if (op.type == OpType::HardTanh) {
    lo = fixed::quantize(op.min_value, y.wl, y.fl);
    hi = fixed::quantize(op.max_value, y.wl, y.fl);
  }
  e.body << "  smcu_clamp_" << sfx(x.dtype) << "(" << x.numel << ", " << lo << ", " << hi << ", " << e.act(op.inputs[0])
         << ", " << e.act(op.outputs[0]) << ");\n";
}

int elem_size(DType d) { return d == DType::I8 ? 1 : d == DType::I16 ? 2 : 4; }
int64_t prod(const std::vector<int64_t>& s, size_t a, size_t b) {
  int64_t p = 1;
  for (size_t k = a; k < b; ++k) p *= s[k];
  return p;
}

void emit_movement(Emitter& e, size_t i, const OpDesc& op, const std::string& p) {
  const TensorDesc &x = e.t(op.inputs[0]), &y = e.t(op.outputs[0]);
  if (x.dtype == DType::BIN && op.type != OpType::Reshape) e.fail(i, "packed tensors cannot be moved on the device");
  const int el = elem_size(y.dtype);
  if (op.type == OpType::Reshape) return;  // an alias (plan_model)
  if (op.type == OpType::Reverse) {
    const size_t a = size_t(op.axis);
    e.body << "  smcu_reverse(" << prod(x.shape, 0, a) << ", " << x.shape[a] << ", " << prod(x.shape, a + 1, x.shape.size())
           << ", " << el << ", " << e.act(op.inputs[0]) << ", " << e.act(op.outputs[0]) << ");\n";
  } else if (op.type == OpType::Slice) {
    const size_t a = size_t(op.axis);
    e.body << "  smcu_slice(" << prod(x.shape, 0, a) << ", " << x.shape[a] << ", " << op.begin << ", " << op.end << ", "
           << prod(x.shape, a + 1, x.shape.size()) << ", " << el << ", " << e.act(op.inputs[0]) << ", "
           << e.act(op.outputs[0]) << ");\n";
  } else if (op.type == OpType::Concat) {
    const size_t a = size_t(op.axis);
    std::vector<long long> inner;
    std::string xs;
    for (int t : op.inputs) {
      inner.push_back(prod(e.t(t).shape, a, e.t(t).shape.size()));
      xs += (xs.empty() ? "" : ", ") + (e.t(t).constant() ? e.weight(t) : e.act(t));
    }
    const std::string in = e.table(op.name + "_inner", "int32_t", inner);
    e.body << "  {\n    const void* xs_[" << op.inputs.size() << "] = {" << xs << "};\n    smcu_concat("
           << prod(y.shape, 0, a) << ", " << op.inputs.size() << ", " << in << ", " << el << ", xs_, "
           << e.act(op.outputs[0]) << ");\n  }\n";
  } else {  // Transpose
    std::vector<long long> shape(x.shape.begin(), x.shape.end()), perm(op.perm.begin(), op.perm.end());
    const std::string s = e.table(p + "_shape", "int32_t", shape), pm = e.table(p + "_perm", "int32_t", perm);
    e.body << "  smcu_transpose(" << shape.size() << ", " << s << ", " << pm << ", " << el << ", " << e.act(op.inputs[0])
           << ", " << e.act(op.outputs[0]) << ");\n";
  }
}
}  // namespace

void emit_gru(Emitter& e, size_t i, const OpDesc& op, const std::string& p);    // gru.cpp
void emit_audio(Emitter& e, size_t i, const OpDesc& op, const std::string& p);  // frontend.cpp

namespace {
std::string shape_text(const std::vector<int64_t>& s) {
  std::ostringstream o;
  o << '[';
  for (int64_t d : s) o << (o.tellp() > 1 ? ", " : "") << d;
  return o.str() + "]";
}

// Add / Sub / Mul on fixed point (ops/add.cpp): operands of one dtype; Add / Sub shift
// each up to the larger FL, Mul keeps the product at fl_a + fl_b; the exact result is
// requantized once with the fused activation's bounds.
void emit_add(Emitter& e, size_t i, const OpDesc& op, const std::string& p) {
  const TensorDesc &a = e.t(op.inputs[0]), &b = e.t(op.inputs[1]), &y = e.t(op.outputs[0]);
  if (!is_fixed(a.dtype) || b.dtype != a.dtype || y.dtype != a.dtype)
    e.fail(i, "runs on fixed point only (export it at int8 / int16)");
  if (a.numel != y.numel || b.numel != y.numel)  // equal counts: only extent-1 axes differ, the same elements
    e.fail(i, "broadcasting " + shape_text(a.shape) + " against " + shape_text(b.shape) +
                  " has no device kernel (smcu_add takes two inputs of the output's size; broadcast in the model, "
                  "e.g. expand the smaller operand, or run the model in slimrt)");
  const bool mul = op.type == OpType::Mul;
  const int f = mul ? a.fl + b.fl : std::max(a.fl, b.fl);
  e.consts << "static const smcu_rq " << p << " = " << requant(e, op, f) << ";\n";
  auto operand = [&](int t) { return e.t(t).constant() ? e.weight(t) : e.act(t); };
  e.body << "  smcu_add(" << y.numel << ", " << (a.dtype == DType::I8 ? 8 : 16) << ", "
         << (mul ? 2 : op.type == OpType::Sub ? 1 : 0) << ", " << (mul ? 0 : f - a.fl) << ", "
         << (mul ? 0 : f - b.fl) << ", &" << p << ", "
         << operand(op.inputs[0]) << ", " << operand(op.inputs[1]) << ", " << e.act(op.outputs[0]) << ");\n";
}
}  // namespace

void emit_op(Emitter& e, size_t i) {
  const OpDesc& op = e.model().ops()[i];
  const std::string p = e.param_name(i);
  e.body << "  /* " << i << " " << op_name(op.type) << " '" << op.name << "' */\n";
  switch (op.type) {
    case OpType::Dense:
    case OpType::Conv1d:
    case OpType::Conv2d:
    case OpType::DepthwiseConv2d: return emit_weighted(e, i, op, p);
    case OpType::MaxPool1d:
    case OpType::MaxPool2d:
    case OpType::AvgPool1d:
    case OpType::AvgPool2d: return emit_pool(e, i, op, p);
    case OpType::GlobalAvgPool:
    case OpType::MeanOverTime:
      if (!is_fixed(e.t(op.inputs[0]).dtype)) e.fail(i, "means run on fixed point only");
      return emit_mean(e, op, p);
    case OpType::Relu:
    case OpType::Relu6:
    case OpType::HardTanh:
    case OpType::Sign: return emit_activation(e, i, op);
    case OpType::Reshape:
    case OpType::Slice:
    case OpType::Reverse:
    case OpType::Concat:
    case OpType::Transpose: return emit_movement(e, i, op, p);
    case OpType::Scale:
      e.body << "  smcu_scale_f32(" << e.t(op.inputs[0]).shape[0] << ", "
             << e.t(op.inputs[0]).numel / e.t(op.inputs[0]).shape[0] << ", " << e.weight(op.inputs[1]) << ", "
             << e.weight(op.inputs[2]) << ", " << e.act(op.inputs[0]) << ", " << e.act(op.outputs[0]) << ");\n";
      return;
    case OpType::Quantize: {  // fixed → fixed only: the caller quantizes the model input
      const TensorDesc &x = e.t(op.inputs[0]), &y = e.t(op.outputs[0]);
      if (!is_fixed(x.dtype)) e.fail(i, "float → fixed point inside the graph has no device kernel");
      e.body << "  smcu_requantize(" << x.numel << ", " << (x.dtype == DType::I8 ? 8 : 16) << ", "
             << (y.dtype == DType::I8 ? 8 : 16) << ", " << x.fl - y.fl << ", " << fixed::qmin(y.wl) << ", "
             << fixed::qmax(y.wl) << ", " << e.act(op.inputs[0]) << ", " << e.act(op.outputs[0]) << ");\n";
      return;
    }
    case OpType::Add:
    case OpType::Sub:
    case OpType::Mul: return emit_add(e, i, op, p);
    case OpType::Gru:
    case OpType::Lstm:
      if (!is_fixed(e.t(op.inputs[0]).dtype)) e.fail(i, "float RNNs have no device kernel (export it in fixed point)");
      return emit_gru(e, i, op, p);
    case OpType::AudioFeatures: return emit_audio(e, i, op, p);
    case OpType::DeepSenseFeatures:
    case OpType::Normalize:
    case OpType::Resample:
    case OpType::ImageResize:
      e.fail(i, "this front-end op has no device kernel yet (on the device: AudioFeatures with a fixed-point output; "
                "DeepSenseFeatures, Normalize, Resample and ImageResize are still refused)");
    default: e.fail(i, "no device kernel for this op");
  }
}

}  // namespace slimrt::mcu
