#include "import/onnx_model.h"

#include "import/onnx_import.h"
#include "train/graph_module.h"
#include "train/op_facts.h"

namespace slimlab::onnx_import {

train::SlimModel make_onnx_model(const train::ModelConfig& cfg, const std::function<void(const std::string&)>& log) {
  ImportOptions o;
  o.input_shape = cfg.input_shape;
  ImportResult r = import_onnx_file(cfg.onnx, o);
  ir::Graph& g = r.graph;
  if (g.num_classes != cfg.num_classes)
    throw OnnxError("model.onnx: " + cfg.onnx + " has " + std::to_string(g.num_classes) + " outputs but the data has " +
                    std::to_string(cfg.num_classes) + " classes (re-export the model with a " +
                    std::to_string(cfg.num_classes) + "-way classifier head)");
  if (log) {
    log("model: " + cfg.onnx + " (ONNX opset " + std::to_string(r.opset) + (r.producer.empty() ? "" : ", " + r.producer) +
        "): " + std::to_string(g.layers.size()) + " layers, " + std::to_string(g.parameter_count()) + " parameters, " +
        (cfg.onnx_init == "random" ? "re-initialised" : "imported weights"));
    log("model: prunable groups " + describe_groups(g));
    for (const std::string& n : r.notes) log("model: " + n);
  }
  if (cfg.onnx_init == "random") train::init_parameters(g);
  return train::GraphModule(g, cfg.dropout).ptr();
}

}  // namespace slimlab::onnx_import
