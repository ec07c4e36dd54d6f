// A small VGG for 32×32 colour images (CIFAR-10), the network DeepIoT compresses
// (ALGORITHMS.md): conv 3×3 'same' blocks [64, 64, M, 128, 128, M, 256, 256, M], each
// conv with BN + ReLU, then flatten → dense 512 → ReLU → dropout → dense to the classes.
// All widths × width. Any [C, H, W] with H, W ≥ 8 works (three 2×2 pools).
#include <stdexcept>

#include "train/models/graph_builder.h"
#include "train/models/models.h"
#include "train/op_facts.h"

namespace slimlab::train {

namespace {
// Filters of the six convs before the width multiplier; a pool follows every second.
constexpr int64_t kFilters[6] = {64, 64, 128, 128, 256, 256};
constexpr int64_t kHidden = 512;
}  // namespace

ir::Graph vgg_small_graph(const ModelConfig& cfg) {
  const std::string needs = "an image [C, H, W] with H, W >= 8";
  check_model_config(cfg, "vgg_small", 3, needs);
  if (cfg.input_shape[1] < 8 || cfg.input_shape[2] < 8)
    throw std::invalid_argument("vgg_small needs " + needs + " (three 2×2 max-pools), got " +
                                ir::to_string(cfg.input_shape));
  const int64_t pooled_hw = (cfg.input_shape[1] / 8) * (cfg.input_shape[2] / 8);
  GraphBuilder b("vgg_small", cfg.input_shape, cfg.num_classes);
  for (size_t i = 0; i < 6; ++i) {
    const std::string n = std::to_string(i + 1);
    b.conv("conv" + n, scaled_units(kFilters[i], cfg.width), {3, 3}, {1, 1}, {1, 1});
    b.batch_norm("bn" + n);
    b.elementwise("relu" + n, ir::LayerKind::kRelu);
    if (i % 2 == 1) b.max_pool("pool" + std::to_string(i / 2 + 1), {2, 2});
  }
  b.flatten("flatten");
  b.dense("fc1", scaled_units(kHidden, cfg.width));
  b.elementwise("relu_fc1", ir::LayerKind::kRelu);
  b.elementwise("drop", ir::LayerKind::kDropout);
  b.dense("fc2", cfg.num_classes);
  for (size_t i = 1; i < 6; ++i)
    b.unit_group("conv" + std::to_string(i), "bn" + std::to_string(i), {input_columns("conv" + std::to_string(i + 1))});
  b.unit_group("conv6", "bn6", {input_columns("fc1", "weight", pooled_hw)});
  b.unit_group("fc1", "", {input_columns("fc2")});
  return b.finish();
}

}  // namespace slimlab::train
