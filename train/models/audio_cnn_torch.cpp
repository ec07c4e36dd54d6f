#include "train/models/audio_cnn.h"

#include "train/models/graph_builder.h"
#include "train/models/model_support.h"

namespace slimlab::train {

AudioCnnImpl::AudioCnnImpl(const ModelConfig& cfg) : cfg_(cfg) {
  const std::string needs = "a feature patch [C, F, frames] with F, frames >= 8";
  check_model_config(cfg, "audio_cnn", 3, needs);
  if (cfg.input_shape[1] < 8 || cfg.input_shape[2] < 8)
    throw std::invalid_argument("audio_cnn needs " + needs + " (three 2×2 max-pools), got " +
                                shape_string(cfg.input_shape));
  filters_ = scaled_units(cfg.conv_filters, cfg.width);
  int64_t in = cfg.input_shape[0];
  for (int i = 1; i <= kBlocks; ++i) {
    convs_.push_back(register_module(
        "conv" + std::to_string(i),
        torch::nn::Conv2d(torch::nn::Conv2dOptions(in, filters_, /*kernel_size=*/3).padding(1))));
    bns_.push_back(register_module("bn" + std::to_string(i),
                                   torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(filters_))));
    in = filters_;
  }
  fc_ = register_module("fc", torch::nn::Linear(filters_, cfg.num_classes));
}

torch::Tensor AudioCnnImpl::forward(torch::Tensor x) {
  check_batch(x, cfg_.input_shape, "audio_cnn");
  for (int i = 0; i < kBlocks; ++i)
    x = torch::max_pool2d(torch::relu(bns_[size_t(i)]->forward(convs_[size_t(i)]->forward(x))), /*kernel_size=*/2);
  x = x.mean({2, 3});  // global average pool
  x = torch::dropout(x, cfg_.dropout, is_training());
  return fc_->forward(x);
}

ir::Graph AudioCnnImpl::graph(bool with_weights) const {
  GraphBuilder b("audio_cnn", cfg_.input_shape, cfg_.num_classes);
  for (int i = 1; i <= kBlocks; ++i) {
    const std::string n = std::to_string(i);
    b.conv("conv" + n, filters_, {3, 3}, {1, 1}, {1, 1});
    b.batch_norm("bn" + n);
    b.elementwise("relu" + n, ir::LayerKind::kRelu);
    b.max_pool("pool" + n, {2, 2});
  }
  b.global_avg_pool("gap");
  b.elementwise("drop", ir::LayerKind::kDropout);
  b.dense("fc", cfg_.num_classes);
  b.unit_group("conv1", "bn1", {input_columns("conv2")});
  b.unit_group("conv2", "bn2", {input_columns("conv3")});
  b.unit_group("conv3", "bn3", {input_columns("fc")});
  ir::Graph g = b.finish();
  if (with_weights) copy_weights(*this, g);
  return g;
}

}  // namespace slimlab::train
