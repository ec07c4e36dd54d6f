#include "compress/quant/fold_requant.h"

#include <cmath>
#include <stdexcept>

#include "compress/quant/fold_batchnorm.h"
#include "slimrt/fixed_point.h"

namespace slimlab::compress::quant {

namespace fx = slimrt::fixed;

namespace {
bool is_producer(ir::LayerKind k) {
  return k == ir::LayerKind::kDense || k == ir::LayerKind::kConv1d || k == ir::LayerKind::kConv2d ||
         k == ir::LayerKind::kDepthwiseConv2d;
}
int storage_class(int wl) { return wl <= 8 ? 8 : 16; }

const std::vector<float>& values(const ir::Layer& l, const std::string& name) {
  const ir::Param* p = l.param(name);
  if (!p || p->data.empty() || int64_t(p->data.size()) != p->numel())
    throw std::invalid_argument("batch norm '" + l.name + "': parameter '" + name + "' has no values");
  return p->data;
}
}  // namespace

std::string why_not_requant_foldable(const ir::Layer& bn, const ir::Layer* p, int producer_readers) {
  if (bn.kind != ir::LayerKind::kBatchNorm) return "not a batch norm";
  if (bn.inputs.size() != 1 || !p) return "it has no single input layer";
  if (!is_producer(p->kind)) return "its input '" + p->name + "' is not a dense / conv layer";
  if (producer_readers != 1) return "the output of '" + p->name + "' is also read by other layers";
  const ir::Param* s = bn.param("weight");
  if (!s || s->format.precision != ir::Precision::kFixed) return "its scale has no fixed-point format";
  if (bn.activation_format.precision != ir::Precision::kFixed || p->activation_format.precision != ir::Precision::kFixed)
    return "it or '" + p->name + "' has no fixed-point output format";
  if (storage_class(bn.activation_format.fixed.word_length()) > storage_class(p->activation_format.fixed.word_length()))
    return "its output is wider than the storage of '" + p->name + "'";
  if (int64_t(s->numel()) != p->out_features) return "its channel count differs from the outputs of '" + p->name + "'";
  return "";
}

const ir::Layer* requant_fold_producer(const ir::Graph& g, const ir::Layer& bn) {
  if (bn.kind != ir::LayerKind::kBatchNorm || bn.inputs.size() != 1) return nullptr;
  const ir::Layer* p = g.layer(bn.inputs[0]);
  int readers = 0;
  for (const ir::Layer& l : g.layers)
    for (const std::string& in : l.inputs) readers += p && in == p->name;
  return why_not_requant_foldable(bn, p, readers).empty() ? p : nullptr;
}

ChannelRequantParams channel_requant(const ir::Layer& bn, int fl_acc) {
  const ir::Param* sp = bn.param("weight");
  if (!sp || sp->format.precision != ir::Precision::kFixed)
    throw std::invalid_argument("batch norm '" + bn.name + "': its scale ('weight') has no fixed-point format");
  const int wl_s = sp->format.fixed.word_length(), fl_s = sp->format.fixed.fl;
  const auto &gamma = values(bn, "weight"), &beta = values(bn, "bias"), &mean = values(bn, "running_mean"),
             &var = values(bn, "running_var");
  ChannelRequantParams r;
  r.fl_mult = fl_s;
  for (size_t c = 0; c < gamma.size(); ++c) {  // in double, quantized once, as the unfolded BN
    const double k = double(gamma[c]) / std::sqrt(double(var[c]) + kBatchNormEps);
    r.mult.push_back(int32_t(fx::quantize(k, wl_s, fl_s)));
    r.offset.push_back(fx::quantize_bias(double(beta[c]) - double(mean[c]) * k, fl_acc + fl_s));
  }
  return r;
}

}  // namespace slimlab::compress::quant
