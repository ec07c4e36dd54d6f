#include "train/models/cnn1d.h"

#include "train/models/graph_builder.h"
#include "train/models/model_support.h"

namespace slimlab::train {

Cnn1dImpl::Cnn1dImpl(const ModelConfig& cfg) : cfg_(cfg) {
  check_model_config(cfg, "cnn1d", 2, "raw windows [C, W] with W >= 8");
  if (cfg.input_shape[1] < 8)
    throw std::invalid_argument("cnn1d needs raw windows [C, W] with W >= 8 (three max-pools of 2), got " +
                                shape_string(cfg.input_shape));
  filters_ = scaled_units(cfg.conv_filters, cfg.width);
  int64_t in = cfg.input_shape[0];
  for (int i = 1; i <= kBlocks; ++i) {
    convs_.push_back(register_module(
        "conv" + std::to_string(i),
        torch::nn::Conv1d(torch::nn::Conv1dOptions(in, filters_, /*kernel_size=*/kKernel).padding(kKernel / 2))));
    bns_.push_back(register_module("bn" + std::to_string(i),
                                   torch::nn::BatchNorm1d(torch::nn::BatchNorm1dOptions(filters_))));
    in = filters_;
  }
  fc_ = register_module("fc", torch::nn::Linear(filters_, cfg.num_classes));
}

torch::Tensor Cnn1dImpl::forward(torch::Tensor x) {
  check_batch(x, cfg_.input_shape, "cnn1d");
  for (int i = 0; i < kBlocks; ++i)
    x = torch::max_pool1d(torch::relu(bns_[size_t(i)]->forward(convs_[size_t(i)]->forward(x))), /*kernel_size=*/2);
  x = x.mean(-1);  // global average pool over time
  x = torch::dropout(x, cfg_.dropout, is_training());
  return fc_->forward(x);
}

ir::Graph Cnn1dImpl::graph(bool with_weights) const {
  GraphBuilder b("cnn1d", cfg_.input_shape, cfg_.num_classes);
  for (int i = 1; i <= kBlocks; ++i) {
    const std::string n = std::to_string(i);
    b.conv("conv" + n, filters_, {kKernel}, {1}, {kKernel / 2});
    b.batch_norm("bn" + n);
    b.elementwise("relu" + n, ir::LayerKind::kRelu);
    b.max_pool("pool" + n, {2});
  }
  b.global_avg_pool("gap");
  b.elementwise("drop", ir::LayerKind::kDropout);
  b.dense("fc", cfg_.num_classes);
  b.unit_group("conv1", "bn1", {input_columns("conv2")});
  b.unit_group("conv2", "bn2", {input_columns("conv3")});
  b.unit_group("conv3", "bn3", {input_columns("fc")});  // one input per channel after the average pool
  ir::Graph g = b.finish();
  if (with_weights) copy_weights(*this, g);
  return g;
}

}  // namespace slimlab::train
