#include "train/model_factory.h"

#include "train/graph_module.h"
#include "train/models/models.h"

namespace slimlab::train {

SlimModel make_model(const ModelConfig& cfg) {
  ir::Graph g = model_graph(cfg);
  init_parameters(g);
  return std::make_shared<GraphModuleImpl>(g, cfg.dropout);
}

}  // namespace slimlab::train
