// Batch norms folded into the dense / conv before them (passes.h).
#include <cmath>

#include "compress/quant/fold_batchnorm.h"
#include "compress/quant/fold_requant.h"
#include "deploy/export/passes/passes.h"

namespace slimlab::deploy::passes {

namespace {
const std::string kPrefix = "folded_bn.";

// Whether BN `b` folds into `p`: fixed point, the evaluator's rule (fold_requant.h);
// float, binary weights (the only ones compress::quant::fold_batchnorm leaves).
bool folds(const ExportGraph& g, const ExportLayer& b, const ExportLayer& p, int readers) {
  if (p.ann.reads_packed || !p.ann.thresholds.empty()) return false;  // BNN: thresholds instead
  if (g.fixed) return compress::quant::why_not_requant_foldable(b.layer, &p.layer, readers).empty();
  return is_weighted(p.layer.kind) && binary_weight(p.layer) && readers == 1 &&
         int64_t(need_param(b.layer, "weight").data.size()) == p.layer.out_features;
}
}  // namespace

void fold_bn_requant(ExportGraph& g) {
  for (size_t i = 1; i < g.layers.size(); ++i) {
    const ExportLayer& b = g.layers[i];
    if (b.layer.kind != ir::LayerKind::kBatchNorm || b.ann.op != kNoOp || b.layer.inputs.size() != 1) continue;
    ExportLayer* p = g.find(b.layer.inputs[0]);
    if (!p || !folds(g, b, *p, int(g.readers(p->layer.name).size()))) continue;
    for (ir::Param q : b.layer.params) {  // lower_ops turns them into the op's operands
      q.name = kPrefix + q.name;
      p->layer.params.push_back(std::move(q));
    }
    p->layer.activation_format = b.layer.activation_format;
    p->ann.notes.push_back("batch norm '" + b.layer.name + "' folded into the " +
                           (g.fixed ? "per-channel requantization" : "per-channel scale and bias") + " of '" +
                           p->layer.name + "'");
    const std::string name = b.layer.name;
    g.rewire(name, p->layer.name);
    g.erase({name});
    --i;
  }
}

std::optional<ir::Layer> folded_batchnorm(const ir::Layer& l) {
  if (!l.param(kPrefix + "weight")) return std::nullopt;
  ir::Layer bn;
  bn.name = l.name + ".bn";
  bn.kind = ir::LayerKind::kBatchNorm;
  for (const ir::Param& q : l.params)
    if (q.name.compare(0, kPrefix.size(), kPrefix) == 0) {
      bn.params.push_back(q);
      bn.params.back().name = q.name.substr(kPrefix.size());
    }
  return bn;
}

void fold_into_scale(const ir::Layer& bn, std::vector<float>& scale, std::vector<float>& bias) {
  const auto &gamma = need_param(bn, "weight").data, &beta = need_param(bn, "bias").data;
  const auto &mean = need_param(bn, "running_mean").data, &var = need_param(bn, "running_var").data;
  if (gamma.size() != scale.size() || bias.size() != scale.size())
    fail(bn, "has " + std::to_string(gamma.size()) + " channels for " + std::to_string(scale.size()) + " outputs");
  for (size_t c = 0; c < scale.size(); ++c) {
    const double k = double(gamma[c]) / std::sqrt(double(var[c]) + compress::quant::kBatchNormEps);
    scale[c] = float(k * double(scale[c]));
    bias[c] = float(k * double(bias[c]) + double(beta[c]) - double(mean[c]) * k);
  }
}

}  // namespace slimlab::deploy::passes
