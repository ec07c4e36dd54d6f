// A DeepEar-style fully connected network for audio (Lane et al., UbiComp 2015): the
// log-mel or MFCC patch [1, F, frames] is flattened and goes through
//   3 × (dense hidden_units·width, ReLU, dropout) → dense to the classes.
// Any input shape is accepted (it is flattened).
#include "train/models/graph_builder.h"
#include "train/models/models.h"

namespace slimlab::train {

ir::Graph deepear_dnn_graph(const ModelConfig& cfg) {
  constexpr int kHiddenLayers = 3;
  check_model_config(cfg, "deepear_dnn", cfg.input_shape.empty() ? 1 : cfg.input_shape.size(),
                     "a feature patch such as [1, F, frames]");
  const int64_t hidden = scaled_units(cfg.hidden_units, cfg.width);
  GraphBuilder b("deepear_dnn", cfg.input_shape, cfg.num_classes);
  b.flatten("flatten");
  for (int i = 1; i <= kHiddenLayers; ++i) {
    const std::string n = std::to_string(i);
    b.dense("fc" + n, hidden);
    b.elementwise("relu" + n, ir::LayerKind::kRelu);
    b.elementwise("drop" + n, ir::LayerKind::kDropout);
  }
  b.dense("fc", cfg.num_classes);
  for (int i = 1; i <= kHiddenLayers; ++i)  // each hidden layer's units, read by the next dense layer
    b.unit_group("fc" + std::to_string(i), "",
                 {input_columns(i < kHiddenLayers ? "fc" + std::to_string(i + 1) : "fc")});
  return b.finish();
}

}  // namespace slimlab::train
