// Graph IR → ONNX: one layer → one node (a few for dense on a non-flat input, a global
// pool, and the recurrent layers, which ONNX runs time-major). A reverse / bidirectional
// ONNX RNN was imported as forward layers between Reverse layers and comes back so.
#include "import/onnx_export.h"

#include <onnx/onnx_pb.h>

#include <limits>
#include <map>

#include "datasets/atomic_file.h"
#include "import/onnx_internal.h"
#include "import/onnx_proto.h"

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
  }

  OnnxExport run() {
    for (const ir::Layer& l : ir_.layers) layer(l);
    const ir::Layer& last = ir_.layers.back();
    value_info(g_->add_output(), tensor_[last.name], last.output_shape);
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
    std::vector<std::string> in{l.name + "/time_major", floats(l.name + ".W", {1, gates * h, f}, gated("weight_ih_l0")),
                                floats(l.name + ".R", {1, gates * h, h}, gated("weight_hh_l0"))};
    if (l.bias) {
      std::vector<float> b = gated("bias_ih_l0");
      const std::vector<float> rb = gated("bias_hh_l0");
      b.insert(b.end(), rb.begin(), rb.end());
      in.push_back(floats(l.name + ".B", {1, 2 * gates * h}, b));
    }
    auto& rnn = node(lstm ? "LSTM" : "GRU", in, l.name + "/Y", l.name);
    integer(rnn, "hidden_size", h);
    if (!lstm) integer(rnn, "linear_before_reset", 1);
    node("Squeeze", {l.name + "/Y", int64s(l.name + ".squeeze_axes", {1})}, l.name + "/Y3", l.name + "/Squeeze");
    auto& tout = node("Transpose", {l.name + "/Y3"}, l.name, l.name + "/Transpose_back");
    ints(tout, "perm", {1, 0, 2});
    return l.name;
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
        std::vector<std::string> args{flat, param(l, "weight", {l.out_features, l.in_features})};
        if (l.bias) args.push_back(param(l, "bias", {l.out_features}));
        integer(node("Gemm", args, y, y), "transB", 1);
        return y;
      }
      case K::kConv1d: case K::kConv2d: case K::kDepthwiseConv2d: {
        std::vector<std::string> args{x, param(l, "weight", l.param("weight") ? l.param("weight")->shape : Shape{})};
        if (l.bias) args.push_back(param(l, "bias", {l.out_features}));
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
        std::string acc = in[0];
        for (size_t i = 1; i < in.size(); ++i) {
          const std::string out = i + 1 == in.size() ? y : y + "/sum" + std::to_string(i);
          node("Add", {acc, in[i]}, out, i + 1 == in.size() ? y : out);
          acc = out;
        }
        return y;
      }
      case K::kMul: node("Mul", {in[0], in[1]}, y, y); return y;
      case K::kSub: node("Sub", {in[0], in[1]}, y, y); return y;
      case K::kDiv: node("Div", {in[0], in[1]}, y, y); return y;
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
      tensor_[l.name] = "input";
      return;
    }
    if (l.activation_format.precision == ir::Precision::kFixed && !fixed_noted_) {
      notes_.push_back("fixed-point activation formats are not written: the ONNX model computes in float with the "
                       "weights' grid values");
      fixed_noted_ = true;
    }
    std::vector<std::string> in;
    for (const std::string& i : l.inputs) in.push_back(tensor_.at(i));
    tensor_[l.name] = emit(l, in);
  }

  const ir::Graph& ir_;
  onnx::ModelProto m_;
  onnx::GraphProto* g_;
  std::map<std::string, std::string> tensor_;  // layer → its output tensor
  std::vector<std::string> notes_;
  bool fixed_noted_ = false;
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
