// A 1-d CNN baseline for HAR on raw windows [C channels, W samples]:
//   3 × (conv1d k=5 'same', BN, ReLU, maxpool 2) → global average pool → dropout → dense.
// conv_filters·width filters in every conv. Needs W ≥ 8 (three halvings).
#include <stdexcept>

#include "train/models/graph_builder.h"
#include "train/models/models.h"
#include "train/op_facts.h"

namespace slimlab::train {

ir::Graph cnn1d_graph(const ModelConfig& cfg) {
  constexpr int kBlocks = 3;
  constexpr int64_t kKernel = 5;
  check_model_config(cfg, "cnn1d", 2, "raw windows [C, W] with W >= 8");
  if (cfg.input_shape[1] < 8)
    throw std::invalid_argument("cnn1d needs raw windows [C, W] with W >= 8 (three max-pools of 2), got " +
                                ir::to_string(cfg.input_shape));
  const int64_t filters = scaled_units(cfg.conv_filters, cfg.width);
  GraphBuilder b("cnn1d", cfg.input_shape, cfg.num_classes);
  for (int i = 1; i <= kBlocks; ++i) {
    const std::string n = std::to_string(i);
    b.conv("conv" + n, filters, {kKernel}, {1}, {kKernel / 2});
    b.batch_norm("bn" + n);
    b.elementwise("relu" + n, ir::LayerKind::kRelu);
    b.max_pool("pool" + n, {2});
  }
  b.global_avg_pool("gap");
  b.elementwise("drop", ir::LayerKind::kDropout);
  b.dense("fc", cfg.num_classes);
  // Each block's filters, read by the next conv; the last by fc (one input per channel after the average pool).
  for (int i = 1; i <= kBlocks; ++i)
    b.unit_group("conv" + std::to_string(i), "bn" + std::to_string(i),
                 {input_columns(i < kBlocks ? "conv" + std::to_string(i + 1) : "fc")});
  return b.finish();
}

}  // namespace slimlab::train
