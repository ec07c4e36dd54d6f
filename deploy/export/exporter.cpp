#include "deploy/export/exporter.h"

#include <cmath>
#include <map>
#include <stdexcept>

#include "slimrt/writer.h"

namespace slimlab::deploy {

using slimrt::DType;
using slimrt::OpType;
using ir::LayerKind;

const char* to_string(ExportPrecision p) {
  switch (p) {
    case ExportPrecision::kFp32: return "fp32";
    case ExportPrecision::kInt8: return "int8";
    case ExportPrecision::kInt16: return "int16";
    case ExportPrecision::kBinary: return "binary";
  }
  return "?";
}

ExportPrecision parse_export_precision(const std::string& s) {
  for (auto p : {ExportPrecision::kFp32, ExportPrecision::kInt8, ExportPrecision::kInt16, ExportPrecision::kBinary})
    if (s == to_string(p)) return p;
  throw std::invalid_argument("unknown export precision '" + s + "' (fp32, int8, int16, binary)");
}

namespace {

[[noreturn]] void fail(const ir::Layer& l, const std::string& what) {
  throw std::invalid_argument("export: layer '" + l.name + "' (" + ir::to_string(l.kind) + "): " + what);
}

const ir::Param& need_param(const ir::Layer& l, const std::string& name) {
  const ir::Param* p = l.param(name);
  if (!p) fail(l, "has no parameter '" + name + "'");
  if (p->data.empty()) fail(l, "parameter '" + name + "' has no values (a graph taken without weights?)");
  return *p;
}

std::vector<int> ints(const std::vector<int64_t>& v) { return std::vector<int>(v.begin(), v.end()); }

bool is_weighted(LayerKind k) {
  return k == LayerKind::kDense || k == LayerKind::kConv1d || k == LayerKind::kConv2d ||
         k == LayerKind::kDepthwiseConv2d;
}

class Exporter {
 public:
  Exporter(const ir::Graph& g, const ExportOptions& o) : g_(g), o_(o) {}

  ExportResult run() {
    if (o_.precision != ExportPrecision::kFp32)
      throw std::invalid_argument(std::string("export: precision '") + to_string(o_.precision) +
                                  "' is not implemented yet (fp32 works; fixed-point and binary exports need the "
                                  "quantizer's formats in the graph)");
    if (g_.layers.empty() || g_.layers[0].kind != LayerKind::kInput)
      throw std::invalid_argument("export: the graph must start with its input layer");
    for (const auto& l : g_.layers)
      for (const auto& in : l.inputs) ++consumers_[in];
    fold_batch_norms();
    for (const auto& l : g_.layers) emit(l);
    const int out = tensor_of(g_.layers.back().name);
    w_.inputs = {input_};
    w_.outputs = {out};
    auto& md = w_.metadata;
    md.model = g_.model;
    md.precision = to_string(o_.precision);
    md.class_names = o_.class_names;
    md.feature_type = o_.feature_type;
    md.sample_rate = o_.sample_rate;
    md.window_length = o_.window_length;
    md.norm_mean = o_.norm_mean;
    md.norm_std = o_.norm_std;
    md.source_run = o_.source_run;
    md.accuracy = o_.accuracy;
    md.exporter = "slimlab 0.1.0";
    ExportResult r;
    r.bytes = w_.finish();
    r.notes = notes_;
    r.ops = ops_;
    // The runtime's own verifier is the final check of what we wrote.
    try {
      slimrt::Model::from_memory(r.bytes.data(), r.bytes.size());
    } catch (const slimrt::Error& e) {
      throw std::invalid_argument(std::string("export: the written model fails slimrt's verifier: ") + e.what());
    }
    return r;
  }

 private:
  int tensor_of(const std::string& layer) const {
    auto it = tensor_.find(layer);
    if (it == tensor_.end()) throw std::invalid_argument("export: layer '" + layer + "' has no output tensor");
    return it->second;
  }
  const ir::Layer& input_layer(const ir::Layer& l, size_t i = 0) const {
    const ir::Layer* p = g_.layer(l.inputs.at(i));
    if (!p) fail(l, "input '" + l.inputs[i] + "' does not exist");
    return *p;
  }
  int act(const ir::Layer& l) { return w_.add_tensor(l.name, DType::F32, l.output_shape); }

  // BN over axis 0 after a conv / dense whose only consumer it is: scale the
  // weights' rows and shift the bias. Folded weights live in folded_.
  void fold_batch_norms() {
    for (const auto& l : g_.layers) {
      if (l.kind != LayerKind::kBatchNorm) continue;
      const ir::Layer& src = input_layer(l);
      if (!is_weighted(src.kind) || consumers_[src.name] != 1) continue;
      const auto& gamma = need_param(l, "weight").data;
      const auto& beta = need_param(l, "bias").data;
      const auto& mean = need_param(l, "running_mean").data;
      const auto& var = need_param(l, "running_var").data;
      std::vector<float> w = need_param(src, "weight").data;
      const size_t out = size_t(src.out_features), per = w.size() / out;
      if (gamma.size() != out) continue;  // BN over another axis: leave it as a Scale op
      std::vector<float> b(out, 0.f);
      if (src.bias) b = need_param(src, "bias").data;
      for (size_t o = 0; o < out; ++o) {
        const double s = double(gamma[o]) / std::sqrt(double(var[o]) + double(o_.bn_eps));
        for (size_t i = 0; i < per; ++i) w[o * per + i] = float(double(w[o * per + i]) * s);
        b[o] = float((double(b[o]) - double(mean[o])) * s + double(beta[o]));
      }
      folded_[src.name] = {std::move(w), std::move(b)};
      folded_bn_[l.name] = src.name;
      notes_.push_back("batch norm '" + l.name + "' folded into '" + src.name + "'");
    }
  }

  // A ReLU / ReLU6 straight after the last op we wrote, whose only reader it is, fuses into it.
  bool try_fuse(const ir::Layer& l, slimrt::fb::Activation a) {
    const std::string& src = l.inputs.at(0);
    if (!single_reader_[src] || !last_op_) return false;
    slimrt::OpDesc& op = *last_op_;
    if (last_op_output_ != tensor_of(src) || op.activation != slimrt::fb::Activation::None) return false;
    if (op.type != OpType::Dense && op.type != OpType::Conv1d && op.type != OpType::Conv2d &&
        op.type != OpType::DepthwiseConv2d && op.type != OpType::Add)
      return false;
    op.activation = a;
    tensor_[l.name] = tensor_of(src);
    single_reader_[l.name] = consumers_[l.name] == 1;
    notes_.push_back(std::string("'") + l.name + "' fused into '" + op.name + "'");
    return true;
  }

  slimrt::OpDesc& add_op(OpType t, const ir::Layer& l, std::vector<int> in, int out) {
    slimrt::OpDesc& op = w_.add_op(t, l.name, std::move(in), {out});
    tensor_[l.name] = out;
    last_op_ = &op;
    last_op_output_ = out;
    single_reader_[l.name] = consumers_[l.name] == 1;
    ++ops_;
    return op;
  }

  void weighted(const ir::Layer& l, OpType t) {
    const ir::Param& wp = need_param(l, "weight");
    std::vector<float> w = wp.data, b;
    bool has_bias = l.bias && l.param("bias");
    if (has_bias) b = need_param(l, "bias").data;
    if (auto it = folded_.find(l.name); it != folded_.end()) {
      w = it->second.first;
      b = it->second.second;
      has_bias = true;
    }
    const int wt = w_.add_f32(l.name + ".weight", wp.shape, w);
    std::vector<int> in{tensor_of(l.inputs.at(0)), wt};
    if (has_bias) in.push_back(w_.add_f32(l.name + ".bias", {int64_t(b.size())}, b));
    slimrt::OpDesc& op = add_op(t, l, std::move(in), act(l));
    if (t != OpType::Dense) {
      op.kernel = ints(l.kernel);
      op.stride = ints(l.stride);
      op.padding = ints(l.padding);
      op.dilation = ints(l.dilation);
      op.groups = int(l.groups);
    }
  }

  void emit(const ir::Layer& l) {
    switch (l.kind) {
      case LayerKind::kInput:
        input_ = w_.add_tensor(l.name, DType::F32, g_.input_shape);
        tensor_[l.name] = input_;
        return;
      case LayerKind::kDense: return weighted(l, OpType::Dense);
      case LayerKind::kConv1d: return weighted(l, OpType::Conv1d);
      case LayerKind::kConv2d: return weighted(l, OpType::Conv2d);
      case LayerKind::kDepthwiseConv2d: return weighted(l, OpType::DepthwiseConv2d);
      case LayerKind::kMaxPool1d: case LayerKind::kMaxPool2d: case LayerKind::kAvgPool2d: {
        const OpType t = l.kind == LayerKind::kMaxPool1d ? OpType::MaxPool1d
                         : l.kind == LayerKind::kMaxPool2d ? OpType::MaxPool2d : OpType::AvgPool2d;
        slimrt::OpDesc& op = add_op(t, l, {tensor_of(l.inputs.at(0))}, act(l));
        op.kernel = ints(l.kernel);
        op.stride = ints(l.stride.empty() ? l.kernel : l.stride);
        op.padding = ints(l.padding);
        return;
      }
      case LayerKind::kGlobalAvgPool:
        add_op(OpType::GlobalAvgPool, l, {tensor_of(l.inputs.at(0))}, act(l));
        return;
      case LayerKind::kMeanOverTime:
        add_op(OpType::MeanOverTime, l, {tensor_of(l.inputs.at(0))}, act(l));
        return;
      case LayerKind::kBatchNorm: {
        if (auto it = folded_bn_.find(l.name); it != folded_bn_.end()) {
          tensor_[l.name] = tensor_of(it->second);
          single_reader_[l.name] = single_reader_[l.inputs.at(0)] && consumers_[l.name] == 1;
          return;
        }
        // Not foldable: y = x·s + (β − μ·s) per channel.
        const auto& gamma = need_param(l, "weight").data;
        const auto& beta = need_param(l, "bias").data;
        const auto& mean = need_param(l, "running_mean").data;
        const auto& var = need_param(l, "running_var").data;
        std::vector<float> s(gamma.size()), t(gamma.size());
        for (size_t c = 0; c < gamma.size(); ++c) {
          const double k = double(gamma[c]) / std::sqrt(double(var[c]) + double(o_.bn_eps));
          s[c] = float(k);
          t[c] = float(double(beta[c]) - double(mean[c]) * k);
        }
        const int64_t C = int64_t(gamma.size());
        add_op(OpType::Scale, l,
               {tensor_of(l.inputs.at(0)), w_.add_f32(l.name + ".scale", {C}, s), w_.add_f32(l.name + ".shift", {C}, t)},
               act(l));
        notes_.push_back("batch norm '" + l.name + "' kept as a per-channel scale (nothing to fold into)");
        return;
      }
      case LayerKind::kGru: case LayerKind::kLstm: {
        std::vector<int> in{tensor_of(l.inputs.at(0))};
        for (const char* n : {"weight_ih_l0", "weight_hh_l0"}) {
          const ir::Param& p = need_param(l, n);
          in.push_back(w_.add_f32(l.name + "." + n, p.shape, p.data));
        }
        for (const char* n : {"bias_ih_l0", "bias_hh_l0"}) {
          const ir::Param* p = l.param(n);
          in.push_back(p && !p->data.empty() ? w_.add_f32(l.name + "." + n, p->shape, p->data) : -1);
        }
        add_op(l.kind == LayerKind::kGru ? OpType::Gru : OpType::Lstm, l, std::move(in), act(l));
        return;
      }
      case LayerKind::kRelu:
        if (try_fuse(l, slimrt::fb::Activation::Relu)) return;
        add_op(OpType::Relu, l, {tensor_of(l.inputs.at(0))}, act(l));
        return;
      case LayerKind::kRelu6:
        if (try_fuse(l, slimrt::fb::Activation::Relu6)) return;
        add_op(OpType::Relu6, l, {tensor_of(l.inputs.at(0))}, act(l));
        return;
      case LayerKind::kHardTanh: {
        slimrt::OpDesc& op = add_op(OpType::HardTanh, l, {tensor_of(l.inputs.at(0))}, act(l));
        op.min_value = l.min_value;
        op.max_value = l.max_value;
        return;
      }
      case LayerKind::kSign:
        add_op(OpType::Sign, l, {tensor_of(l.inputs.at(0))}, act(l));
        return;
      case LayerKind::kSoftmax:
        add_op(OpType::Softmax, l, {tensor_of(l.inputs.at(0))}, act(l));
        return;
      case LayerKind::kDropout:
        tensor_[l.name] = tensor_of(l.inputs.at(0));  // identity at inference
        single_reader_[l.name] = single_reader_[l.inputs.at(0)] && consumers_[l.name] == 1;
        return;
      case LayerKind::kFlatten: case LayerKind::kReshape:
        add_op(OpType::Reshape, l, {tensor_of(l.inputs.at(0))}, act(l));
        return;
      case LayerKind::kConcat: {
        std::vector<int> in;
        for (const auto& s : l.inputs) in.push_back(tensor_of(s));
        add_op(OpType::Concat, l, std::move(in), act(l)).axis = int(l.axis);
        return;
      }
      case LayerKind::kAdd:
        add_op(OpType::Add, l, {tensor_of(l.inputs.at(0)), tensor_of(l.inputs.at(1))}, act(l));
        return;
      case LayerKind::kSlice: {
        slimrt::OpDesc& op = add_op(OpType::Slice, l, {tensor_of(l.inputs.at(0))}, act(l));
        op.axis = int(l.axis);
        op.begin = int(l.begin);
        op.end = int(l.end);
        return;
      }
      case LayerKind::kTranspose:
        add_op(OpType::Transpose, l, {tensor_of(l.inputs.at(0))}, act(l)).perm = ints(l.perm);
        return;
    }
    fail(l, "has no slimrt op");
  }

  const ir::Graph& g_;
  const ExportOptions& o_;
  slimrt::ModelWriter w_;
  std::map<std::string, int> tensor_;
  std::map<std::string, int> consumers_;
  std::map<std::string, std::pair<std::vector<float>, std::vector<float>>> folded_;
  std::map<std::string, std::string> folded_bn_;
  // True when the layer's tensor has exactly one reader (through identity aliases).
  std::map<std::string, bool> single_reader_;
  slimrt::OpDesc* last_op_ = nullptr;
  int last_op_output_ = -1;
  int input_ = -1;
  int ops_ = 0;
  std::vector<std::string> notes_;
};

}  // namespace

ExportResult export_graph(const ir::Graph& graph, const ExportOptions& options) {
  graph.validate();
  return Exporter(graph, options).run();
}

ExportResult export_graph_file(const ir::Graph& graph, const ExportOptions& options, const std::filesystem::path& path) {
  ExportResult r = export_graph(graph, options);
  slimrt::ModelWriter::write_bytes(path.string(), r.bytes);
  return r;
}

}  // namespace slimlab::deploy
