// Batch norms left unfolded (passes.h).
#include <algorithm>
#include <cmath>

#include "compress/quant/fold_batchnorm.h"
#include "compress/quant/fold_requant.h"
#include "deploy/export/passes/passes.h"
#include "slimrt/fixed_point.h"

namespace slimlab::deploy::passes {

using slimrt::DType;
using slimrt::OpId;
namespace fx = slimrt::fixed;

namespace {

// A value-preserving Reshape named `key` (op `op`) of `input` into `shape`.
ExportLayer reshape(std::string key, std::string op, const std::string& input, std::vector<int64_t> shape,
                    ValueFormat f) {
  ExportLayer r;
  r.layer.name = std::move(key);
  r.layer.inputs = {input};
  r.layer.output_shape = std::move(shape);
  r.ann.op = OpId::Reshape;
  r.ann.op_name = std::move(op);
  r.ann.out = f;
  return r;
}

// The layers a batch norm becomes. Float: y = x·s + t, a Scale. Fixed point (the
// evaluator's rule): y = requantize(x·s_q + t_q, fl_x + fl_s) with s_q in the BN
// weight's format and t_q an int32 at fl_x + fl_s — a depthwise 1×1 Conv1d over
// [C, inner], reshaped there and back when the input is not [C, L].
std::vector<ExportLayer> lower(const std::vector<ExportLayer>& before, bool fixed, ExportLayer bn) {
  const ir::Layer& l = bn.layer;
  const auto& gamma = need_param(l, "weight").data;
  const auto& beta = need_param(l, "bias").data;
  const auto& mean = need_param(l, "running_mean").data;
  const auto& var = need_param(l, "running_var").data;
  const int64_t C = int64_t(gamma.size());
  std::vector<double> k(gamma.size());
  for (size_t c = 0; c < k.size(); ++c) k[c] = double(gamma[c]) / std::sqrt(double(var[c]) + compress::quant::kBatchNormEps);
  const std::string x = l.inputs.at(0);
  if (!fixed) {
    Constant s = make_constant(l.name + ".scale", DType::F32, {C});
    Constant t = make_constant(l.name + ".shift", DType::F32, {C});
    for (size_t c = 0; c < k.size(); ++c) {
      s.values.push_back(float(k[c]));
      t.values.push_back(float(double(beta[c]) - double(mean[c]) * k[c]));
    }
    bn.ann.op = OpId::Scale;
    bn.ann.output_first = true;  // the order of .slim files written before the passes
    bn.ann.operands = {Operand::of(x), Operand::of(std::move(s)), Operand::of(std::move(t))};
    bn.ann.notes.insert(bn.ann.notes.begin(), "batch norm '" + l.name + "' kept as a per-channel scale (nothing to fold into)");
    return {std::move(bn)};
  }
  const auto in_it = std::find_if(before.begin(), before.end(), [&](const ExportLayer& e) { return e.layer.name == x; });
  if (in_it == before.end()) fail(l, "its input '" + x + "' has no output tensor");
  const ExportLayer& in = *in_it;
  const ValueFormat xf = in.ann.out;
  const DType S = bn.ann.param_dt;
  const ir::Param& gp = need_param(l, "weight");
  const int wl_s = gp.format.fixed.word_length(), fl_s = gp.format.fixed.fl;
  const std::vector<int64_t>& in_shape = tensor_shape(in);
  const std::vector<int64_t> channels{C, numel(in_shape) / C};
  const bool flat = in_shape.size() == 2;
  std::vector<ExportLayer> out;
  if (!flat) out.push_back(reshape(l.name + ".as_channels", l.name + ".as_channels", x, channels, {S, xf.wl, xf.fl}));
  Constant s = make_constant(l.name + ".scale", S, {C, 1, 1}, fl_s, wl_s);
  Constant t = make_constant(l.name + ".shift", DType::I32, {C}, xf.fl + fl_s, 0);
  const compress::quant::ChannelRequantParams r = compress::quant::channel_requant(l, xf.fl);  // as the evaluator
  s.ints.assign(r.mult.begin(), r.mult.end());
  t.ints.assign(r.offset.begin(), r.offset.end());
  ExportLayer conv = bn;
  conv.layer.name = flat ? l.name : l.name + ".channels";
  conv.layer.output_shape = channels;
  conv.layer.kernel = {1};
  conv.layer.stride = {1};
  conv.layer.padding = {0};
  conv.layer.dilation = {1};
  conv.layer.groups = C;
  conv.ann.op = OpId::Conv1d;
  conv.ann.op_name = l.name;
  conv.ann.operands = {Operand::of(flat ? x : l.name + ".as_channels"), Operand::of(std::move(s)), Operand::of(std::move(t))};
  conv.ann.notes.insert(conv.ann.notes.begin(),
                        "batch norm '" + l.name + "' kept as a fixed-point per-channel affine (nothing to fold into)");
  out.push_back(std::move(conv));
  if (!flat) out.push_back(reshape(l.name, l.name, l.name + ".channels", l.output_shape, bn.ann.out));
  return out;
}

}  // namespace

void lower_batchnorm(ExportGraph& g) {
  std::vector<ExportLayer> out;
  for (ExportLayer& e : g.layers) {
    if (e.layer.kind != ir::LayerKind::kBatchNorm || e.ann.op != kNoOp) {
      out.push_back(std::move(e));
      continue;
    }
    for (ExportLayer& n : lower(out, g.fixed, std::move(e))) out.push_back(std::move(n));
  }
  g.layers = std::move(out);
}

}  // namespace slimlab::deploy::passes
