#include "train/models/vgg_small.h"

#include "train/models/graph_builder.h"
#include "train/models/model_support.h"

namespace slimlab::train {

VggSmallImpl::VggSmallImpl(const ModelConfig& cfg) : cfg_(cfg) {
  const std::string needs = "an image [C, H, W] with H, W >= 8";
  check_model_config(cfg, "vgg_small", 3, needs);
  if (cfg.input_shape[1] < 8 || cfg.input_shape[2] < 8)
    throw std::invalid_argument("vgg_small needs " + needs + " (three 2×2 max-pools), got " +
                                shape_string(cfg.input_shape));
  pooled_h_ = cfg.input_shape[1] / 8;
  pooled_w_ = cfg.input_shape[2] / 8;
  hidden_ = scaled_units(kHidden, cfg.width);
  int64_t in = cfg.input_shape[0];
  for (size_t i = 0; i < 6; ++i) {
    filters_.push_back(scaled_units(kFilters[i], cfg.width));
    convs_.push_back(register_module(
        "conv" + std::to_string(i + 1),
        torch::nn::Conv2d(torch::nn::Conv2dOptions(in, filters_[i], /*kernel_size=*/3).padding(1))));
    bns_.push_back(register_module("bn" + std::to_string(i + 1),
                                   torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(filters_[i]))));
    in = filters_[i];
  }
  fc1_ = register_module("fc1", torch::nn::Linear(in * pooled_h_ * pooled_w_, hidden_));
  fc2_ = register_module("fc2", torch::nn::Linear(hidden_, cfg.num_classes));
}

torch::Tensor VggSmallImpl::forward(torch::Tensor x) {
  check_batch(x, cfg_.input_shape, "vgg_small");
  for (size_t i = 0; i < 6; ++i) {
    x = torch::relu(bns_[i]->forward(convs_[i]->forward(x)));
    if (i % 2 == 1) x = torch::max_pool2d(x, /*kernel_size=*/2);
  }
  x = torch::relu(fc1_->forward(x.flatten(1)));
  x = torch::dropout(x, cfg_.dropout, is_training());
  return fc2_->forward(x);
}

ir::Graph VggSmallImpl::graph(bool with_weights) const {
  GraphBuilder b("vgg_small", cfg_.input_shape, cfg_.num_classes);
  for (size_t i = 0; i < 6; ++i) {
    const std::string n = std::to_string(i + 1);
    b.conv("conv" + n, filters_[i], {3, 3}, {1, 1}, {1, 1});
    b.batch_norm("bn" + n);
    b.elementwise("relu" + n, ir::LayerKind::kRelu);
    if (i % 2 == 1) b.max_pool("pool" + std::to_string(i / 2 + 1), {2, 2});
  }
  b.flatten("flatten");
  b.dense("fc1", hidden_);
  b.elementwise("relu_fc1", ir::LayerKind::kRelu);
  b.elementwise("drop", ir::LayerKind::kDropout);
  b.dense("fc2", cfg_.num_classes);
  for (size_t i = 1; i < 6; ++i)
    b.unit_group("conv" + std::to_string(i), "bn" + std::to_string(i), {input_columns("conv" + std::to_string(i + 1))});
  b.unit_group("conv6", "bn6", {input_columns("fc1", "weight", pooled_h_ * pooled_w_)});
  b.unit_group("fc1", "", {input_columns("fc2")});
  ir::Graph g = b.finish();
  if (with_weights) copy_weights(*this, g);
  return g;
}

}  // namespace slimlab::train
