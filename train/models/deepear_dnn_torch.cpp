#include "train/models/deepear_dnn.h"

#include "train/models/graph_builder.h"
#include "train/models/model_support.h"

namespace slimlab::train {

DeepEarDnnImpl::DeepEarDnnImpl(const ModelConfig& cfg) : cfg_(cfg) {
  check_model_config(cfg, "deepear_dnn", cfg.input_shape.empty() ? 1 : cfg.input_shape.size(),
                     "a feature patch such as [1, F, frames]");
  hidden_ = scaled_units(cfg.hidden_units, cfg.width);
  int64_t in = 1;
  for (int64_t d : cfg.input_shape) in *= d;
  for (int i = 1; i <= kHiddenLayers; ++i) {
    hidden_layers_.push_back(register_module("fc" + std::to_string(i), torch::nn::Linear(in, hidden_)));
    in = hidden_;
  }
  fc_ = register_module("fc", torch::nn::Linear(hidden_, cfg.num_classes));
}

torch::Tensor DeepEarDnnImpl::forward(torch::Tensor x) {
  check_batch(x, cfg_.input_shape, "deepear_dnn");
  x = x.flatten(1);
  for (auto& layer : hidden_layers_) x = torch::dropout(torch::relu(layer->forward(x)), cfg_.dropout, is_training());
  return fc_->forward(x);
}

ir::Graph DeepEarDnnImpl::graph(bool with_weights) const {
  GraphBuilder b("deepear_dnn", cfg_.input_shape, cfg_.num_classes);
  b.flatten("flatten");
  for (int i = 1; i <= kHiddenLayers; ++i) {
    const std::string n = std::to_string(i);
    b.dense("fc" + n, hidden_);
    b.elementwise("relu" + n, ir::LayerKind::kRelu);
    b.elementwise("drop" + n, ir::LayerKind::kDropout);
  }
  b.dense("fc", cfg_.num_classes);
  b.unit_group("fc1", "", {input_columns("fc2")});
  b.unit_group("fc2", "", {input_columns("fc3")});
  b.unit_group("fc3", "", {input_columns("fc")});
  ir::Graph g = b.finish();
  if (with_weights) copy_weights(*this, g);
  return g;
}

}  // namespace slimlab::train
