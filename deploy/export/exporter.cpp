#include "deploy/export/exporter.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

#include "compress/quant/calibrate.h"
#include "compress/quant/fold_batchnorm.h"
#include "compress/quant/graph_eval.h"
#include "slimrt/bitpack.h"
#include "slimrt/fixed_point.h"
#include "slimrt/writer.h"

namespace slimlab::deploy {

using slimrt::DType;
using slimrt::OpType;
using ir::LayerKind;
namespace quant = compress::quant;
namespace fx = slimrt::fixed;

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

bool is_weighted(LayerKind k) {
  return k == LayerKind::kDense || k == LayerKind::kConv1d || k == LayerKind::kConv2d ||
         k == LayerKind::kDepthwiseConv2d;
}

bool binary_weight(const ir::Layer& l) {
  if (!is_weighted(l.kind)) return false;
  const ir::Param* w = l.param("weight");
  return w && w->format.precision == ir::Precision::kBinary;
}

}  // namespace

GraphPrecision graph_precision(const ir::Graph& g) {
  GraphPrecision p;
  auto word = [&](const ir::NumericFormat& f) {
    if (f.precision == ir::Precision::kFixed) p.max_word_length = std::max(p.max_word_length, f.fixed.word_length());
  };
  for (const ir::Layer& l : g.layers) {
    if (l.activation_format.precision == ir::Precision::kFixed) p.fixed = true;
    word(l.activation_format);
    word(l.gate_preactivation_format);
    word(l.gate_format);
    word(l.cell_format);
    for (const ir::Param& prm : l.params)
      if (prm.name.rfind("weight", 0) == 0) word(prm.format);  // biases are int32 by definition
    p.binary |= binary_weight(l);
    p.sign |= l.kind == LayerKind::kSign;
  }
  return p;
}

namespace {

[[noreturn]] void fail(const ir::Layer& l, const std::string& what) {
  throw std::invalid_argument("export: layer '" + l.name + "' (" + ir::to_string(l.kind) + "): " + what);
}

const ir::Param& need_param(const ir::Layer& l, const std::string& name) {
  const ir::Param* p = l.param(name);
  if (!p) fail(l, "has no parameter '" + name + "'");
  if (p->data.empty() || int64_t(p->data.size()) != p->numel())
    fail(l, "parameter '" + name + "' has no values (a graph taken without weights?)");
  return *p;
}

std::vector<int> ints(const std::vector<int64_t>& v) { return std::vector<int>(v.begin(), v.end()); }

int64_t numel(const std::vector<int64_t>& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

int storage_bits(DType d) { return d == DType::I8 ? 8 : d == DType::I16 ? 16 : 32; }
DType storage_for(int wl) { return wl <= 8 ? DType::I8 : DType::I16; }
DType wider(DType a, DType b) { return storage_bits(a) >= storage_bits(b) ? a : b; }

// One exported value: a tensor of the .slim and, for fixed point, its ⟨WL, FL⟩.
struct Val {
  int t = -1;
  DType dt = DType::F32;
  int wl = 0, fl = 0;
};

struct Fmt {
  int wl = 0, fl = 0;
};

class Exporter {
 public:
  Exporter(const ir::Graph& g, const ExportOptions& o, bool fixed, bool pack_binary, std::vector<std::string> notes)
      : g_(g), o_(o), fixed_(fixed), pack_binary_(pack_binary), notes_(std::move(notes)) {}

  ExportResult run() {
    if (g_.layers.empty() || g_.layers[0].kind != LayerKind::kInput)
      throw std::invalid_argument("export: the graph must start with its input layer");
    for (const auto& l : g_.layers)
      for (const auto& in : l.inputs) {
        ++consumers_[in];
        readers_[in].push_back(&l);
      }
    for (const auto& l : g_.layers)
      if (!skip_.count(l.name)) emit(l);
    Val out = val(g_.layers.back().name);
    ExportResult r;
    if (out.dt != DType::F32) {
      if (out.dt == DType::BIN) fail(g_.layers.back(), "the model's output cannot be packed bits");
      r.raw_output_tensor = out.t;
      r.raw_output_fl = out.fl;
      const int y = w_.add_tensor(g_.layers.back().name + ".logits", DType::F32, w_.tensor(out.t).shape);
      w_.add_op(OpType::Dequantize, g_.layers.back().name + ".dequantize", {out.t}, {y});
      ++ops_;
      out.t = y;
    }
    w_.inputs = {input_};
    w_.outputs = {out.t};
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
  // ---- values and tensors ----
  Val val(const std::string& layer) const {
    auto it = val_.find(layer);
    if (it == val_.end()) throw std::invalid_argument("export: layer '" + layer + "' has no output tensor");
    return it->second;
  }
  Val input(const ir::Layer& l, size_t i = 0) const {
    if (i >= l.inputs.size()) fail(l, "has no input " + std::to_string(i));
    return val(l.inputs[i]);
  }
  const std::vector<int64_t>& shape_of(const Val& v) const { return w_.tensor(v.t).shape; }

  Fmt fmt_of(const ir::Layer& l) const {
    const ir::NumericFormat& f = l.activation_format;
    if (f.precision != ir::Precision::kFixed)
      fail(l, std::string("its output format is ") + ir::to_string(f.precision) +
                  ", not fixed point (a fixed-point export needs every layer calibrated)");
    return {f.fixed.word_length(), f.fixed.fl};
  }

  Val new_val(const std::string& name, DType dt, std::vector<int64_t> shape, int wl = 0, int fl = 0) {
    Val v;
    v.dt = dt;
    v.wl = wl;
    v.fl = fl;
    v.t = w_.add_tensor(name, dt, std::move(shape), fl, wl);
    return v;
  }
  Val float_val(const ir::Layer& l) { return new_val(l.name, DType::F32, l.output_shape); }
  // The layer's output in fixed point, stored in at least `dt`.
  Val fixed_val(const ir::Layer& l, DType dt, const std::vector<int64_t>& shape) {
    const Fmt f = fmt_of(l);
    return new_val(l.name, wider(dt, storage_for(f.wl)), shape, f.wl, f.fl);
  }

  // The same values in another storage / format: a Quantize op (f32 → fixed, or a
  // requantize fixed → fixed: rounding shift + saturation, as the evaluator's convert).
  Val convert(const Val& v, DType dt, int wl, int fl) {
    if (v.dt == dt && v.wl == wl && v.fl == fl) return v;
    const auto key = std::make_tuple(v.t, int(dt), wl, fl);
    if (auto it = converted_.find(key); it != converted_.end()) return it->second;
    const std::string& name = w_.tensor(v.t).name;
    Val y = new_val(name + "@" + slimrt::dtype_name(dt) + "<" + std::to_string(wl) + "," + std::to_string(fl) + ">", dt,
                    shape_of(v), wl, fl);
    raw_op(OpType::Quantize, name + ".requantize", {v.t}, y);
    converted_[key] = y;
    return y;
  }
  Val widen(const Val& v, DType dt) { return convert(v, wider(v.dt, dt), v.wl, v.fl); }
  // To the format of layer `l`, keeping the storage when the word fits.
  Val to_layer_format(const Val& v, const ir::Layer& l) {
    const Fmt f = fmt_of(l);
    const DType dt = storage_bits(v.dt) >= f.wl ? v.dt : storage_for(f.wl);
    return convert(v, dt, f.wl, f.fl);
  }

  // An op that is not a layer's own (conversions, reshapes around it): nothing fuses into it.
  slimrt::OpDesc& raw_op(OpType t, const std::string& name, std::vector<int> in, const Val& out) {
    slimrt::OpDesc& op = w_.add_op(t, name, std::move(in), {out.t});
    ++ops_;
    last_op_ = nullptr;  // add_op's references die with the next add_op
    last_op_output_ = -1;
    return op;
  }

  slimrt::OpDesc& add_op(OpType t, const ir::Layer& l, std::vector<int> in, const Val& out) {
    slimrt::OpDesc& op = w_.add_op(t, l.name, std::move(in), {out.t});
    val_[l.name] = out;
    last_op_ = &op;
    last_op_output_ = out.t;
    single_reader_[l.name] = consumers_[l.name] == 1;
    ++ops_;
    return op;
  }
  void alias(const ir::Layer& l, const Val& v) {
    val_[l.name] = v;
    single_reader_[l.name] = single_reader_[l.inputs.at(0)] && consumers_[l.name] == 1;
  }

  // ---- constants ----
  int add_fixed(const std::string& name, DType dt, const std::vector<int64_t>& shape, const std::vector<float>& v,
                int wl, int fl) {
    if (dt == DType::I8) {
      std::vector<int8_t> q(v.size());
      for (size_t i = 0; i < v.size(); ++i) q[i] = int8_t(fx::quantize(double(v[i]), wl, fl));
      return w_.add_constant(name, dt, shape, q.data(), q.size(), fl, wl);
    }
    std::vector<int16_t> q(v.size());
    for (size_t i = 0; i < v.size(); ++i) q[i] = int16_t(fx::quantize(double(v[i]), wl, fl));
    return w_.add_constant(name, dt, shape, q.data(), q.size() * 2, fl, wl);
  }
  int add_bias(const std::string& name, const std::vector<float>& b, int fl_acc) {
    std::vector<int32_t> q(b.size());
    for (size_t i = 0; i < b.size(); ++i) q[i] = fx::quantize_bias(double(b[i]), fl_acc);
    return w_.add_i32(name, {int64_t(b.size())}, q, fl_acc);
  }
  // Rows of ±1 (the signs of `rows` × `per` values) packed as bitpack.h does.
  int add_packed(const std::string& name, std::vector<int64_t> shape, const std::vector<float>& v, size_t rows,
                 size_t per, int fl = 0) {
    const size_t words = slimrt::bits::words_for(per);
    std::vector<uint64_t> packed(rows * words, 0);
    for (size_t r = 0; r < rows; ++r) slimrt::bits::pack_row(v.data() + r * per, per, packed.data() + r * words);
    return w_.add_constant(name, DType::BIN, std::move(shape), packed.data(), packed.size() * 8, fl);
  }
  // |w| of binary weights: ±H, H per layer (a scale per output row).
  std::vector<float> binary_scale(const ir::Layer& l, const std::vector<float>& w, size_t rows, size_t per) const {
    std::vector<float> s(rows);
    for (size_t r = 0; r < rows; ++r) {
      s[r] = std::fabs(w[r * per]);
      for (size_t i = 0; i < per; ++i)
        if (std::fabs(std::fabs(w[r * per + i]) - s[r]) > 1e-6f * s[r])
          fail(l, "its binary weights are not ±H (|w| differs within output " + std::to_string(r) + ")");
    }
    return s;
  }
  std::vector<float> bias_or_zero(const ir::Layer& l) const {
    if (l.bias && l.param("bias")) return need_param(l, "bias").data;
    return std::vector<float>(size_t(l.out_features), 0.f);
  }

  // ---- fusion ----
  // A ReLU / ReLU6 straight after the last op we wrote, whose only reader it is, fuses
  // into it (fixed point: when it keeps its input's format, as calibration makes it).
  bool try_fuse(const ir::Layer& l, slimrt::fb::Activation a) {
    const std::string& src = l.inputs.at(0);
    if (!single_reader_[src] || !last_op_) return false;
    slimrt::OpDesc& op = *last_op_;
    const Val x = val(src);
    if (last_op_output_ != x.t || op.activation != slimrt::fb::Activation::None) return false;
    if (op.type != OpType::Dense && op.type != OpType::Conv1d && op.type != OpType::Conv2d &&
        op.type != OpType::DepthwiseConv2d && op.type != OpType::Add)
      return false;
    if (x.dt == DType::BIN) return false;
    // A BNN op (packed input): its XOR + popcount kernels have no fused activation, so a
    // ReLU fused there would be dropped silently (a trained BNN LeNet-5 lost 0.956 → 0.574).
    if (!op.inputs.empty() && op.inputs[0] >= 0 && w_.tensor(op.inputs[0]).dtype == DType::BIN) return false;
    if (fixed_) {
      const Fmt f = fmt_of(l);
      if (f.wl != x.wl || f.fl != x.fl) return false;
    }
    op.activation = a;
    val_[l.name] = x;
    single_reader_[l.name] = consumers_[l.name] == 1;
    notes_.push_back(std::string("'") + l.name + "' fused into '" + op.name + "'");
    return true;
  }

  void set_window(slimrt::OpDesc& op, const ir::Layer& l) {
    op.kernel = ints(l.kernel);
    op.stride = ints(l.stride);
    op.padding = ints(l.padding);
    op.dilation = ints(l.dilation);
    op.groups = int(l.groups);
  }

  // ---- weighted layers ----
  void weighted(const ir::Layer& l, OpType t) {
    const ir::Param& wp = need_param(l, "weight");
    const bool binary = wp.format.precision == ir::Precision::kBinary;
    const size_t rows = size_t(wp.shape.at(0)), per = wp.data.size() / rows;
    Val x = input(l);
    if (binary && x.dt == DType::BIN) return bnn(l, t, wp);
    if (fixed_) {
      const Fmt out = fmt_of(l);
      int fl_w = 0;
      int w_tensor = -1;
      DType S = storage_for(std::max(x.wl, out.wl));
      if (binary) {
        // BinaryConnect with fixed-point activations: ±1 at FL (±2^−FL, additions only).
        fl_w = wp.format.fixed.fl;
        x = widen(x, S);
        w_tensor = add_packed(l.name + ".weight", {int64_t(rows), int64_t(per)}, wp.data, rows, per, fl_w);
      } else {
        if (wp.format.precision != ir::Precision::kFixed)
          fail(l, std::string("its weight format is ") + ir::to_string(wp.format.precision) +
                      ", not fixed point (calibrate the graph first)");
        const int wl_w = wp.format.fixed.word_length();
        fl_w = wp.format.fixed.fl;
        S = wider(S, storage_for(wl_w));
        x = widen(x, S);
        w_tensor = add_fixed(l.name + ".weight", S, wp.shape, wp.data, wl_w, fl_w);
      }
      std::vector<int> in{x.t, w_tensor};
      if (l.bias && l.param("bias")) in.push_back(add_bias(l.name + ".bias", need_param(l, "bias").data, x.fl + fl_w));
      slimrt::OpDesc& op = add_op(t, l, std::move(in), fixed_val(l, x.dt, l.output_shape));
      if (t != OpType::Dense) set_window(op, l);
      return;
    }
    if (x.dt != DType::F32) fail(l, "reads a packed tensor but has float weights");
    std::vector<int> in{x.t};
    if (binary) {
      // BinaryConnect, float activations: packed signs and the scale H per output.
      in.push_back(add_packed(l.name + ".weight", {int64_t(rows), int64_t(per)}, wp.data, rows, per));
      const std::vector<float> scale = binary_scale(l, wp.data, rows, per);
      in.push_back(w_.add_f32(l.name + ".bias", {int64_t(rows)}, bias_or_zero(l)));
      in.push_back(w_.add_f32(l.name + ".scale", {int64_t(rows)}, scale));
    } else {
      in.push_back(w_.add_f32(l.name + ".weight", wp.shape, wp.data));
      if (l.bias && l.param("bias")) {
        const auto& b = need_param(l, "bias").data;
        in.push_back(w_.add_f32(l.name + ".bias", {int64_t(b.size())}, b));
      }
    }
    slimrt::OpDesc& op = add_op(t, l, std::move(in), float_val(l));
    if (t != OpType::Dense) set_window(op, l);
  }

  // A binary layer whose input is packed signs (BNN): XOR + popcount. When its output
  // reaches a packed sign through batch norms / ReLUs / dropout (and, for conv, one
  // max pool), that chain folds into per-channel thresholds on the integer dot.
  void bnn(const ir::Layer& l, OpType t, const ir::Param& wp) {
    if (t != OpType::Dense && t != OpType::Conv2d) fail(l, "binary inputs need a dense or conv2d layer");
    const Val x = input(l);
    const size_t O = size_t(l.out_features), per = wp.data.size() / O;
    const std::vector<float> H = binary_scale(l, wp.data, O, per);
    const std::vector<float> b = bias_or_zero(l);
    int w_tensor;
    if (t == OpType::Dense) {
      w_tensor = add_packed(l.name + ".weight", {int64_t(O), int64_t(per)}, wp.data, O, per);
    } else {
      // [O, C, kh, kw] → [O, kh, kw, C]: packed along the input channels per tap.
      const int64_t C = wp.shape[1], kh = wp.shape[2], kw = wp.shape[3];
      std::vector<float> hwc(wp.data.size());
      for (int64_t o = 0; o < int64_t(O); ++o)
        for (int64_t c = 0; c < C; ++c)
          for (int64_t y = 0; y < kh; ++y)
            for (int64_t z = 0; z < kw; ++z)
              hwc[size_t(((o * kh + y) * kw + z) * C + c)] = wp.data[size_t(((o * C + c) * kh + y) * kw + z)];
      w_tensor = add_packed(l.name + ".weight", {int64_t(O), kh, kw, C}, hwc, size_t(O * kh * kw), size_t(C));
    }
    const int64_t fan_in = int64_t(per);

    // The chain to a packed sign.
    std::vector<const ir::Layer*> chain;
    const ir::Layer* sign = nullptr;
    const ir::Layer* pool = nullptr;
    for (const ir::Layer* cur = &l;;) {
      const auto it = readers_.find(cur->name);
      if (it == readers_.end() || it->second.size() != 1) break;
      const ir::Layer* r = it->second[0];
      if (r->kind == LayerKind::kSign) {
        if (packs(*r)) sign = r;
        break;
      }
      if (r->kind == LayerKind::kMaxPool2d && t == OpType::Conv2d && !pool) {
        pool = r;
      } else if (r->kind != LayerKind::kBatchNorm && r->kind != LayerKind::kRelu && r->kind != LayerKind::kDropout) {
        break;
      }
      chain.push_back(r);
      cur = r;
    }
    std::vector<float> thresholds;
    if (sign) thresholds = fold_thresholds(l, chain, H, b, fan_in, pool != nullptr);
    std::vector<int> in{x.t, w_tensor};
    if (thresholds.empty()) {
      in.push_back(w_.add_f32(l.name + ".scale", {int64_t(O)}, H));
      in.push_back(w_.add_f32(l.name + ".bias", {int64_t(O)}, b));
      slimrt::OpDesc& op = add_op(t, l, std::move(in), float_val(l));
      if (t != OpType::Dense) set_window(op, l);
      last_op_ = nullptr;  // BNN kernels have no fused activation: a ReLU stays an op
      return;
    }
    in.push_back(w_.add_f32(l.name + ".thresholds", {int64_t(O), 3}, thresholds));
    std::vector<int64_t> shape = l.output_shape;  // [O] or [O, OH, OW] → packed [OH, OW, O]
    if (shape.size() == 3) shape = {shape[1], shape[2], shape[0]};
    slimrt::OpDesc& op = add_op(t, l, std::move(in), new_val(l.name, DType::BIN, shape));
    if (t != OpType::Dense) set_window(op, l);
    std::string what = "'" + l.name + "'";
    for (const ir::Layer* c : chain) {
      skip_.insert(c->name);
      what += " → '" + c->name + "'";
    }
    if (pool) {
      const std::vector<int64_t>& ps = pool->output_shape;
      Val y = new_val(pool->name, DType::BIN, {ps[1], ps[2], ps[0]});
      slimrt::OpDesc& pop = add_op(OpType::MaxPool2d, *pool, {val(l.name).t}, y);
      pop.kernel = ints(pool->kernel);
      pop.stride = ints(pool->stride.empty() ? pool->kernel : pool->stride);
      pop.padding = ints(pool->padding);
    }
    skip_.insert(sign->name);
    val_[sign->name] = val(pool ? pool->name : l.name);
    notes_.push_back(what + " → '" + sign->name + "' folded into per-channel thresholds (packed output)");
  }

  // Per output channel: sign(chain(b + H·acc)) as a threshold on the integer acc ∈ [−n, n],
  // found by evaluating the chain (in double, as the reference evaluator) at every acc.
  // Empty when some channel is not monotone (or, with a max pool, not non-decreasing).
  std::vector<float> fold_thresholds(const ir::Layer& l, const std::vector<const ir::Layer*>& chain,
                                     const std::vector<float>& H, const std::vector<float>& b, int64_t n,
                                     bool has_pool) const {
    if (n > (int64_t(1) << 20)) return {};
    const size_t O = H.size();
    std::vector<float> out(O * 3);
    std::vector<char> pos(size_t(2 * n + 1));
    for (size_t c = 0; c < O; ++c) {
      for (int64_t a = -n; a <= n; ++a) {
        double v = double(b[c]) + double(H[c]) * double(a);
        for (const ir::Layer* r : chain) {
          if (r->kind == LayerKind::kRelu) {
            v = v > 0 ? v : 0.0;
          } else if (r->kind == LayerKind::kBatchNorm) {
            const auto& g = need_param(*r, "weight").data;
            if (g.size() != O) return {};
            const double s = double(g[c]) / std::sqrt(double(need_param(*r, "running_var").data[c]) + quant::kBatchNormEps);
            v = (v - double(need_param(*r, "running_mean").data[c])) * s + double(need_param(*r, "bias").data[c]);
          }
        }
        pos[size_t(a + n)] = v >= 0 ? 1 : 0;
      }
      const size_t first_pos = size_t(std::find(pos.begin(), pos.end(), 1) - pos.begin());
      const size_t last_pos = pos.size() - 1 - size_t(std::find(pos.rbegin(), pos.rend(), 1) - pos.rbegin());
      float thr = 0, dir = 0, cst = 1;
      if (first_pos == pos.size()) {
        cst = -1;
      } else if (first_pos == 0 && last_pos == pos.size() - 1 &&
                 std::all_of(pos.begin(), pos.end(), [](char p) { return p == 1; })) {
        cst = 1;
      } else if (last_pos == pos.size() - 1 && std::all_of(pos.begin() + long(first_pos), pos.end(), [](char p) { return p == 1; })) {
        dir = 1;
        thr = float(int64_t(first_pos) - n);
      } else if (first_pos == 0 && std::all_of(pos.begin(), pos.begin() + long(last_pos) + 1, [](char p) { return p == 1; })) {
        if (has_pool) return {};  // max of a decreasing function is not the function of the max
        dir = -1;
        thr = float(int64_t(last_pos) - n);
      } else {
        (void)l;
        return {};
      }
      out[c * 3] = thr;
      out[c * 3 + 1] = dir;
      out[c * 3 + 2] = cst;
    }
    return out;
  }

  // Whether a sign layer's output is packed: binary export, float activations, and
  // every reader a binary dense (1-D input) or conv2d (groups 1, [C, H, W] input).
  bool packs(const ir::Layer& sign) const {
    if (!pack_binary_ || fixed_) return false;
    const auto it = readers_.find(sign.name);
    if (it == readers_.end() || it->second.empty()) return false;
    for (const ir::Layer* r : it->second) {
      if (!binary_weight(*r) || r->inputs.at(0) != sign.name) return false;
      if (r->kind == LayerKind::kDense && sign.output_shape.size() == 1) continue;
      if (r->kind == LayerKind::kConv2d && r->groups == 1 && sign.output_shape.size() == 3) continue;
      return false;
    }
    return true;
  }

  // ---- batch norm that could not be folded ----
  void batch_norm(const ir::Layer& l) {
    const auto& gamma = need_param(l, "weight").data;
    const auto& beta = need_param(l, "bias").data;
    const auto& mean = need_param(l, "running_mean").data;
    const auto& var = need_param(l, "running_var").data;
    const int64_t C = int64_t(gamma.size());
    std::vector<float> s(gamma.size()), t(gamma.size());
    for (size_t c = 0; c < gamma.size(); ++c) {
      const double k = double(gamma[c]) / std::sqrt(double(var[c]) + quant::kBatchNormEps);
      s[c] = float(k);
      t[c] = float(double(beta[c]) - double(mean[c]) * k);
    }
    Val x = input(l);
    if (!fixed_) {
      if (x.dt != DType::F32) fail(l, "reads a packed tensor");
      add_op(OpType::Scale, l, {x.t, w_.add_f32(l.name + ".scale", {C}, s), w_.add_f32(l.name + ".shift", {C}, t)},
             float_val(l));
      notes_.push_back("batch norm '" + l.name + "' kept as a per-channel scale (nothing to fold into)");
      return;
    }
    // Fixed point (the evaluator's rule): y = requantize(x·s_q + t_q, fl_x + fl_s) with
    // s_q in the BN weight's format and t_q an int32 at fl_x + fl_s — exactly a
    // depthwise 1×1 convolution over [C, inner].
    const ir::Param& gp = need_param(l, "weight");
    if (gp.format.precision != ir::Precision::kFixed)
      fail(l, "an unfolded batch norm needs a fixed-point format on its scale ('weight')");
    const int wl_s = gp.format.fixed.word_length(), fl_s = gp.format.fixed.fl;
    const Fmt out = fmt_of(l);
    const DType S = wider(storage_for(std::max(x.wl, out.wl)), storage_for(wl_s));
    x = widen(x, S);
    const std::vector<int64_t>& in_shape = shape_of(x);
    const int64_t inner = numel(in_shape) / C;
    Val x2 = x;
    if (in_shape.size() != 2) {
      x2 = new_val(l.name + ".as_channels", S, {C, inner}, x.wl, x.fl);
      raw_op(OpType::Reshape, l.name + ".as_channels", {x.t}, x2);
    }
    // s and t exactly as the evaluator computes them: in double, quantized once.
    std::vector<int16_t> sq(static_cast<size_t>(C));
    std::vector<int32_t> tq(static_cast<size_t>(C));
    for (size_t c = 0; c < size_t(C); ++c) {
      const double k = double(gamma[c]) / std::sqrt(double(var[c]) + quant::kBatchNormEps);
      sq[c] = int16_t(fx::quantize(k, wl_s, fl_s));
      tq[c] = fx::quantize_bias(double(beta[c]) - double(mean[c]) * k, x.fl + fl_s);
    }
    int wt;
    if (S == DType::I8) {
      std::vector<int8_t> s8(sq.begin(), sq.end());
      wt = w_.add_constant(l.name + ".scale", S, {C, 1, 1}, s8.data(), s8.size(), fl_s, wl_s);
    } else {
      wt = w_.add_constant(l.name + ".scale", S, {C, 1, 1}, sq.data(), sq.size() * 2, fl_s, wl_s);
    }
    const int bt = w_.add_i32(l.name + ".shift", {C}, tq, x.fl + fl_s);
    Val y = new_val(in_shape.size() != 2 ? l.name + ".channels" : l.name, S, {C, inner}, out.wl, out.fl);
    slimrt::OpDesc& op = raw_op(OpType::Conv1d, l.name, {x2.t, wt, bt}, y);
    op.kernel = {1};
    op.stride = {1};
    op.padding = {0};
    op.dilation = {1};
    op.groups = int(C);
    if (in_shape.size() != 2) {
      Val z = new_val(l.name, S, l.output_shape, out.wl, out.fl);
      add_op(OpType::Reshape, l, {y.t}, z);
    } else {
      val_[l.name] = y;
      last_op_ = &op;
      last_op_output_ = y.t;
      single_reader_[l.name] = consumers_[l.name] == 1;
    }
    notes_.push_back("batch norm '" + l.name + "' kept as a fixed-point per-channel affine (nothing to fold into)");
  }

  // ---- recurrent ----
  void recurrent(const ir::Layer& l) {
    const OpType t = l.kind == LayerKind::kGru ? OpType::Gru : OpType::Lstm;
    Val x = input(l);
    const char* names[2] = {"weight_ih_l0", "weight_hh_l0"};
    std::vector<int> in;
    if (!fixed_) {
      in.push_back(x.t);
      for (const char* n : names) {
        const ir::Param& p = need_param(l, n);
        in.push_back(w_.add_f32(l.name + "." + n, p.shape, p.data));
      }
      for (const char* n : {"bias_ih_l0", "bias_hh_l0"}) {
        const ir::Param* p = l.param(n);
        in.push_back(l.bias && p && !p->data.empty() ? w_.add_f32(l.name + "." + n, p->shape, p->data) : -1);
      }
      add_op(t, l, std::move(in), float_val(l));
      return;
    }
    const Fmt h = fmt_of(l);
    auto format = [&](const ir::NumericFormat& f, const char* what) {
      if (f.precision != ir::Precision::kFixed) fail(l, std::string("has no fixed-point ") + what + " format");
      return Fmt{f.fixed.word_length(), f.fixed.fl};
    };
    const Fmt pre = format(l.gate_preactivation_format, "gate pre-activation");
    const Fmt gate = format(l.gate_format, "gate");
    const Fmt cell = t == OpType::Lstm ? format(l.cell_format, "cell") : Fmt{0, 0};
    const ir::Param& wih = need_param(l, names[0]);
    const ir::Param& whh = need_param(l, names[1]);
    for (const ir::Param* p : {&wih, &whh})
      if (p->format.precision != ir::Precision::kFixed)
        fail(l, "its weight '" + p->name + "' is " + ir::to_string(p->format.precision) + ", not fixed point");
    int wl_max = std::max({x.wl, h.wl, gate.wl, cell.wl, wih.format.fixed.word_length(), whh.format.fixed.word_length()});
    const DType S = storage_for(wl_max);
    x = widen(x, S);
    in.push_back(x.t);
    in.push_back(add_fixed(l.name + ".weight_ih_l0", S, wih.shape, wih.data, wih.format.fixed.word_length(), wih.format.fixed.fl));
    in.push_back(add_fixed(l.name + ".weight_hh_l0", S, whh.shape, whh.data, whh.format.fixed.word_length(), whh.format.fixed.fl));
    const ir::Param* bih = l.param("bias_ih_l0");
    const ir::Param* bhh = l.param("bias_hh_l0");
    in.push_back(l.bias && bih ? add_bias(l.name + ".bias_ih_l0", need_param(l, "bias_ih_l0").data, x.fl + wih.format.fixed.fl) : -1);
    in.push_back(l.bias && bhh ? add_bias(l.name + ".bias_hh_l0", need_param(l, "bias_hh_l0").data, h.fl + whh.format.fixed.fl) : -1);
    slimrt::OpDesc& op = add_op(t, l, std::move(in), new_val(l.name, S, l.output_shape, h.wl, h.fl));
    op.gate_fl = gate.fl;
    op.gate_wl = gate.wl;
    op.pre_fl = pre.fl;
    op.pre_wl = pre.wl;
    if (t == OpType::Lstm) {
      op.cell_fl = cell.fl;
      op.cell_wl = cell.wl;
    }
  }

  // ---- value-preserving ops: same format out, then the layer's format ----
  void same_format_op(const ir::Layer& l, OpType t, const std::function<void(slimrt::OpDesc&)>& attrs = {}) {
    const Val x = input(l);
    if (x.dt == DType::BIN) fail(l, "cannot read a packed tensor");
    Val y = new_val(fixed_ ? l.name + ".raw" : l.name, x.dt, l.output_shape, x.wl, x.fl);
    slimrt::OpDesc& op = add_op(t, l, {x.t}, y);
    if (attrs) attrs(op);
    if (fixed_) val_[l.name] = to_layer_format(y, l);
  }
  // Ops computing a new value into the layer's own format (avg pools, sign, softmax).
  void new_format_op(const ir::Layer& l, OpType t, const std::function<void(slimrt::OpDesc&)>& attrs = {}) {
    Val x = input(l);
    if (x.dt == DType::BIN) fail(l, "cannot read a packed tensor");
    Val y;
    if (fixed_) {
      const Fmt f = fmt_of(l);
      x = widen(x, storage_for(f.wl));
      y = new_val(l.name, x.dt, l.output_shape, f.wl, f.fl);
    } else {
      y = float_val(l);
    }
    slimrt::OpDesc& op = add_op(t, l, {x.t}, y);
    if (attrs) attrs(op);
  }

  void emit(const ir::Layer& l) {
    switch (l.kind) {
      case LayerKind::kInput: {
        const Val x = new_val(l.name, DType::F32, g_.input_shape);
        input_ = x.t;
        val_[l.name] = x;
        if (fixed_) {
          const Fmt f = fmt_of(l);
          const Val q = new_val(l.name + ".quantized", storage_for(f.wl), g_.input_shape, f.wl, f.fl);
          raw_op(OpType::Quantize, l.name + ".quantize", {x.t}, q);
          val_[l.name] = q;
        }
        return;
      }
      case LayerKind::kDense: return weighted(l, OpType::Dense);
      case LayerKind::kConv1d: return weighted(l, OpType::Conv1d);
      case LayerKind::kConv2d: return weighted(l, OpType::Conv2d);
      case LayerKind::kDepthwiseConv2d: return weighted(l, OpType::DepthwiseConv2d);
      case LayerKind::kMaxPool1d: case LayerKind::kMaxPool2d: {
        const OpType t = l.kind == LayerKind::kMaxPool1d ? OpType::MaxPool1d : OpType::MaxPool2d;
        return same_format_op(l, t, [&](slimrt::OpDesc& op) {
          op.kernel = ints(l.kernel);
          op.stride = ints(l.stride.empty() ? l.kernel : l.stride);
          op.padding = ints(l.padding);
        });
      }
      case LayerKind::kAvgPool2d:
        return new_format_op(l, OpType::AvgPool2d, [&](slimrt::OpDesc& op) {
          op.kernel = ints(l.kernel);
          op.stride = ints(l.stride.empty() ? l.kernel : l.stride);
          op.padding = ints(l.padding);
        });
      case LayerKind::kGlobalAvgPool: return new_format_op(l, OpType::GlobalAvgPool);
      case LayerKind::kMeanOverTime: return new_format_op(l, OpType::MeanOverTime);
      case LayerKind::kBatchNorm: return batch_norm(l);
      case LayerKind::kGru: case LayerKind::kLstm: return recurrent(l);
      case LayerKind::kRelu:
        if (try_fuse(l, slimrt::fb::Activation::Relu)) return;
        return same_format_op(l, OpType::Relu);
      case LayerKind::kRelu6:
        if (try_fuse(l, slimrt::fb::Activation::Relu6)) return;
        return same_format_op(l, OpType::Relu6);
      case LayerKind::kHardTanh:
        return same_format_op(l, OpType::HardTanh, [&](slimrt::OpDesc& op) {
          op.min_value = l.min_value;
          op.max_value = l.max_value;
        });
      case LayerKind::kSign: {
        if (packs(l)) {
          const Val x = input(l);
          std::vector<int64_t> shape(l.output_shape.begin() + 1, l.output_shape.end());
          shape.push_back(l.output_shape[0]);
          add_op(OpType::Sign, l, {x.t}, new_val(l.name, DType::BIN, shape));
          return;
        }
        return new_format_op(l, OpType::Sign);
      }
      case LayerKind::kSoftmax: return new_format_op(l, OpType::Softmax);
      case LayerKind::kDropout: {
        alias(l, input(l));
        if (fixed_) val_[l.name] = to_layer_format(val(l.name), l);
        return;
      }
      case LayerKind::kFlatten: case LayerKind::kReshape: return same_format_op(l, OpType::Reshape);
      case LayerKind::kConcat: {
        std::vector<int> in;
        Val y;
        if (fixed_) {
          const Fmt f = fmt_of(l);
          DType S = storage_for(f.wl);
          for (size_t i = 0; i < l.inputs.size(); ++i) S = wider(S, input(l, i).dt);
          for (size_t i = 0; i < l.inputs.size(); ++i) in.push_back(convert(input(l, i), S, f.wl, f.fl).t);
          y = new_val(l.name, S, l.output_shape, f.wl, f.fl);
        } else {
          for (size_t i = 0; i < l.inputs.size(); ++i) in.push_back(input(l, i).t);
          y = float_val(l);
        }
        add_op(OpType::Concat, l, std::move(in), y).axis = int(l.axis);
        return;
      }
      case LayerKind::kAdd: {
        if (l.inputs.size() != 2) fail(l, "slimrt adds exactly two inputs");
        Val a = input(l, 0), b = input(l, 1);
        Val y;
        if (fixed_) {
          const Fmt f = fmt_of(l);
          const DType S = wider(wider(a.dt, b.dt), storage_for(f.wl));
          a = widen(a, S);
          b = widen(b, S);
          y = new_val(l.name, S, l.output_shape, f.wl, f.fl);
        } else {
          y = float_val(l);
        }
        add_op(OpType::Add, l, {a.t, b.t}, y);
        return;
      }
      case LayerKind::kSlice:
        return same_format_op(l, OpType::Slice, [&](slimrt::OpDesc& op) {
          op.axis = int(l.axis);
          op.begin = int(l.begin);
          op.end = int(l.end);
        });
      case LayerKind::kTranspose:
        return same_format_op(l, OpType::Transpose, [&](slimrt::OpDesc& op) { op.perm = ints(l.perm); });
    }
    fail(l, "has no slimrt op");
  }

  const ir::Graph& g_;
  const ExportOptions& o_;
  const bool fixed_;        // fixed-point activations (int8 / int16, or binary weights with them)
  const bool pack_binary_;  // binary export: pack sign activations for BNN layers
  slimrt::ModelWriter w_;
  std::map<std::string, Val> val_;
  std::map<std::string, int> consumers_;
  std::map<std::string, std::vector<const ir::Layer*>> readers_;
  std::map<std::tuple<int, int, int, int>, Val> converted_;
  std::set<std::string> skip_;  // layers folded into an earlier op
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
  const GraphPrecision gp = graph_precision(graph);
  ir::Graph g = graph;
  std::vector<std::string> notes;
  bool fixed = false, quantized = false;
  auto fold = [&] {
    for (const std::string& bn : quant::fold_batchnorm(g)) notes.push_back("batch norm '" + bn + "' folded into the layer before it");
  };
  switch (options.precision) {
    case ExportPrecision::kFp32:
      fold();
      if (gp.fixed || gp.binary)
        notes.push_back(std::string("the model's ") + (gp.binary ? "binary" : "fixed-point") +
                        " weights are written as their float values (export with --precision " +
                        (gp.binary ? "binary" : "int8 / int16") + " to run them as such)");
      break;
    case ExportPrecision::kInt8:
    case ExportPrecision::kInt16: {
      const int bits = options.precision == ExportPrecision::kInt8 ? 8 : 16;
      if (gp.fixed) {
        if (gp.max_word_length > bits)
          throw std::invalid_argument("export: the model carries " + std::to_string(gp.max_word_length) +
                                      "-bit fixed-point formats (its fixed_point stage); export it as int16");
        notes.push_back("fixed-point formats taken from the model (its fixed_point stage)");
      } else {
        if (!options.calibration || options.calibration_samples <= 0)
          throw std::invalid_argument(std::string("export: the model is float; a ") + to_string(options.precision) +
                                      " export quantizes it post-training and needs calibration samples "
                                      "(slimlab export rebuilds the run's training data for them)");
        const int64_t n = std::min<int64_t>(options.calibration_samples, 512);
        quant::FixedPointSpec spec;
        spec.weight_bits = spec.activation_bits = spec.state_bits = bits;
        g = quant::quantize_post_training(graph, spec, options.calibration, n);
        quantized = true;
        notes.push_back("quantized post-training at export: " + std::to_string(bits) + "-bit weights, activations and "
                        "state, ranges calibrated on " + std::to_string(n) + " training samples");
      }
      fixed = true;
      break;
    }
    case ExportPrecision::kBinary:
      if (!gp.binary)
        throw std::invalid_argument(
            "export: --precision binary needs binary weights, and this model's are not (run a binaryconnect or bnn "
            "stage first)");
      fixed = gp.fixed;
      if (!fixed) fold();
      break;
  }
  // The evaluator's constructor checks every format a fixed-point graph needs, naming the layer.
  if (fixed) quant::FixedPointEvaluator check(g);
  ExportResult r = Exporter(g, options, fixed, options.precision == ExportPrecision::kBinary, notes).run();
  r.graph = std::move(g);
  r.quantized_at_export = quantized;
  return r;
}

ExportResult export_graph_file(const ir::Graph& graph, const ExportOptions& options, const std::filesystem::path& path) {
  ExportResult r = export_graph(graph, options);
  slimrt::ModelWriter::write_bytes(path.string(), r.bytes);
  return r;
}

}  // namespace slimlab::deploy
