#include "deploy/export/passes/passes.h"

namespace slimlab::deploy::passes {

void run_all(ExportGraph& g) {
  // Order matters: thresholds fold before dropout goes (their chains include it), batch
  // norms into their producers while the graph is the workbench's (the evaluator's
  // rule), fusion needs the final neighbours, storage choice the fused graph, lowering
  // the storage.
  using Pass = void (*)(ExportGraph&);
  for (Pass p : {fold_bn_sign_thresholds, fold_bn_requant, drop_dropout, fuse_activation, choose_dtypes,
                 lower_batchnorm, lower_ops})
    p(g);
}

}  // namespace slimlab::deploy::passes
