// Storage of every value and the Quantize ops between formats (passes.h).
#include <algorithm>
#include <map>
#include <tuple>

#include "deploy/export/passes/passes.h"
#include "train/op_facts.h"

namespace slimlab::deploy::passes {

using ir::LayerKind;
using slimrt::DType;

namespace {

// Layers whose output keeps their input's values (and so its format): in fixed point
// they write their input's format, then requantize to their own.
bool keeps_format(LayerKind k) { return ir::op_facts(k).format == ir::FormatRule::kKeepsInput; }

// Walks the graph in order, building the new layer list: each layer's inputs renamed to
// the values that hold them in the storage it reads, conversions inserted before.
class Chooser {
 public:
  explicit Chooser(ExportGraph& g) : g_(g) {}

  void run() {
    for (ExportLayer& e : g_.layers) choose(std::move(e));
    std::string out = value_of(g_.output);
    const ExportLayer& y = at(out);
    if (y.ann.out.dt != DType::F32) {
      if (y.ann.out.dt == DType::BIN) fail(y.layer, "the model's output cannot be packed bits");
      g_.raw_output = out;
      ExportLayer d;
      d.layer.name = g_.output_name + ".logits";
      d.layer.inputs = {out};
      d.layer.output_shape = tensor_shape(y);
      d.ann.op = slimrt::OpId::Dequantize;
      d.ann.op_name = g_.output_name + ".dequantize";
      push(std::move(d));
      out = g_.output_name + ".logits";
    }
    g_.output = out;
    g_.layers = std::move(out_);
  }

 private:
  const ExportLayer& at(const std::string& v) const { return out_[index_.at(v)]; }
  const ValueFormat& fmt(const std::string& v) const { return at(v).ann.out; }
  std::string value_of(const std::string& layer) const {
    auto it = val_.find(layer);
    if (it == val_.end()) throw std::invalid_argument("export: layer '" + layer + "' has no output tensor");
    return it->second;
  }
  void push(ExportLayer e) {
    index_[e.layer.name] = out_.size();
    val_[e.layer.name] = e.layer.name;
    out_.push_back(std::move(e));
  }

  // The same values in another storage / format: a Quantize op (f32 → fixed, or a
  // requantize fixed → fixed: rounding shift + saturation, as the evaluator's convert).
  std::string convert(const std::string& v, DType dt, int wl, int fl) {
    const ValueFormat f = fmt(v);
    if (f.dt == dt && f.wl == wl && f.fl == fl) return v;
    const auto key = std::make_tuple(v, int(dt), wl, fl);
    if (auto it = converted_.find(key); it != converted_.end()) return it->second;
    const std::string& t = tensor_name(at(v));
    ExportLayer c;
    c.layer.name = t + "@" + slimrt::dtype_name(dt) + "<" + std::to_string(wl) + "," + std::to_string(fl) + ">";
    c.layer.inputs = {v};
    c.layer.output_shape = tensor_shape(at(v));
    c.ann.op = slimrt::OpId::Quantize;
    c.ann.op_name = t + ".requantize";
    c.ann.out = {dt, wl, fl};
    const std::string name = c.layer.name;
    push(std::move(c));
    converted_[key] = name;
    return name;
  }
  std::string widen(const std::string& v, DType dt) {
    const ValueFormat f = fmt(v);
    return convert(v, wider(f.dt, dt), f.wl, f.fl);
  }
  // To the format of layer `l`, keeping the storage when the word fits.
  std::string to_layer_format(const std::string& v, const ir::Layer& l) {
    const ValueFormat f = layer_format(l), x = fmt(v);
    return convert(v, storage_bits(x.dt) >= f.wl ? x.dt : storage_for(f.wl), f.wl, f.fl);
  }
  // Input i (renamed to its value); throws naming the layer when it has none.
  std::string& input(ExportLayer& e, size_t i) {
    if (i >= e.layer.inputs.size()) fail(e.layer, "has no input " + std::to_string(i));
    return e.layer.inputs[i];
  }
  void check_unpacked(const ExportLayer& e, const char* what) {
    if (fmt(e.layer.inputs.at(0)).dt == DType::BIN) fail(e.layer, what);
  }

  void choose(ExportLayer e) {
    for (std::string& in : e.layer.inputs) in = value_of(in);
    const LayerKind k = e.layer.kind;
    if (k == LayerKind::kInput) return input_layer(std::move(e));
    if (e.ann.out_chosen) return push(std::move(e));
    if (k == LayerKind::kDropout) {  // one that changes the format (drop_dropout)
      val_[e.layer.name] = to_layer_format(input(e, 0), e.layer);
      return;
    }
    if (!g_.fixed) {
      if (is_weighted(k)) check_unpacked(e, "reads a packed tensor but has float weights");
      if (k == LayerKind::kBatchNorm) check_unpacked(e, "reads a packed tensor");
      if (keeps_format(k) || !(is_weighted(k) || k == LayerKind::kBatchNorm || k == LayerKind::kGru ||
                               k == LayerKind::kLstm || k == LayerKind::kConcat || two_inputs(k)))
        check_unpacked(e, "cannot read a packed tensor");
      if (two_inputs(k) && e.layer.inputs.size() != 2) fail(e.layer, "slimrt adds exactly two inputs");
      e.ann.out = {DType::F32, 0, 0};
      return push(std::move(e));
    }
    if (is_weighted(k)) return weighted(e);
    if (k == LayerKind::kBatchNorm) return batch_norm(e);
    if (k == LayerKind::kGru || k == LayerKind::kLstm) return recurrent(e);
    if (k == LayerKind::kConcat) return concat(e);
    if (two_inputs(k)) return add(e);  // add, mul, sub, div
    check_unpacked(e, "cannot read a packed tensor");
    if (keeps_format(k)) return same_format(e);
    // A new value in the layer's own format (avg pools, sign, softmax, …).
    const ValueFormat f = layer_format(e.layer);
    input(e, 0) = widen(input(e, 0), storage_for(f.wl));
    e.ann.out = {fmt(input(e, 0)).dt, f.wl, f.fl};
    push(std::move(e));
  }

  void input_layer(ExportLayer e) {
    e.ann.out = {DType::F32, 0, 0};
    e.ann.shape = g_.input_shape;
    const std::string name = e.layer.name;
    const ValueFormat f = g_.fixed ? layer_format(e.layer) : ValueFormat{};
    push(std::move(e));
    if (!g_.fixed) return;
    ExportLayer q;
    q.layer.name = name + ".quantized";
    q.layer.inputs = {name};
    q.layer.output_shape = g_.input_shape;
    q.ann.op = slimrt::OpId::Quantize;
    q.ann.op_name = name + ".quantize";
    q.ann.out = {storage_for(f.wl), f.wl, f.fl};
    push(std::move(q));
    val_[name] = name + ".quantized";
  }

  // Same values out in the input's format (tensor "<name>.raw"), then the layer's format.
  void same_format(ExportLayer& e) {
    e.ann.out = fmt(input(e, 0));
    e.ann.tensor = e.layer.name + ".raw";
    const std::string name = e.layer.name;
    const ir::Layer l = e.layer;
    push(std::move(e));
    val_[name] = to_layer_format(name, l);
  }

  void weighted(ExportLayer& e) {
    const ir::Layer& l = e.layer;
    const ir::Param& wp = need_param(l, "weight");
    const ValueFormat out = layer_format(l), x = fmt(input(e, 0));
    DType S = storage_for(std::max(x.wl, out.wl));
    if (wp.format.precision != ir::Precision::kBinary) {  // binary: ±1 at FL, additions only
      if (wp.format.precision != ir::Precision::kFixed)
        fail(l, std::string("its weight format is ") + ir::to_string(wp.format.precision) +
                    ", not fixed point (calibrate the graph first)");
      S = wider(S, storage_for(wp.format.fixed.word_length()));
    }
    input(e, 0) = widen(input(e, 0), S);
    e.ann.param_dt = S;
    e.ann.out = {wider(fmt(input(e, 0)).dt, storage_for(out.wl)), out.wl, out.fl};
    push(std::move(e));
  }

  void batch_norm(ExportLayer& e) {
    const ir::Param& gp = need_param(e.layer, "weight");
    if (gp.format.precision != ir::Precision::kFixed)
      fail(e.layer, "an unfolded batch norm needs a fixed-point format on its scale ('weight')");
    const ValueFormat out = layer_format(e.layer), x = fmt(input(e, 0));
    const DType S = wider(storage_for(std::max(x.wl, out.wl)), storage_for(gp.format.fixed.word_length()));
    input(e, 0) = widen(input(e, 0), S);
    e.ann.param_dt = S;
    e.ann.out = {S, out.wl, out.fl};
    push(std::move(e));
  }

  void recurrent(ExportLayer& e) {
    const ir::Layer& l = e.layer;
    const ValueFormat h = layer_format(l), x = fmt(input(e, 0));
    e.ann.gate_pre = fixed_format(l, l.gate_preactivation_format, "gate pre-activation");
    e.ann.gate = fixed_format(l, l.gate_format, "gate");
    if (l.kind == LayerKind::kLstm) e.ann.cell = fixed_format(l, l.cell_format, "cell");
    int wl = std::max({x.wl, h.wl, e.ann.gate.wl, e.ann.cell.wl});
    for (const char* n : {"weight_ih_l0", "weight_hh_l0"}) {
      const ir::Param& p = need_param(l, n);
      if (p.format.precision != ir::Precision::kFixed)
        fail(l, "its weight '" + p.name + "' is " + ir::to_string(p.format.precision) + ", not fixed point");
      wl = std::max(wl, p.format.fixed.word_length());
    }
    const DType S = storage_for(wl);
    input(e, 0) = widen(input(e, 0), S);
    e.ann.param_dt = S;
    e.ann.out = {S, h.wl, h.fl};
    push(std::move(e));
  }

  void concat(ExportLayer& e) {
    const ValueFormat f = layer_format(e.layer);
    DType S = storage_for(f.wl);
    for (const std::string& in : e.layer.inputs) S = wider(S, fmt(in).dt);
    for (std::string& in : e.layer.inputs) in = convert(in, S, f.wl, f.fl);
    e.ann.out = {S, f.wl, f.fl};
    push(std::move(e));
  }

  static bool two_inputs(LayerKind k) {
    return k == LayerKind::kAdd || k == LayerKind::kMul || k == LayerKind::kSub || k == LayerKind::kDiv;
  }

  void add(ExportLayer& e) {
    if (e.layer.inputs.size() != 2) fail(e.layer, "slimrt adds exactly two inputs");
    const ValueFormat f = layer_format(e.layer);
    const DType S = wider(wider(fmt(input(e, 0)).dt, fmt(input(e, 1)).dt), storage_for(f.wl));
    input(e, 0) = widen(input(e, 0), S);
    input(e, 1) = widen(input(e, 1), S);
    e.ann.out = {S, f.wl, f.fl};
    push(std::move(e));
  }

  ExportGraph& g_;
  std::vector<ExportLayer> out_;
  std::map<std::string, size_t> index_;     // value → its position in out_
  std::map<std::string, std::string> val_;  // workbench layer → the value that holds its output
  std::map<std::tuple<std::string, int, int, int>, std::string> converted_;
};

}  // namespace

void choose_dtypes(ExportGraph& g) { Chooser(g).run(); }

}  // namespace slimlab::deploy::passes
