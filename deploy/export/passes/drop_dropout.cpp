// Dropout is the identity at inference (passes.h).
#include "deploy/export/passes/passes.h"

namespace slimlab::deploy::passes {

namespace {

bool same_format(const ir::NumericFormat& a, const ir::NumericFormat& b) {
  if (a.precision != ir::Precision::kFixed || b.precision != ir::Precision::kFixed)
    return a.precision != ir::Precision::kFixed && b.precision != ir::Precision::kFixed;
  return a.fixed.il == b.fixed.il && a.fixed.fl == b.fixed.fl;
}

}  // namespace

void drop_dropout(ExportGraph& g) {
  std::vector<std::string> gone;
  for (ExportLayer& e : g.layers) {
    if (e.layer.kind != ir::LayerKind::kDropout) continue;
    const std::string in = e.layer.inputs.at(0);
    // Fixed point: a dropout that changes the format stays, as a requantize (choose_dtypes).
    if (g.fixed && !same_format(g.at(in).layer.activation_format, e.layer.activation_format)) continue;
    g.rewire(e.layer.name, in);
    gone.push_back(e.layer.name);
  }
  g.erase(gone);
}

}  // namespace slimlab::deploy::passes
