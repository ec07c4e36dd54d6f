// Graph IR → ONNX: one layer → one node (a few for dense on a non-flat input, a global
// pool, and the recurrent layers, which ONNX runs time-major). A fixed-point network gets
// QuantizeLinear → DequantizeLinear after the input and every layer, and its weights as
// integer initializers read through DequantizeLinear (docs/ONNX.md, "Fixed point"). A
// reverse / bidirectional ONNX RNN was imported as forward layers between Reverse layers
// and comes back so.
#include "import/onnx_export.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "datasets/atomic_file.h"
#include "import/onnx_internal.h"
#include "import/onnx_proto.h"
#include "slimrt/fixed_point.h"

namespace slimlab::onnx_import {

namespace {

using K = ir::LayerKind;
using Shape = std::vector<int64_t>;

class Writer {
 public:
  explicit Writer(const ir::Graph& g) : ir_(g), g_(m_.mutable_graph()) {
    start_model(m_, kExportOpset, "slimlab");
    m_.set_producer_version("0.1.0");
    g_->set_name(g.model.empty() ? "slimlab" : g.model);
    fixed_ = is_fixed(g.layers.front().activation_format);
  }

  OnnxExport run() {
    for (const ir::Layer& l : ir_.layers) layer(l);
    const ir::Layer& last = ir_.layers.back();
    value_info(g_->add_output(), tensor_[last.name], last.output_shape);
    fixed_notes();
    OnnxExport out;
    out.bytes = m_.SerializeAsString();
    out.notes = notes_;
    out.nodes = g_->node_size();
    return out;
  }

 private:
  [[noreturn]] void fail(const ir::Layer& l, const std::string& what) const {
    throw OnnxError("onnx export: layer '" + l.name + "' (" + ir::to_string(l.kind) + "): " + what);
  }

  void value_info(onnx::ValueInfoProto* v, const std::string& name, const Shape& sample) {
    Shape dims{-1};
    dims.insert(dims.end(), sample.begin(), sample.end());
    set_float_value(*v, name, dims);
  }

  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& in, const std::string& out,
                        const std::string& name) {
    return add_node(*g_, op, in, {out}, name);
  }

  static void ints(onnx::NodeProto& n, const std::string& name, const Shape& v) { set_ints(n, name, v); }
  static void integer(onnx::NodeProto& n, const std::string& name, int64_t v) { set_int(n, name, v); }

  std::string floats(const std::string& name, const Shape& dims, const std::vector<float>& v) {
    auto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    t->set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
    return name;
  }
  std::string int64s(const std::string& name, const Shape& v) {
    auto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(int64_t(v.size()));
    for (int64_t x : v) t->add_int64_data(x);
    return name;
  }
  std::string param(const ir::Layer& l, const std::string& p, const Shape& dims) {
    const ir::Param* q = l.param(p);
    if (!q || int64_t(q->data.size()) != ir::numel(q->shape))
      fail(l, "parameter '" + p + "' has no values (export a graph taken with weights)");
    return floats(l.name + "." + p, dims, q->data);
  }

  // ---- fixed point ----
  static bool is_fixed(const ir::NumericFormat& f) { return f.precision == ir::Precision::kFixed; }
  // Binary weights ±2^−FL (a binary stage with scale "pow2"): FL recorded, one stored bit.
  static bool is_pow2_binary(const ir::NumericFormat& f) {
    return f.precision == ir::Precision::kBinary && f.fixed.word_length() == 1;
  }

  std::string scale(int fl) {  // the float scalar 2^−fl, one initializer per FL
    const std::string name = "fixed.scale.fl" + std::to_string(fl);
    if (shared_.insert(name).second) floats(name, {}, {float(std::ldexp(1.0, -fl))});
    return name;
  }
  // A scalar (empty dims) or tensor of INT8 / INT32 integers.
  std::string integers(const std::string& name, const Shape& dims, const std::vector<int64_t>& q, bool int8) {
    auto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(int8 ? onnx::TensorProto::INT8 : onnx::TensorProto::INT32);
    for (int64_t d : dims) t->add_dims(d);
    std::string raw;
    for (int64_t x : q) {
      const int32_t v = int32_t(x);
      raw.append(reinterpret_cast<const char*>(&v), int8 ? 1 : 4);  // little-endian
    }
    t->set_raw_data(raw);
    return name;
  }
  std::string zero_point(bool int8) {
    const std::string name = int8 ? "fixed.zero_point.int8" : "fixed.zero_point.int32";
    if (shared_.insert(name).second) integers(name, {}, {0}, int8);
    return name;
  }

  // `v` in format f (WL ≤ 8: INT8, else INT32) through DequantizeLinear into float tensor
  // `name`; a float initializer when f is not fixed point.
  std::string tensor(const ir::NumericFormat& f, const std::string& name, const Shape& dims, const std::vector<float>& v) {
    if (fixed_ && is_pow2_binary(f)) {  // ±2^−FL: INT8 ±1 (sign(0) = +1, as bitpack.h)
      std::vector<int64_t> q;
      for (float x : v) q.push_back(x < 0 ? -1 : 1);
      auto& dq = node("DequantizeLinear", {integers(name + ".q", dims, q, true), scale(f.fixed.fl), zero_point(true)},
                      name, name + "/DequantizeLinear");
      internal_formats(dq, {{"binary", f}});
      return name;
    }
    if (!fixed_ || !is_fixed(f)) return floats(name, dims, v);
    const int wl = f.fixed.word_length(), fl = f.fixed.fl;
    std::vector<int64_t> q;
    q.reserve(v.size());
    for (float x : v) q.push_back(slimrt::fixed::quantize(double(x), wl, fl));
    const bool int8 = wl <= 8;
    auto& dq = node("DequantizeLinear", {integers(name + ".q", dims, q, int8), scale(fl), zero_point(int8)}, name,
                    name + "/DequantizeLinear");
    if (wl != 8 && wl <= 16) internal_formats(dq, {{"weight", f}});  // a word narrower than its INT8 / INT32
    return name;
  }
  // A dense / conv weight: its own format.
  std::string weight(const ir::Layer& l, const Shape& dims) {
    const ir::Param* q = l.param("weight");
    if (!q || int64_t(q->data.size()) != ir::numel(q->shape))
      fail(l, "parameter 'weight' has no values (export a graph taken with weights)");
    return tensor(q->format, l.name + ".weight", dims, q->data);
  }
  // A dense / conv bias: INT32 at the accumulator's FL (input FL + weight FL), as slimrt holds it.
  std::string bias(const ir::Layer& l) {
    const ir::Param* b = l.param("bias");
    const ir::Param* w = l.param("weight");
    const ir::Layer* in = ir_.layer(l.inputs.at(0));
    if (!b || !w || !(is_fixed(w->format) || is_pow2_binary(w->format)) || !is_fixed(in->activation_format))
      return param(l, "bias", {l.out_features});
    ir::NumericFormat f;
    f.precision = ir::Precision::kFixed;
    f.fixed.fl = in->activation_format.fixed.fl + w->format.fixed.fl;
    f.fixed.il = 32 - f.fixed.fl;
    return tensor(f, l.name + ".bias", {l.out_features}, b->data);
  }

  // x → QuantizeLinear (INT8) [→ Clip to the word length] → DequantizeLinear in the layer's
  // format; returns the float tensor after it.
  std::string qdq(const ir::Layer& l, const std::string& x) {
    const ir::NumericFormat& f = l.activation_format;
    if (!is_fixed(f))
      fail(l, "has no fixed-point output format in a fixed-point network (" + std::string(ir::to_string(f.precision)) +
                  "); run the fixed_point stage over the whole network");
    const int wl = f.fixed.word_length(), fl = f.fixed.fl;
    if (wl > 8)
      fail(l, "its " + std::to_string(wl) + "-bit output format has no ONNX form: QuantizeLinear of opset " +
                  std::to_string(kExportOpset) + " writes INT8 / UINT8 only (INT16 needs opset 21, newer than "
                  "Debian's onnx 1.12 knows). Export the .slim (`slimlab export <run>`), or quantize the "
                  "activations to 8 bits (fixed_point activations = 8)");
    const std::string& base = l.name;
    std::string q = base + "/q";
    node("QuantizeLinear", {x, scale(fl), zero_point(true)}, q, base + "/QuantizeLinear");
    if (wl < 8) {  // the narrower word's saturation, on the INT8 values
      const std::string lo = "fixed.min.wl" + std::to_string(wl), hi = "fixed.max.wl" + std::to_string(wl);
      if (shared_.insert(lo).second) {
        integers(lo, {}, {slimrt::fixed::qmin(wl)}, true);
        integers(hi, {}, {slimrt::fixed::qmax(wl)}, true);
      }
      node("Clip", {q, lo, hi}, base + "/q_clip", base + "/Clip_wl" + std::to_string(wl));
      q = base + "/q_clip";
    }
    node("DequantizeLinear", {q, scale(fl), zero_point(true)}, base + "/dq", base + "/DequantizeLinear");
    return base + "/dq";
  }

  // "slimlab fixed point: gate_preactivation=8,4 gate=8,6": the formats of a layer's
  // internal values, which have no Q/DQ form (WL,FL pairs; onnx_qdq.cpp reads them back).
  static void internal_formats(onnx::NodeProto& n, const std::vector<std::pair<std::string, ir::NumericFormat>>& fs) {
    std::string doc = detail::kFixedPointDoc;
    for (const auto& [name, f] : fs)
      if (is_fixed(f) || is_pow2_binary(f))
        doc += " " + name + "=" + std::to_string(f.fixed.word_length()) + "," + std::to_string(f.fixed.fl);
    if (doc != detail::kFixedPointDoc) n.set_doc_string(doc);
  }

  // Conv / pooling attributes; an empty stride is 1 (conv) or the kernel (pooling).
  void window(onnx::NodeProto& n, const ir::Layer& l, bool pooling) {
    const size_t axes = l.output_shape.size() - 1;
    auto or_fill = [axes](const Shape& v, int64_t fill) { return v.empty() ? Shape(axes, fill) : v; };
    ints(n, "kernel_shape", l.kernel);
    ints(n, "strides", l.stride.empty() && pooling ? l.kernel : or_fill(l.stride, 1));
    Shape pads = or_fill(l.padding, 0);
    pads.insert(pads.end(), pads.begin(), pads.end());
    ints(n, "pads", pads);
    if (l.kind != K::kAvgPool2d) ints(n, "dilations", or_fill(l.dilation, 1));
  }

  std::string clip(const ir::Layer& l, const std::string& x, float lo, float hi) {
    node("Clip", {x, floats(l.name + ".min", {}, {lo}), floats(l.name + ".max", {}, {hi})}, l.name, l.name);
    return l.name;
  }

  std::string recurrent(const ir::Layer& l, const std::string& x, bool lstm) {
    const int64_t h = l.out_features, f = l.in_features, gates = lstm ? 4 : 3;
    const std::vector<int>& order = lstm ? detail::kLstmToOnnx : detail::kGruToOnnx;
    auto gated = [&](const char* p) {
      const ir::Param* q = l.param(p);
      if (!q || q->data.empty()) fail(l, std::string("parameter '") + p + "' has no values");
      return detail::reorder(q->data, h, q->shape.size() > 1 ? q->shape[1] : 1, order);
    };
    auto& tin = node("Transpose", {x}, l.name + "/time_major", l.name + "/Transpose");
    ints(tin, "perm", {1, 0, 2});
    std::vector<std::string> in{l.name + "/time_major",
                                tensor(l.param("weight_ih_l0")->format, l.name + ".W", {1, gates * h, f}, gated("weight_ih_l0")),
                                tensor(l.param("weight_hh_l0")->format, l.name + ".R", {1, gates * h, h}, gated("weight_hh_l0"))};
    if (l.bias) {
      std::vector<float> b = gated("bias_ih_l0");
      const std::vector<float> rb = gated("bias_hh_l0");
      b.insert(b.end(), rb.begin(), rb.end());
      in.push_back(floats(l.name + ".B", {1, 2 * gates * h}, b));
    }
    auto& rnn = node(lstm ? "LSTM" : "GRU", in, l.name + "/Y", l.name);
    if (fixed_)
      internal_formats(rnn, {{"gate_preactivation", l.gate_preactivation_format}, {"gate", l.gate_format},
                             {"cell", l.cell_format}});
    integer(rnn, "hidden_size", h);
    if (!lstm) integer(rnn, "linear_before_reset", 1);
    node("Squeeze", {l.name + "/Y", int64s(l.name + ".squeeze_axes", {1})}, l.name + "/Y3", l.name + "/Squeeze");
    auto& tout = node("Transpose", {l.name + "/Y3"}, l.name, l.name + "/Transpose_back");
    ints(tout, "perm", {1, 0, 2});
    return l.name;
  }

  // The inputs of a broadcasting add / mul / sub / div at the output's per-sample rank:
  // ONNX aligns the trailing axes of the batched tensors, so an input of lower rank gets
  // 1s after its batch axis (a Reshape), as the IR broadcasts the samples.
  std::vector<std::string> aligned(const ir::Layer& l, const std::vector<std::string>& in) {
    std::vector<std::string> out = in;
    for (size_t i = 0; i < in.size(); ++i) {
      const Shape& s = ir_.layer(l.inputs[i])->output_shape;
      if (s.size() >= l.output_shape.size()) continue;
      Shape target{-1};
      target.insert(target.end(), l.output_shape.size() - s.size(), 1);
      target.insert(target.end(), s.begin(), s.end());
      out[i] = l.name + "/aligned" + std::to_string(i);
      node("Reshape", {in[i], int64s(out[i] + ".shape", target)}, out[i], out[i]);
    }
    return out;
  }

  // Writes the nodes of `l` and returns its output tensor's name.
  std::string emit(const ir::Layer& l, const std::vector<std::string>& in) {
    const std::string& x = in.empty() ? std::string() : in[0];
    const std::string& y = l.name;
    switch (l.kind) {
      case K::kDense: {
        std::string flat = x;
        if (ir_.layer(l.inputs[0])->output_shape.size() != 1) {
          flat = l.name + "/flat";
          integer(node("Flatten", {x}, flat, l.name + "/Flatten"), "axis", 1);
        }
        std::vector<std::string> args{flat, weight(l, {l.out_features, l.in_features})};
        if (l.bias) args.push_back(bias(l));
        integer(node("Gemm", args, y, y), "transB", 1);
        return y;
      }
      case K::kConv1d: case K::kConv2d: case K::kDepthwiseConv2d: {
        std::vector<std::string> args{x, weight(l, l.param("weight") ? l.param("weight")->shape : Shape{})};
        if (l.bias) args.push_back(bias(l));
        auto& n = node("Conv", args, y, y);
        window(n, l, false);
        integer(n, "group", l.groups);
        return y;
      }
      case K::kMaxPool1d: case K::kMaxPool2d: window(node("MaxPool", {x}, y, y), l, true); return y;
      case K::kAvgPool2d: {
        auto& n = node("AveragePool", {x}, y, y);
        window(n, l, true);
        integer(n, "count_include_pad", 1);
        return y;
      }
      case K::kGlobalAvgPool:
        node("GlobalAveragePool", {x}, y + "/pooled", y);
        integer(node("Flatten", {y + "/pooled"}, y, y + "/Flatten"), "axis", 1);
        return y;
      case K::kBatchNorm: {
        const Shape c{l.output_shape[0]};
        auto& n = node("BatchNormalization", {x, param(l, "weight", c), param(l, "bias", c), param(l, "running_mean", c),
                                              param(l, "running_var", c)}, y, y);
        set_float(n, "epsilon", 1e-5f);
        if (fixed_) internal_formats(n, {{"scale", l.param("weight")->format}});
        return y;
      }
      case K::kRelu: node("Relu", {x}, y, y); return y;
      case K::kSigmoid: node("Sigmoid", {x}, y, y); return y;
      case K::kHardSwish: node("HardSwish", {x}, y, y); return y;
      case K::kTanh: node("Tanh", {x}, y, y); return y;
      case K::kLeakyRelu: set_float(node("LeakyRelu", {x}, y, y), "alpha", l.alpha); return y;
      case K::kHardSigmoid: {
        auto& n = node("HardSigmoid", {x}, y, y);
        set_float(n, "alpha", l.alpha);
        set_float(n, "beta", l.beta);
        return y;
      }
#define SLIMLAB_CLIP_CASE_(Name, lo, hi) \
      case K::k##Name: return clip(l, x, float(lo), float(hi));
      SLIMRT_CONST_CLAMP_OPS(SLIMLAB_CLIP_CASE_)
#undef SLIMLAB_CLIP_CASE_
      case K::kHardTanh: return clip(l, x, l.min_value, l.max_value);
      case K::kSoftmax: integer(node("Softmax", {x}, y, y), "axis", -1); return y;
      case K::kLogSoftmax: integer(node("LogSoftmax", {x}, y, y), "axis", -1); return y;
      case K::kDropout: node("Identity", {x}, y, y); return y;
      case K::kFlatten: integer(node("Flatten", {x}, y, y), "axis", 1); return y;
      case K::kReshape: {
        Shape target{-1};
        target.insert(target.end(), l.output_shape.begin(), l.output_shape.end());
        node("Reshape", {x, int64s(y + ".shape", target)}, y, y);
        return y;
      }
      case K::kConcat: integer(node("Concat", in, y, y), "axis", l.axis + 1); return y;
      case K::kAdd: {
        const std::vector<std::string> a = aligned(l, in);
        std::string acc = a[0];
        for (size_t i = 1; i < a.size(); ++i) {
          const std::string out = i + 1 == a.size() ? y : y + "/sum" + std::to_string(i);
          node("Add", {acc, a[i]}, out, i + 1 == a.size() ? y : out);
          acc = out;
        }
        return y;
      }
      case K::kMul: node("Mul", aligned(l, in), y, y); return y;
      case K::kSub: node("Sub", aligned(l, in), y, y); return y;
      case K::kDiv: node("Div", aligned(l, in), y, y); return y;
      case K::kMeanOverTime: {
        auto& n = node("ReduceMean", {x}, y, y);
        ints(n, "axes", {1});
        integer(n, "keepdims", 0);
        return y;
      }
      case K::kSlice:
        node("Slice", {x, int64s(y + ".starts", {l.begin}), int64s(y + ".ends", {l.end}), int64s(y + ".axes", {l.axis + 1})},
             y, y);
        return y;
      case K::kReverse:  // as torch.flip writes it: the whole axis with step −1
        node("Slice", {x, int64s(y + ".starts", {-1}), int64s(y + ".ends", {std::numeric_limits<int64_t>::min()}),
                       int64s(y + ".axes", {l.axis + 1}), int64s(y + ".steps", {-1})},
             y, y);
        return y;
      case K::kTranspose: {
        Shape perm{0};
        for (int64_t a : l.perm) perm.push_back(a + 1);
        ints(node("Transpose", {x}, y, y), "perm", perm);
        return y;
      }
      case K::kGru: return recurrent(l, x, false);
      case K::kLstm: return recurrent(l, x, true);
      default:
        fail(l, "has no ONNX form in SlimLab's exporter (sign activations of a BNN: export the .slim instead)");
    }
  }

  void layer(const ir::Layer& l) {
    if (l.kind == K::kInput) {
      value_info(g_->add_input(), "input", ir_.input_shape);
      tensor_[l.name] = fixed_ ? qdq(l, "input") : "input";
      return;
    }
    std::vector<std::string> in;
    for (const std::string& i : l.inputs) in.push_back(tensor_.at(i));
    const std::string y = emit(l, in);
    tensor_[l.name] = fixed_ ? qdq(l, y) : y;
    if (fixed_ && float_inside(l)) floated_.push_back(l.name);
  }

  // Layers whose fixed-point arithmetic ONNX computes in float between the Q/DQ pairs
  // (their non-linearity, internal state or folded scale is SlimLab's integer arithmetic).
  bool float_inside(const ir::Layer& l) const {
    for (const ir::Param& p : l.params)
      if (p.format.precision == ir::Precision::kBinary && !is_pow2_binary(p.format)) return true;
    switch (l.kind) {
      case K::kGru: case K::kLstm: case K::kBatchNorm: case K::kSigmoid: case K::kTanh: case K::kHardSwish:
      case K::kHardSigmoid: case K::kSoftmax: case K::kLogSoftmax: case K::kDiv: return true;
      default: return false;
    }
  }

  void fixed_notes() {
    if (!fixed_) return;
    notes_.push_back("fixed point as QuantizeLinear / DequantizeLinear (power-of-two scales, zero point 0, INT8 "
                     "activations, INT8 / INT32 weights, INT32 biases): an ONNX runtime computes in float between "
                     "them and rounds ties to even where slimrt rounds them up; the .slim is the bit-exact model");
    if (floated_.empty()) return;
    std::string list;
    for (const std::string& n : floated_) list += (list.empty() ? "" : ", ") + n;
    notes_.push_back("computed in float between Q/DQ (their internal formats are in the nodes' doc_string): " + list);
  }

  const ir::Graph& ir_;
  onnx::ModelProto m_;
  onnx::GraphProto* g_;
  std::map<std::string, std::string> tensor_;  // layer → its output tensor
  std::vector<std::string> notes_;
  bool fixed_ = false;              // a fixed-point network: Q/DQ and integer weights
  std::set<std::string> shared_;    // scale / zero point / clip initializers written
  std::vector<std::string> floated_;  // layers computed in float between Q/DQ
};

}  // namespace

OnnxExport export_onnx(const ir::Graph& g) {
  try {
    g.validate();
  } catch (const std::invalid_argument& e) {
    throw OnnxError(std::string("onnx export: ") + e.what());
  }
  return Writer(g).run();
}

OnnxExport export_onnx_file(const ir::Graph& g, const std::filesystem::path& path) {
  OnnxExport e = export_onnx(g);
  data::write_file_atomic(path, e.bytes, "ONNX model");
  return e;
}

}  // namespace slimlab::onnx_import
