// The Caffe LeNet-5 that DeepIoT compresses (ALGORITHMS.md): on an image [C, H, W]
//   conv 5×5 (20) → maxpool 2 → conv 5×5 (50) → maxpool 2 → dense 500 → ReLU → dense.
// Widths 20, 50, 500 × width. As in Caffe's lenet_train_test.prototxt there is no
// BN, no activation after the convs and no dropout (ModelConfig::dropout is unused).
// Needs H, W ≥ 16; on MNIST [1, 28, 28] it has 431,080 parameters.
#include <stdexcept>

#include "train/models/graph_builder.h"
#include "train/models/models.h"
#include "train/op_facts.h"

namespace slimlab::train {

ir::Graph lenet5_graph(const ModelConfig& cfg) {
  const std::string needs = "an image [C, H, W] with H, W >= 16";
  check_model_config(cfg, "lenet5", 3, needs);
  // Two valid 5×5 convs each followed by a 2×2 pool: ⌊(⌊(H − 4)/2⌋ − 4)/2⌋ ≥ 1 needs H ≥ 16.
  auto pooled = [](int64_t n) { return ((n - 4) / 2 - 4) / 2; };
  if (cfg.input_shape[1] < 16 || cfg.input_shape[2] < 16)
    throw std::invalid_argument("lenet5 needs " + needs + ", got " + ir::to_string(cfg.input_shape));
  const int64_t pooled_hw = pooled(cfg.input_shape[1]) * pooled(cfg.input_shape[2]);
  GraphBuilder b("lenet5", cfg.input_shape, cfg.num_classes);
  b.conv("conv1", scaled_units(20, cfg.width), {5, 5});
  b.max_pool("pool1", {2, 2});
  b.conv("conv2", scaled_units(50, cfg.width), {5, 5});
  b.max_pool("pool2", {2, 2});
  b.flatten("flatten");
  b.dense("fc1", scaled_units(500, cfg.width));
  b.elementwise("relu1", ir::LayerKind::kRelu);
  b.dense("fc2", cfg.num_classes);
  b.unit_group("conv1", "", {input_columns("conv2")});
  // Each conv2 channel owns its pooled H·W block of fc1's flattened input.
  b.unit_group("conv2", "", {input_columns("fc1", "weight", pooled_hw)});
  b.unit_group("fc1", "", {input_columns("fc2")});
  return b.finish();
}

}  // namespace slimlab::train
