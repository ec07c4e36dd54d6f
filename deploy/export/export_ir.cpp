#include "deploy/export/export_ir.h"

#include <cmath>
#include <stdexcept>

namespace slimlab::deploy {

using slimrt::DType;

Constant make_constant(std::string name, DType dt, std::vector<int64_t> shape, int fl, int wl) {
  Constant c;
  c.name = std::move(name);
  c.dt = dt;
  c.shape = std::move(shape);
  c.fl = fl;
  c.wl = wl;
  return c;
}

ExportGraph ExportGraph::from(const ir::Graph& g, bool fixed, bool pack_binary) {
  if (g.layers.empty() || g.layers[0].kind != ir::LayerKind::kInput)
    throw std::invalid_argument("export: the graph must start with its input layer");
  ExportGraph e;
  e.model = g.model;
  e.input_shape = g.input_shape;
  e.fixed = fixed;
  e.pack_binary = pack_binary;
  for (const ir::Layer& l : g.layers) e.layers.push_back({l, {}});
  e.output = e.output_name = g.layers.back().name;
  return e;
}

const ExportLayer* ExportGraph::find(const std::string& name) const {
  for (const ExportLayer& l : layers)
    if (l.layer.name == name) return &l;
  return nullptr;
}

const ExportLayer& ExportGraph::at(const std::string& name) const {
  if (const ExportLayer* l = find(name)) return *l;
  throw std::invalid_argument("export: layer '" + name + "' has no output tensor");
}

std::vector<ExportLayer*> ExportGraph::readers(const std::string& name) {
  std::vector<ExportLayer*> r;
  for (ExportLayer& l : layers)
    for (const std::string& in : l.layer.inputs)
      if (in == name) r.push_back(&l);
  return r;
}

void ExportGraph::rewire(const std::string& from, const std::string& to) {
  for (ExportLayer& l : layers)
    for (std::string& in : l.layer.inputs)
      if (in == from) in = to;
  if (output == from) output = to;
}

void ExportGraph::erase(const std::vector<std::string>& names) {
  std::vector<ExportLayer> kept;
  for (ExportLayer& l : layers) {
    bool drop = false;
    for (const std::string& n : names) drop |= n == l.layer.name;
    if (!drop) kept.push_back(std::move(l));
  }
  layers = std::move(kept);
}

std::vector<std::string> ExportGraph::all_notes() const {
  std::vector<std::string> all = notes;
  for (const ExportLayer& l : layers) all.insert(all.end(), l.ann.notes.begin(), l.ann.notes.end());
  return all;
}

void fail(const ir::Layer& l, const std::string& what) {
  throw std::invalid_argument("export: layer '" + l.name + "' (" + ir::to_string(l.kind) + "): " + what);
}

const ir::Param& need_param(const ir::Layer& l, const std::string& name) {
  const ir::Param* p = l.param(name);
  if (!p) fail(l, "has no parameter '" + name + "'");
  if (p->data.empty() || int64_t(p->data.size()) != p->numel())
    fail(l, "parameter '" + name + "' has no values (a graph taken without weights?)");
  return *p;
}

ValueFormat fixed_format(const ir::Layer& l, const ir::NumericFormat& f, const std::string& what) {
  if (f.precision != ir::Precision::kFixed) fail(l, "has no fixed-point " + what + " format");
  return {DType::F32, f.fixed.word_length(), f.fixed.fl};
}

ValueFormat layer_format(const ir::Layer& l) {
  const ir::NumericFormat& f = l.activation_format;
  if (f.precision != ir::Precision::kFixed)
    fail(l, std::string("its output format is ") + ir::to_string(f.precision) +
                ", not fixed point (a fixed-point export needs every layer calibrated)");
  return {DType::F32, f.fixed.word_length(), f.fixed.fl};
}

bool is_weighted(ir::LayerKind k) {
  return k == ir::LayerKind::kDense || k == ir::LayerKind::kConv1d || k == ir::LayerKind::kConv2d ||
         k == ir::LayerKind::kDepthwiseConv2d;
}

bool binary_weight(const ir::Layer& l) {
  if (!is_weighted(l.kind)) return false;
  const ir::Param* w = l.param("weight");
  return w && w->format.precision == ir::Precision::kBinary;
}

int64_t numel(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

const std::vector<int64_t>& tensor_shape(const ExportLayer& l) {
  return l.ann.shape.empty() ? l.layer.output_shape : l.ann.shape;
}
const std::string& tensor_name(const ExportLayer& l) { return l.ann.tensor.empty() ? l.layer.name : l.ann.tensor; }
const std::string& op_name(const ExportLayer& l) { return l.ann.op_name.empty() ? l.layer.name : l.ann.op_name; }

std::vector<float> binary_scale(const ir::Layer& l, const std::vector<float>& w, size_t rows, size_t per) {
  std::vector<float> s(rows);
  for (size_t r = 0; r < rows; ++r) {
    s[r] = std::fabs(w[r * per]);
    for (size_t i = 0; i < per; ++i)
      if (std::fabs(std::fabs(w[r * per + i]) - s[r]) > 1e-6f * s[r])
        fail(l, "its binary weights are not ±H (|w| differs within output " + std::to_string(r) + ")");
  }
  return s;
}

std::vector<float> bias_or_zero(const ir::Layer& l) {
  if (l.bias && l.param("bias")) return need_param(l, "bias").data;
  return std::vector<float>(size_t(l.out_features), 0.f);
}

int storage_bits(DType d) { return d == DType::I8 ? 8 : d == DType::I16 ? 16 : 32; }
DType storage_for(int wl) { return wl <= 8 ? DType::I8 : DType::I16; }
DType wider(DType a, DType b) { return storage_bits(a) >= storage_bits(b) ? a : b; }

slimrt::OpId op_of(ir::LayerKind k) {
  // LayerKind and OpId are both positions in SLIMRT_OP_LIST.
  return static_cast<int>(k) < slimrt::op_count() ? slimrt::OpId(static_cast<int>(k)) : kNoOp;
}

}  // namespace slimlab::deploy
