// ONNX's QDQ form of a fixed-point network (docs/ONNX.md, "Fixed point"):
//   DequantizeLinear(INT8 / INT32 initializer, 2^−FL, 0)  → folds to float weights equal to
//       the quantized values; the conv / dense / recurrent layer reading them gets the
//       weight format ⟨WL − FL, FL⟩ (WL 8 for INT8, 16 for INT32 values within 16 bits);
//   x → QuantizeLinear(2^−FL, INT8 0) [→ Clip(−2^(WL−1), 2^(WL−1) − 1)] → DequantizeLinear
//       → the layer producing x gets the activation format ⟨WL − FL, FL⟩ (WL 8, or the Clip's);
//   a node whose doc_string starts "slimlab fixed point:" → the formats of its internal
//       values (GRU / LSTM gates and cell, a batch norm's scale).
// SlimLab's fixed point is symmetric with power-of-two steps: another scale, a non-zero or
// unsigned zero point, per-axis scales are errors naming the node.
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "import/onnx_internal.h"
#include "slimrt/fixed_point.h"

namespace slimlab::onnx_import::detail {

namespace {

namespace fx = slimrt::fixed;
using TP = onnx::TensorProto;

ir::NumericFormat fixed_format(int wl, int fl) {
  ir::NumericFormat f;
  f.precision = ir::Precision::kFixed;
  f.fixed.fl = fl;
  f.fixed.il = wl - fl;
  return f;
}

std::string describe(const ir::NumericFormat& f) {
  return "⟨" + std::to_string(f.fixed.il) + ", " + std::to_string(f.fixed.fl) + "⟩";
}

// FL of input `i`, a scalar power-of-two scale 2^−FL within [lo, hi].
int scale_fl(const Importer& im, int i, int lo, int hi) {
  const Tensor& s = im.const_input(i);
  const std::string what = "scale '" + im.node().input(i) + "'";
  if (s.numel() != 1)
    im.fail(what + " has " + std::to_string(s.numel()) + " values: per-axis scales are not supported (SlimLab's "
            "fixed point has one power-of-two step per tensor)");
  if (s.integer) im.fail(what + " is not a FLOAT tensor");
  const double v = s.v[0];
  int e = 0;
  if (!(v > 0) || !std::isfinite(v) || std::frexp(v, &e) != 0.5)
    im.fail(what + " is " + std::to_string(v) + ", not a power of two: SlimLab's fixed point steps by 2^−FL "
            "(re-quantize the model with power-of-two scales, or import the float model)");
  const int fl = 1 - e;
  if (fl < lo || fl > hi)
    im.fail(what + " is 2^" + std::to_string(-fl) + ": FL " + std::to_string(fl) + " is outside " +
            std::to_string(lo) + ".." + std::to_string(hi));
  return fl;
}

// Input `i`, the zero point: absent (allowed when `optional`) or a scalar 0 of type `dtype`.
void check_zero_point(const Importer& im, int i, int32_t dtype, bool optional) {
  const Value* z = im.input(i, /*optional=*/true);
  if (!z) {
    if (!optional)
      im.fail("has no zero point, so ONNX quantizes to UINT8; SlimLab's fixed point is signed: give an INT8 zero "
              "point 0");
    return;
  }
  const Tensor& t = im.const_input(i);
  const std::string what = "zero point '" + im.node().input(i) + "'";
  if (t.dtype != dtype)
    im.fail(what + " is " + type_name(t.dtype) + ", expected " + type_name(dtype) +
            " (SlimLab's fixed point is signed, symmetric)");
  if (t.numel() != 1) im.fail(what + " has " + std::to_string(t.numel()) + " values: per-axis zero points are not supported");
  if (t.v[0] != 0)
    im.fail(what + " is " + std::to_string(int64_t(t.v[0])) + ": SlimLab's fixed point is symmetric (zero point 0)");
}

void quantize_linear(Importer& im) {
  Value v = im.layer_input(0);
  const int fl = scale_fl(im, 1, fx::kMinFractionalBits, fx::kMaxFractionalBits);
  check_zero_point(im, 2, TP::INT8, /*optional=*/false);
  if (im.node().output_size() != 1 || im.node().output(0).empty()) im.fail("needs exactly one output");
  const std::string& y = im.node().output(0);
  for (const onnx::NodeProto* r : im.readers(y))
    if (r->op_type() != "DequantizeLinear" && r->op_type() != "Clip")
      im.fail("its output is read by '" + r->name() + "' (" + r->op_type() +
              "); SlimLab reads a QuantizeLinear only through a DequantizeLinear (QDQ pairs)");
  if (im.readers(y).empty() || im.is_graph_output(y))
    im.fail("its output is not read through a DequantizeLinear (a QuantizeLinear without its DequantizeLinear)");
  v.q_bits = 8;
  v.q_fl = fl;
  im.set_output(0, v);
}

// A Clip between QuantizeLinear and DequantizeLinear: the saturation of a narrower word.
void quantized_clip(Importer& im) {
  Value v = *im.input(0);
  if (im.input_count() < 3) im.fail("a Clip of quantized values needs its min and max inputs");
  const Tensor &lo = im.const_input(1), &hi = im.const_input(2);
  if (lo.dtype != TP::INT8 || hi.dtype != TP::INT8 || lo.numel() != 1 || hi.numel() != 1)
    im.fail("a Clip of QuantizeLinear's INT8 values needs INT8 scalar min and max");
  int wl = 0;
  for (int w = fx::kMinWordLength; w < v.q_bits; ++w)
    if (lo.v[0] == double(fx::qmin(w)) && hi.v[0] == double(fx::qmax(w))) wl = w;
  if (wl == 0)
    im.fail("Clip(" + std::to_string(int64_t(lo.v[0])) + ", " + std::to_string(int64_t(hi.v[0])) +
            ") of quantized values is not the range of a signed word [−2^(WL−1), 2^(WL−1) − 1] narrower than " +
            std::to_string(v.q_bits) + " bits");
  v.q_bits = wl;
  im.set_output(0, v);
}

void dequantize_linear(Importer& im) {
  const Value* x = im.input(0);
  if (x->is_const) im.fail("input 0 must be an integer initializer or a QuantizeLinear's output");
  if (x->q_bits == 0)
    im.fail("input 0 ('" + im.node().input(0) + "') is not a QuantizeLinear's output (a DequantizeLinear without "
            "its QuantizeLinear)");
  const int fl = scale_fl(im, 1, fx::kMinFractionalBits, fx::kMaxFractionalBits);
  if (fl != x->q_fl)
    im.fail("its scale 2^" + std::to_string(-fl) + " differs from its QuantizeLinear's 2^" + std::to_string(-x->q_fl));
  check_zero_point(im, 2, TP::INT8, /*optional=*/true);
  Value v = *x;
  const ir::NumericFormat f = fixed_format(v.q_bits, fl);
  v.q_bits = v.q_fl = 0;
  ir::Layer& l = im.layer(v.layer);
  const ir::NumericFormat& had = l.activation_format;
  if (had.precision == ir::Precision::kFixed && (had.fixed.il != f.fixed.il || had.fixed.fl != f.fixed.fl))
    im.fail("it gives layer '" + l.name + "' the format " + describe(f) + " but another QuantizeLinear → "
            "DequantizeLinear gave it " + describe(had));
  l.activation_format = f;
  im.set_output(0, v);
}

// The formats "name=WL,FL" of a node's doc_string after kFixedPointDoc.
std::map<std::string, ir::NumericFormat> internal_formats(const Importer& im) {
  std::map<std::string, ir::NumericFormat> out;
  const std::string& doc = im.node().doc_string();
  const std::string prefix = kFixedPointDoc;
  if (doc.compare(0, prefix.size(), prefix) != 0) return out;
  std::istringstream in(doc.substr(prefix.size()));
  for (std::string item; in >> item;) {
    const size_t eq = item.find('='), comma = item.find(',');
    int wl = 0, fl = 0;
    char tail = 0;
    const std::string name = eq == std::string::npos ? item : item.substr(0, eq);
    const bool binary = name == "binary";  // ±2^−FL weights: "binary=1,FL"
    if (eq == std::string::npos || comma == std::string::npos || comma < eq ||
        std::sscanf(item.c_str() + eq + 1, "%d,%d%c", &wl, &fl, &tail) != 2 ||
        !(binary ? wl == 1 && fx::valid_format(2, fl) : fx::valid_format(wl, fl)))
      im.fail("doc_string entry '" + item + "' is not name=WL,FL with WL 2..16 (binary: 1), FL −16..30");
    out[name] = fixed_format(wl, fl);
    if (binary) out[name].precision = ir::Precision::kBinary;
  }
  return out;
}

// The weight format of a DequantizeLinear'd initializer, checked against the layer's values.
void adopt_weight(Importer& im, ir::Layer& l, const std::string& param, int input) {
  const Value* v = im.input(input, /*optional=*/true);
  ir::Param* p = l.param(param);
  if (!v || !v->is_const || v->c.fixed_bits == 0 || !p) return;
  int wl = v->c.fixed_bits;
  if (wl > fx::kMaxWordLength) {  // INT32 values without a word length: 16 bits at most
    wl = fx::kMaxWordLength;
    for (double q : v->c.v)
      if (q < double(fx::qmin(wl)) || q > double(fx::qmax(wl)))
        im.fail("weight '" + im.node().input(input) + "' holds integers beyond 16 bits (SlimLab's weights are 2..16 bits)");
  }
  const int fl = v->c.fixed_fl;
  if (wl == 1) {  // binary ±2^−FL
    for (float x : p->data)
      if (std::fabs(double(x)) != std::ldexp(1.0, -fl))
        im.fail("binary weight '" + param + "' of layer '" + l.name + "' is not ±2^" + std::to_string(-fl));
    p->format = fixed_format(1, fl);
    p->format.precision = ir::Precision::kBinary;
    return;
  }
  for (float x : p->data) {
    const double q = std::ldexp(double(x), fl);
    if (q != std::floor(q) || q < double(fx::qmin(wl)) || q > double(fx::qmax(wl)))
      im.fail("weight '" + param + "' of layer '" + l.name + "' is off the " + describe(fixed_format(wl, fl)) +
              " grid of its DequantizeLinear (a scaling attribute such as Gemm's alpha?)");
  }
  p->format = fixed_format(wl, fl);
}

}  // namespace

bool fold_dequantize(Importer& im) {
  const Value* x = im.input(0);
  if (!x->is_const) return false;
  const Tensor& q = x->c;
  if (q.dtype != TP::INT8 && q.dtype != TP::INT32)
    im.fail("input 0 ('" + im.node().input(0) + "') is " + type_name(q.dtype) +
            "; SlimLab reads INT8 weights and INT32 weights / biases (its fixed point is signed)");
  // Biases sit at the accumulator's FL (input FL + weight FL), up to twice a tensor's range.
  const int fl = scale_fl(im, 1, 2 * fx::kMinFractionalBits, 2 * fx::kMaxFractionalBits);
  check_zero_point(im, 2, q.dtype, /*optional=*/true);
  Tensor t;
  t.dims = q.dims;
  t.fixed_bits = q.dtype == TP::INT8 ? 8 : 32;
  for (const auto& [name, f] : internal_formats(im)) {  // "weight=WL,FL": a narrower word; "binary=1,FL": ±1
    if ((name != "weight" && name != "binary") || f.fixed.fl != fl || f.fixed.word_length() > t.fixed_bits)
      im.fail("doc_string format '" + name + "' " + describe(f) + " does not fit this DequantizeLinear");
    t.fixed_bits = f.fixed.word_length();
    for (double v : q.v)
      if (t.fixed_bits == 1 ? (v != 1 && v != -1) : (v < double(fx::qmin(t.fixed_bits)) || v > double(fx::qmax(t.fixed_bits))))
        im.fail("input 0 holds " + std::to_string(int64_t(v)) + ", outside its " + std::to_string(t.fixed_bits) + "-bit word");
  }
  t.fixed_fl = fl;
  t.v.reserve(q.v.size());
  for (double v : q.v) t.v.push_back(std::ldexp(v, -fl));
  im.set_const(0, std::move(t));
  return true;
}

void add_qdq_ops(std::map<std::string, Handler>& ops) {
  ops["QuantizeLinear"] = quantize_linear;
  ops["DequantizeLinear"] = dequantize_linear;
  Handler clip = ops.at("Clip");
  ops["Clip"] = [clip](Importer& im) {
    const Value* x = im.input(0);
    if (x->q_bits > 0) quantized_clip(im);
    else clip(im);
  };
}

void adopt_fixed_point(Importer& im, size_t first_new) {
  const std::string& op = im.node().op_type();
  const std::map<std::string, ir::NumericFormat> internal = internal_formats(im);
  std::set<std::string> used;
  for (size_t i = first_new; i < im.graph().layers.size(); ++i) {
    ir::Layer& l = im.layer(im.graph().layers[i].name);
    if (op == "Conv" || op == "Gemm" || op == "MatMul") adopt_weight(im, l, "weight", 1);
    const bool rnn = l.kind == ir::LayerKind::kGru || l.kind == ir::LayerKind::kLstm;
    if (rnn) {
      adopt_weight(im, l, "weight_ih_l0", 1);
      adopt_weight(im, l, "weight_hh_l0", 2);
    }
    for (const auto& [name, f] : internal) {
      ir::NumericFormat* to = nullptr;
      if (l.kind == ir::LayerKind::kBatchNorm && name == "scale" && l.param("weight")) to = &l.param("weight")->format;
      if (rnn && name == "gate_preactivation") to = &l.gate_preactivation_format;
      if (rnn && name == "gate") to = &l.gate_format;
      if (l.kind == ir::LayerKind::kLstm && name == "cell") to = &l.cell_format;
      if (to) {
        *to = f;
        used.insert(name);
      }
    }
  }
  for (const auto& [name, f] : internal)
    if (!used.count(name)) im.fail("doc_string format '" + name + "' applies to none of the layers of this node");
}

void finish_fixed_point(ir::Graph& g, std::vector<std::string>& notes) {
  auto fixed = [](const ir::NumericFormat& f) { return f.precision == ir::Precision::kFixed; };
  bool any = false;
  for (const ir::Layer& l : g.layers) any = any || fixed(l.activation_format);
  if (!any) return;
  std::string unformatted, float_weights;
  for (ir::Layer& l : g.layers) {
    const ir::Layer* in = l.inputs.empty() ? nullptr : g.layer(l.inputs[0]);
    if (!fixed(l.activation_format) && in && fixed(in->activation_format) &&
        ir::op_facts(l.kind).format == ir::FormatRule::kKeepsInput)
      l.activation_format = in->activation_format;  // ReLU, max pooling, a reshape: the input's integers
    if (!fixed(l.activation_format)) unformatted += (unformatted.empty() ? "" : ", ") + l.name;
    if (!ir::multiplies_weights(l.kind) || !in) continue;
    const bool rnn = l.kind == ir::LayerKind::kGru || l.kind == ir::LayerKind::kLstm;
    const ir::Param* w = l.param(rnn ? "weight_ih_l0" : "weight");
    const bool binary = w && w->format.precision == ir::Precision::kBinary && w->format.fixed.word_length() == 1;
    if (!w || !(fixed(w->format) || binary)) {
      float_weights += (float_weights.empty() ? "" : ", ") + l.name;
      continue;
    }
    // Biases: INT32 at the accumulator's FL, as the exporter and slimrt hold them.
    auto bias = [&](const char* name, int fl_acc) {
      if (ir::Param* b = l.param(name)) b->format = fixed_format(32, fl_acc);
    };
    if (!rnn) {
      bias("bias", in->activation_format.fixed.fl + w->format.fixed.fl);
      continue;
    }
    bias("bias_ih_l0", in->activation_format.fixed.fl + w->format.fixed.fl);
    if (const ir::Param* wh = l.param("weight_hh_l0"); wh && fixed(wh->format) && fixed(l.activation_format))
      bias("bias_hh_l0", l.activation_format.fixed.fl + wh->format.fixed.fl);
  }
  notes.push_back("fixed point: QuantizeLinear / DequantizeLinear pairs give the layers their ⟨IL, FL⟩ formats");
  if (!unformatted.empty())
    notes.push_back("fixed point: no QuantizeLinear → DequantizeLinear after " + unformatted +
                    ": these outputs have no fixed-point format (the model is not fully quantized)");
  if (!float_weights.empty())
    notes.push_back("fixed point: float weights (no DequantizeLinear of an integer initializer) in " + float_weights);
}

}  // namespace slimlab::onnx_import::detail
