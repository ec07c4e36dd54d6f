// Batch norm folded into the conv / dense before it (passes.h).
#include "compress/quant/fold_batchnorm.h"

#include "deploy/export/passes/passes.h"

namespace slimlab::deploy::passes {

void fold_batchnorm(ir::Graph& g, std::vector<std::string>& notes) {
  for (const std::string& bn : compress::quant::fold_batchnorm(g))
    notes.push_back("batch norm '" + bn + "' folded into the layer before it");
}

}  // namespace slimlab::deploy::passes
