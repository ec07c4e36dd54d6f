// The importer: model checks (opset, references, cycles), the input shape, the node
// loop and the finished graph. The ops themselves: onnx_fold.cpp, onnx_layers.cpp, onnx_rnn.cpp.
#include "import/onnx_import.h"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "import/onnx_internal.h"

namespace slimlab::onnx_import {

namespace detail {

namespace {

// Opsets the importer knows: what torch.onnx.export (1.13: 7–17) and tf2onnx emit.
constexpr int64_t kMinOpset = 7, kMaxOpset = 18;

bool default_domain(const std::string& d) { return d.empty() || d == "ai.onnx"; }

std::string shape_key(const std::string& layer, const Shape& s) { return layer + "|" + ir::to_string(s); }

}  // namespace

Importer::Importer(const onnx::ModelProto& m, const ImportOptions& o, std::string source)
    : m_(m), o_(o), source_(std::move(source)) {}

void Importer::fail(const std::string& what) const {
  std::string where = "onnx: " + source_ + ": ";
  if (node_)
    where += "node '" + node_->name() + "' (" + node_->op_type() + ", opset " + std::to_string(opset_) + "): ";
  throw OnnxError(where + what);
}

void Importer::check_model() {
  bool found = false;
  for (const auto& os : m_.opset_import())
    if (default_domain(os.domain())) {
      opset_ = os.version();
      found = true;
    }
  if (!found) fail("the model imports no opset of the default domain (ai.onnx)");
  if (opset_ < kMinOpset || opset_ > kMaxOpset)
    fail("opset " + std::to_string(opset_) + " is outside " + std::to_string(kMinOpset) + "–" +
         std::to_string(kMaxOpset) + " (convert it: onnx.version_converter.convert_version(model, 13))");
  if (!m_.has_graph()) fail("the file holds no graph (is it an ONNX model?)");
}

void Importer::check_graph() {
  const onnx::GraphProto& g = m_.graph();
  for (const onnx::TensorProto& t : g.initializer()) {
    if (t.name().empty()) fail("an initializer has no name");
    if (!initializers_.emplace(t.name(), &t).second) fail("initializer '" + t.name() + "' is defined twice");
  }
  if (g.output_size() != 1)
    fail("the graph has " + std::to_string(g.output_size()) +
         " outputs; SlimLab imports classifiers with one output (the logits)");
  std::set<std::string> produced;
  for (const onnx::NodeProto& n : g.node()) {
    node_ = &n;
    for (const std::string& out : n.output())
      if (!out.empty() && (!produced.insert(out).second || initializers_.count(out)))
        fail("value '" + out + "' is produced twice");
    for (const std::string& in : n.input())
      if (!in.empty()) {
        ++uses_[in];
        if (readers_[in].empty() || readers_[in].back() != &n) readers_[in].push_back(&n);
      }
  }
  node_ = nullptr;
  ++uses_[g.output(0).name()];
}

std::vector<int> Importer::topological_order() {
  const onnx::GraphProto& g = m_.graph();
  std::map<std::string, int> producer;
  for (int i = 0; i < g.node_size(); ++i)
    for (const std::string& out : g.node(i).output()) producer[out] = i;
  std::set<std::string> inputs;
  for (const auto& vi : g.input()) inputs.insert(vi.name());
  std::vector<int> pending(size_t(g.node_size()), 0);
  std::vector<std::vector<int>> readers(size_t(g.node_size()));
  for (int i = 0; i < g.node_size(); ++i) {
    node_ = &g.node(i);
    for (const std::string& in : g.node(i).input()) {
      if (in.empty()) continue;
      auto it = producer.find(in);
      if (it != producer.end()) {
        ++pending[size_t(i)];
        readers[size_t(it->second)].push_back(i);
      } else if (!initializers_.count(in) && !inputs.count(in)) {
        fail("input '" + in + "' is neither an initializer, a graph input nor a node's output (a missing "
             "initializer? re-export with export_params=True)");
      }
    }
  }
  node_ = nullptr;
  std::vector<int> order, ready;
  for (int i = g.node_size() - 1; i >= 0; --i)
    if (pending[size_t(i)] == 0) ready.push_back(i);
  while (!ready.empty()) {
    // Smallest index first: the file's own order when it is already topological.
    auto it = std::min_element(ready.begin(), ready.end());
    const int i = *it;
    ready.erase(it);
    order.push_back(i);
    for (int r : readers[size_t(i)])
      if (--pending[size_t(r)] == 0) ready.push_back(r);
  }
  if (order.size() != size_t(g.node_size()))
    for (int i = 0; i < g.node_size(); ++i)
      if (pending[size_t(i)] > 0) {
        node_ = &g.node(i);
        fail("the graph has a cycle through this node's inputs");
      }
  return order;
}

void Importer::read_input() {
  const onnx::GraphProto& g = m_.graph();
  const onnx::ValueInfoProto* in = nullptr;
  for (const auto& vi : g.input()) {
    if (initializers_.count(vi.name())) continue;  // older IR versions list initializers as inputs
    if (in) fail("the graph has more than one data input ('" + in->name() + "', '" + vi.name() + "')");
    in = &vi;
  }
  if (!in) fail("the graph has no data input");
  const std::string what = "input '" + in->name() + "'";
  if (!in->type().has_tensor_type() || in->type().tensor_type().elem_type() != onnx::TensorProto::FLOAT)
    fail(what + " is not a FLOAT tensor");
  const auto& dims = in->type().tensor_type().shape().dim();
  if (dims.size() < 2) fail(what + " has rank " + std::to_string(dims.size()) + "; expected [batch, ...]");
  if (!o_.input_shape.empty() && o_.input_shape.size() + 1 != size_t(dims.size()))
    fail(what + " has rank " + std::to_string(dims.size()) + " but the requested per-sample shape (--input-shape, or "
         "the experiment's data) is " + ir::to_string(o_.input_shape) + " (without the batch axis)");
  if (dims[0].has_dim_value()) batch_ = dims[0].dim_value();
  if (batch_ < 1 || batch_ > 4096) fail(what + ": batch axis " + std::to_string(batch_) + " is not valid");
  Shape sample;
  for (int i = 1; i < dims.size(); ++i) {
    const int64_t given = o_.input_shape.empty() ? -1 : o_.input_shape[size_t(i - 1)];
    if (dims[i].has_dim_value()) {
      if (given > 0 && given != dims[i].dim_value())
        fail(what + ": axis " + std::to_string(i) + " is fixed at " + std::to_string(dims[i].dim_value()) +
             " but the requested per-sample shape (--input-shape, or the experiment's data) " +
             ir::to_string(o_.input_shape) + " has " + std::to_string(given));
      sample.push_back(dims[i].dim_value());
    } else if (given > 0) {
      sample.push_back(given);
    } else {
      fail(what + ": axis " + std::to_string(i) + " is dynamic ('" + dims[i].dim_param() +
           "'); fix it with --input-shape (or [model] input_shape), the per-sample shape");
    }
  }
  checked_numel(sample, what);
  for (int64_t d : sample)
    if (d < 1) fail(what + ": extent " + std::to_string(d) + " is not positive");
  g_.input_shape = sample;
  ir::Layer l;
  l.name = "input";
  l.kind = ir::LayerKind::kInput;
  layer_names_.insert("input");
  l.output_shape = sample;
  g_.layers.push_back(l);
  values_[in->name()] = Value{false, {}, "input", sample};
}

const Value* Importer::input(int i, bool optional) const {
  if (i >= node_->input_size() || node_->input(i).empty()) {
    if (optional) return nullptr;
    fail("input " + std::to_string(i) + " is missing");
  }
  const std::string& name = node_->input(i);
  auto it = values_.find(name);
  if (it != values_.end()) return &it->second;
  fail("input '" + name + "' has no value (an unused graph input?)");
}

const Tensor& Importer::const_input(int i) const {
  const Value* v = input(i);
  if (!v->is_const)
    fail("input " + std::to_string(i) + " ('" + node_->input(i) +
         "') must be a constant (an initializer or a folded shape computation)");
  return v->c;
}

const Value& Importer::layer_input(int i, bool any_batch_axis) const {
  const Value* v = input(i);
  if (v->is_const)
    fail("input " + std::to_string(i) + " ('" + node_->input(i) + "') is a constant; SlimLab expects the data path here");
  if (v->q_bits > 0)
    fail("input " + std::to_string(i) + " ('" + node_->input(i) +
         "') is the integer output of a QuantizeLinear; SlimLab reads it only through a DequantizeLinear");
  if (v->batch_axis != 0 && !any_batch_axis)
    fail("input " + std::to_string(i) + " ('" + node_->input(i) + "') has its batch axis at position " +
         std::to_string(v->batch_axis) + " (time-major); SlimLab's layers need it first (transpose it back)");
  return *v;
}

void Importer::set_output(int i, Value v) {
  if (i < node_->output_size() && !node_->output(i).empty()) values_[node_->output(i)] = std::move(v);
}

void Importer::set_const(int i, Tensor t) {
  checked_numel(t.dims, "node '" + node_->name() + "' output");
  set_output(i, Value{true, std::move(t), {}, {}});
}

int Importer::uses(const std::string& name) const {
  auto it = uses_.find(name);
  return it == uses_.end() ? 0 : it->second;
}

int Importer::layer_reads(const std::string& layer) const {
  const auto holds = [&](const std::string& value) {
    auto it = values_.find(value);
    return it != values_.end() && !it->second.is_const && it->second.layer == layer;
  };
  int n = 0;
  for (const auto& [name, v] : values_) {
    if (!holds(name)) continue;
    n += is_graph_output(name);
    for (const onnx::NodeProto* r : readers(name)) {
      bool passes_through = false;  // Identity, Dropout, a reshape: its output is the same layer's
      for (const std::string& out : r->output()) passes_through |= holds(out);
      n += !passes_through;
    }
  }
  return n;
}

std::string Importer::layer_name(const std::string& suffix, bool weights) {
  // "/block2/c1/Conv" → "block2.c1" for a layer with weights (PyTorch's module path, so
  // parameters are "block2.c1.weight"), "block2.Relu_1" otherwise; a name written by
  // the exporter ("block2.c1") comes back as it was.
  const std::string raw = !node_ ? "output"
                         : node_->name().empty() ? (node_->output_size() ? node_->output(0) : node_->op_type())
                                                 : node_->name();
  std::vector<std::string> parts{""};
  for (char ch : raw) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    std::string& part = parts.back();
    if (ch == '/') parts.emplace_back();
    else if (ok) part += ch;
    else if (ch == '.' && !part.empty() && part.back() != '.' && part.back() != '_') part += '.';  // PyTorch's "stem.0"
    else if (!part.empty() && part.back() != '_' && part.back() != '.') part += '_';
  }
  std::string s;
  parts.erase(std::remove(parts.begin(), parts.end(), std::string()), parts.end());
  if (weights && parts.size() > 1) parts.pop_back();
  for (std::string& p : parts) {
    while (!p.empty() && (p.back() == '_' || p.back() == '.')) p.pop_back();
    if (!p.empty()) s += (s.empty() ? "" : ".") + p;
  }
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) s = "n" + s;
  s += suffix;
  std::string name = s;
  for (int k = 2; layer_names_.count(name); ++k) name = s + "_" + std::to_string(k);
  layer_names_.insert(name);
  return name;
}

ir::Layer& Importer::layer(const std::string& name) {
  ir::Layer* l = g_.layer(name);
  if (!l) fail("internal: no layer '" + name + "'");
  return *l;
}

std::string Importer::add_layer(ir::Layer l, const std::map<std::string, std::vector<float>>& data) {
  if (l.name.empty()) l.name = layer_name("", !data.empty());
  ir::InputShapes ins;
  for (const std::string& in : l.inputs) ins.push_back(&layer(in).output_shape);
  ir::ParamSpecs specs;
  try {
    l.output_shape = ir::infer_output_shape(g_, l, ins, &specs);
  } catch (const std::invalid_argument& e) {
    fail(e.what());
  }
  for (const ir::ParamSpec& s : specs) {
    ir::Param p;
    p.name = s.name;
    p.shape = s.shape;
    p.trainable = s.trainable;
    auto it = data.find(s.name);
    if (it == data.end()) fail("internal: no values for parameter '" + s.name + "'");
    if (int64_t(it->second.size()) != ir::numel(s.shape))
      fail("parameter '" + s.name + "' has " + std::to_string(it->second.size()) + " values, the layer needs " +
           ir::to_string(s.shape));
    p.data = it->second;
    l.params.push_back(std::move(p));
  }
  g_.layers.push_back(std::move(l));
  return g_.layers.back().name;
}

std::string Importer::materialize(const Value& v) {
  if (v.is_const) fail("a constant cannot feed this layer (SlimLab expects the data path)");
  if (v.q_bits > 0) fail("a QuantizeLinear's integer output needs a DequantizeLinear before this layer");
  if (layer(v.layer).output_shape == v.shape) return v.layer;
  const std::string key = shape_key(v.layer, v.shape);
  if (auto it = reshapes_.find(key); it != reshapes_.end()) return it->second;
  ir::Layer l;
  l.kind = ir::LayerKind::kReshape;
  l.name = layer_name("_reshape");
  l.inputs = {v.layer};
  l.output_shape = v.shape;
  const std::string name = add_layer(l);
  reshapes_[key] = name;
  return name;
}

void Importer::convert(const onnx::NodeProto& n) {
  node_ = &n;
  if (!default_domain(n.domain()))
    fail("domain '" + n.domain() + "' is not supported (only the default ai.onnx domain)");
  for (int i = 0; i < n.input_size(); ++i)
    if (!n.input(i).empty()) {
      auto it = initializers_.find(n.input(i));
      if (it != initializers_.end() && !values_.count(n.input(i)))
        values_[n.input(i)] = Value{true, read_tensor(*it->second, "initializer '" + n.input(i) + "'"), {}, {}};
    }
  const auto& folds = fold_ops();
  if (auto it = folds.find(n.op_type()); it != folds.end() && it->second(*this)) return;
  const auto& layers = layer_ops();
  auto it = layers.find(n.op_type());
  if (it == layers.end()) {
    if (folds.count(n.op_type())) fail("supported on constants only (its inputs must be known at import)");
    fail("op " + n.op_type() + " has no SlimLab mapping. Supported: " + supported_ops() +
         ". Fix: rewrite the model without it, or add the op to the IR (docs/ADDING_AN_OP.md) and map it in "
         "import/onnx_layers.cpp");
  }
  const size_t first_new = g_.layers.size();
  it->second(*this);
  adopt_fixed_point(*this, first_new);
}

void Importer::finish(ImportResult& r) {
  node_ = nullptr;
  const std::string& out_name = m_.graph().output(0).name();
  auto it = values_.find(out_name);
  if (it == values_.end()) fail("graph output '" + out_name + "' is not produced by any node");
  if (it->second.is_const) fail("graph output '" + out_name + "' is a constant");
  Value out = it->second;
  if (out.shape.size() != 1)
    fail("graph output '" + out_name + "' is " + ir::to_string(out.shape) +
         " per sample; a classifier's logits are [classes]");
  const std::string last = materialize(out);
  // Keep the layers the output depends on (a dead branch would end the graph elsewhere).
  std::set<std::string> live{last};
  for (auto l = g_.layers.rbegin(); l != g_.layers.rend(); ++l)
    if (live.count(l->name)) live.insert(l->inputs.begin(), l->inputs.end());
  std::vector<ir::Layer> kept;
  for (ir::Layer& l : g_.layers)
    if (live.count(l.name)) kept.push_back(std::move(l));
  g_.layers = std::move(kept);
  g_.num_classes = out.shape[0];
  g_.model = o_.model_name.empty() ? "onnx" : o_.model_name;
  finish_fixed_point(g_, notes_);
  if (o_.prunable_groups) derive_groups(g_, notes_);
  try {
    g_.validate();
  } catch (const std::invalid_argument& e) {
    fail(std::string("the imported graph does not validate: ") + e.what());
  }
  r.graph = std::move(g_);
  r.notes = notes_;
}

ImportResult Importer::run() {
  check_model();
  check_graph();
  const std::vector<int> order = topological_order();
  read_input();
  for (int i : order) convert(m_.graph().node(i));
  ImportResult r;
  r.opset = opset_;
  r.producer = m_.producer_name() + (m_.producer_version().empty() ? "" : " " + m_.producer_version());
  finish(r);
  return r;
}

}  // namespace detail

ImportResult import_onnx(const void* bytes, size_t size, const ImportOptions& options, const std::string& source) {
  if (size > kMaxOnnxBytes) throw OnnxError("onnx: " + source + ": " + std::to_string(size) + " bytes is above the limit");
  onnx::ModelProto m;
  if (size > size_t(INT32_MAX) || !m.ParseFromArray(bytes, int(size)))
    throw OnnxError("onnx: " + source + ": not a valid ONNX ModelProto (truncated or corrupt protobuf)");
  return detail::Importer(m, options, source).run();
}

ImportResult import_onnx_file(const std::filesystem::path& path, const ImportOptions& options) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) throw OnnxError("onnx: " + path.string() + ": cannot read (" + ec.message() + ")");
  if (size > kMaxOnnxBytes)
    throw OnnxError("onnx: " + path.string() + ": " + std::to_string(size) + " bytes is above the 1 GiB limit");
  std::ifstream f(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (!f.good() && !f.eof()) throw OnnxError("onnx: " + path.string() + ": read error");
  ImportOptions o = options;
  if (o.model_name.empty()) o.model_name = "onnx:" + path.stem().string();
  return import_onnx(bytes.data(), bytes.size(), o, path.string());
}

}  // namespace slimlab::onnx_import
