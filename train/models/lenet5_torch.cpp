#include "train/models/lenet5.h"

#include "train/models/graph_builder.h"
#include "train/models/model_support.h"

namespace slimlab::train {

LeNet5Impl::LeNet5Impl(const ModelConfig& cfg) : cfg_(cfg) {
  const std::string needs = "an image [C, H, W] with H, W >= 16";
  check_model_config(cfg, "lenet5", 3, needs);
  // Two valid 5×5 convs each followed by a 2×2 pool: ⌊(⌊(H − 4)/2⌋ − 4)/2⌋ ≥ 1 needs H ≥ 16.
  auto pooled = [](int64_t n) { return ((n - 4) / 2 - 4) / 2; };
  if (cfg.input_shape[1] < 16 || cfg.input_shape[2] < 16)
    throw std::invalid_argument("lenet5 needs " + needs + ", got " + shape_string(cfg.input_shape));
  pooled_h_ = pooled(cfg.input_shape[1]);
  pooled_w_ = pooled(cfg.input_shape[2]);
  c1_ = scaled_units(20, cfg.width);
  c2_ = scaled_units(50, cfg.width);
  f1_ = scaled_units(500, cfg.width);
  conv1_ = register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(cfg.input_shape[0], c1_,
                                                                               /*kernel_size=*/5)));
  conv2_ = register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(c1_, c2_, /*kernel_size=*/5)));
  fc1_ = register_module("fc1", torch::nn::Linear(c2_ * pooled_h_ * pooled_w_, f1_));
  fc2_ = register_module("fc2", torch::nn::Linear(f1_, cfg.num_classes));
}

torch::Tensor LeNet5Impl::forward(torch::Tensor x) {
  check_batch(x, cfg_.input_shape, "lenet5");
  x = torch::max_pool2d(conv1_->forward(x), /*kernel_size=*/2);
  x = torch::max_pool2d(conv2_->forward(x), /*kernel_size=*/2);
  x = torch::relu(fc1_->forward(x.flatten(1)));
  return fc2_->forward(x);
}

ir::Graph LeNet5Impl::graph(bool with_weights) const {
  GraphBuilder b("lenet5", cfg_.input_shape, cfg_.num_classes);
  b.conv("conv1", c1_, {5, 5});
  b.max_pool("pool1", {2, 2});
  b.conv("conv2", c2_, {5, 5});
  b.max_pool("pool2", {2, 2});
  b.flatten("flatten");
  b.dense("fc1", f1_);
  b.elementwise("relu1", ir::LayerKind::kRelu);
  b.dense("fc2", cfg_.num_classes);
  b.unit_group("conv1", "", {input_columns("conv2")});
  // Each conv2 channel owns its pooled H·W block of fc1's flattened input.
  b.unit_group("conv2", "", {input_columns("fc1", "weight", pooled_h_ * pooled_w_)});
  b.unit_group("fc1", "", {input_columns("fc2")});
  ir::Graph g = b.finish();
  if (with_weights) copy_weights(*this, g);
  return g;
}

}  // namespace slimlab::train
