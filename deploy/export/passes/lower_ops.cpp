// Every layer's op and constant operands (passes.h).
#include "compress/quant/fold_requant.h"
#include "deploy/export/passes/passes.h"
#include "slimrt/fixed_point.h"

namespace slimlab::deploy::passes {

using ir::LayerKind;
using slimrt::DType;
using slimrt::OpId;
namespace fx = slimrt::fixed;

namespace {

Constant f32(std::string name, std::vector<int64_t> shape, std::vector<float> v) {
  Constant c = make_constant(std::move(name), DType::F32, std::move(shape));
  c.values = std::move(v);
  return c;
}

// Values quantized to ⟨wl, fl⟩ in `dt` storage.
Constant fixed(std::string name, DType dt, std::vector<int64_t> shape, const std::vector<float>& v, int wl, int fl) {
  Constant c = make_constant(std::move(name), dt, std::move(shape), fl, wl);
  for (float x : v) c.ints.push_back(fx::quantize(double(x), wl, fl));
  return c;
}

// A bias as int32 at the accumulator's FL.
Constant bias(std::string name, const std::vector<float>& b, int fl_acc) {
  Constant c = make_constant(std::move(name), DType::I32, {int64_t(b.size())}, fl_acc);
  for (float x : b) c.ints.push_back(fx::quantize_bias(double(x), fl_acc));
  return c;
}

// The signs of `v` packed in rows of `per`.
Constant packed(std::string name, std::vector<int64_t> shape, std::vector<float> v, size_t per, int fl = 0) {
  Constant c = make_constant(std::move(name), DType::BIN, std::move(shape), fl);
  c.values = std::move(v);
  c.per = per;
  return c;
}

const ValueFormat& format_of(const ExportGraph& g, const std::string& value) { return g.at(value).ann.out; }

// Dense / conv: BNN (packed inputs), fixed point or float; binary weights packed.
void weighted(const ExportGraph& g, ExportLayer& e) {
  const ir::Layer& l = e.layer;
  const ir::Param& wp = need_param(l, "weight");
  const bool binary = wp.format.precision == ir::Precision::kBinary;
  const size_t rows = size_t(wp.shape.at(0)), per = wp.data.size() / rows;
  std::vector<Operand>& ops = e.ann.operands;
  ops = {Operand::of(l.inputs.at(0))};
  const bool has_bias = l.bias && l.param("bias");
  if (e.ann.reads_packed) {
    if (l.kind == LayerKind::kDense) {
      ops.push_back(Operand::of(packed(l.name + ".weight", {int64_t(rows), int64_t(per)}, wp.data, per)));
    } else {  // [O, C, kh, kw] → [O, kh, kw, C]: packed along the input channels per tap
      const int64_t C = wp.shape[1], kh = wp.shape[2], kw = wp.shape[3];
      std::vector<float> hwc(wp.data.size());
      for (int64_t o = 0; o < int64_t(rows); ++o)
        for (int64_t c = 0; c < C; ++c)
          for (int64_t y = 0; y < kh; ++y)
            for (int64_t z = 0; z < kw; ++z)
              hwc[size_t(((o * kh + y) * kw + z) * C + c)] = wp.data[size_t(((o * C + c) * kh + y) * kw + z)];
      ops.push_back(Operand::of(packed(l.name + ".weight", {int64_t(rows), kh, kw, C}, std::move(hwc), size_t(C))));
    }
    if (!e.ann.thresholds.empty()) {
      ops.push_back(Operand::of(f32(l.name + ".thresholds", {int64_t(rows), 3}, e.ann.thresholds)));
      return;
    }
    ops.push_back(Operand::of(f32(l.name + ".scale", {int64_t(rows)}, binary_scale(l, wp.data, rows, per))));
    ops.push_back(Operand::of(f32(l.name + ".bias", {int64_t(rows)}, bias_or_zero(l))));
    return;
  }
  if (g.fixed) {  // BinaryConnect with fixed-point activations: ±1 at FL (±2^−FL)
    const int fl_w = wp.format.fixed.fl;
    if (binary)
      ops.push_back(Operand::of(packed(l.name + ".weight", {int64_t(rows), int64_t(per)}, wp.data, per, fl_w)));
    else
      ops.push_back(Operand::of(fixed(l.name + ".weight", e.ann.param_dt, wp.shape, wp.data, wp.format.fixed.word_length(), fl_w)));
    const int fl_acc = format_of(g, l.inputs[0]).fl + fl_w;
    if (has_bias) ops.push_back(Operand::of(bias(l.name + ".bias", need_param(l, "bias").data, fl_acc)));
    if (const auto bn = folded_batchnorm(l)) {  // inputs 3, 4: the per-channel requantization
      const compress::quant::ChannelRequantParams r = compress::quant::channel_requant(*bn, fl_acc);
      if (!has_bias) ops.push_back(Operand::absent());
      Constant m = make_constant(l.name + ".bn_multiplier", DType::I32, {int64_t(rows)}, r.fl_mult);
      Constant o = make_constant(l.name + ".bn_offset", DType::I32, {int64_t(rows)}, fl_acc + r.fl_mult);
      m.ints.assign(r.mult.begin(), r.mult.end());
      o.ints.assign(r.offset.begin(), r.offset.end());
      ops.push_back(Operand::of(std::move(m)));
      ops.push_back(Operand::of(std::move(o)));
    }
    return;
  }
  if (binary) {  // BinaryConnect, float activations: packed signs and the scale H per output
    ops.push_back(Operand::of(packed(l.name + ".weight", {int64_t(rows), int64_t(per)}, wp.data, per)));
    std::vector<float> scale = binary_scale(l, wp.data, rows, per), b = bias_or_zero(l);
    if (const auto bn = folded_batchnorm(l)) fold_into_scale(*bn, scale, b);
    ops.push_back(Operand::of(f32(l.name + ".bias", {int64_t(rows)}, std::move(b))));
    ops.push_back(Operand::of(f32(l.name + ".scale", {int64_t(rows)}, std::move(scale))));
    return;
  }
  ops.push_back(Operand::of(f32(l.name + ".weight", wp.shape, wp.data)));
  if (has_bias) {
    const auto& b = need_param(l, "bias").data;
    ops.push_back(Operand::of(f32(l.name + ".bias", {int64_t(b.size())}, b)));
  }
}

// GRU / LSTM: weights and optional biases (float, or fixed point in the layer's storage).
void recurrent(const ExportGraph& g, ExportLayer& e) {
  const ir::Layer& l = e.layer;
  std::vector<Operand>& ops = e.ann.operands;
  ops = {Operand::of(l.inputs.at(0))};
  const char* weights[2] = {"weight_ih_l0", "weight_hh_l0"};
  const char* biases[2] = {"bias_ih_l0", "bias_hh_l0"};
  if (!g.fixed) {
    for (const char* n : weights) {
      const ir::Param& p = need_param(l, n);
      ops.push_back(Operand::of(f32(l.name + "." + n, p.shape, p.data)));
    }
    for (const char* n : biases) {
      const ir::Param* p = l.param(n);
      ops.push_back(l.bias && p && !p->data.empty() ? Operand::of(f32(l.name + "." + n, p->shape, p->data))
                                                    : Operand::absent());
    }
    return;
  }
  // Bias i is added to weight i's products: x · W_ih at fl_x + fl_ih, h · W_hh at fl_h + fl_hh.
  const int fl_in[2] = {format_of(g, l.inputs[0]).fl, e.ann.out.fl};
  for (const char* n : weights) {
    const ir::Param& p = need_param(l, n);
    ops.push_back(Operand::of(fixed(l.name + "." + n, e.ann.param_dt, p.shape, p.data, p.format.fixed.word_length(), p.format.fixed.fl)));
  }
  for (int i = 0; i < 2; ++i)
    ops.push_back(l.bias && l.param(biases[i])
                      ? Operand::of(bias(l.name + "." + biases[i], need_param(l, biases[i]).data,
                                         fl_in[i] + need_param(l, weights[i]).format.fixed.fl))
                      : Operand::absent());
}

bool is_pooling(OpId op) {
  return op == OpId::MaxPool1d || op == OpId::MaxPool2d || op == OpId::AvgPool1d || op == OpId::AvgPool2d;
}

}  // namespace

void lower_ops(ExportGraph& g) {
  for (ExportLayer& e : g.layers) {
    if (e.ann.op != kNoOp || e.layer.kind == LayerKind::kInput) continue;  // lowered already, or the input
    ir::Layer& l = e.layer;
    // Flatten is a Reshape; every other layer is the op of its name (slimrt/op_list.h).
    e.ann.op = l.kind == LayerKind::kFlatten ? OpId::Reshape : op_of(l.kind);
    if (e.ann.op == kNoOp || !slimrt::op_in(e.ann.op, SLIMRT_OP_SLIM)) fail(l, "has no slimrt op");
    if (is_weighted(l.kind)) weighted(g, e);
    if (l.kind == LayerKind::kGru || l.kind == LayerKind::kLstm) recurrent(g, e);
    // Pooling: an empty stride means the kernel (the IR's rule), and slimrt's pools
    // have no dilation; the file says so.
    if (is_pooling(e.ann.op)) {
      if (l.stride.empty()) l.stride = l.kernel;
      l.dilation.clear();
    }
  }
}

}  // namespace slimlab::deploy::passes
