// A small audio CNN on a log-mel / MFCC patch [C, F, frames]:
//   3 × (conv2d 3×3 'same', BN, ReLU, maxpool 2×2) → global average pool → dropout → dense.
// conv_filters·width filters in every conv. Needs F, frames ≥ 8 (three halvings).
#include <stdexcept>

#include "train/models/graph_builder.h"
#include "train/models/models.h"
#include "train/op_facts.h"

namespace slimlab::train {

ir::Graph audio_cnn_graph(const ModelConfig& cfg) {
  constexpr int kBlocks = 3;
  const std::string needs = "a feature patch [C, F, frames] with F, frames >= 8";
  check_model_config(cfg, "audio_cnn", 3, needs);
  if (cfg.input_shape[1] < 8 || cfg.input_shape[2] < 8)
    throw std::invalid_argument("audio_cnn needs " + needs + " (three 2×2 max-pools), got " +
                                ir::to_string(cfg.input_shape));
  const int64_t filters = scaled_units(cfg.conv_filters, cfg.width);
  GraphBuilder b("audio_cnn", cfg.input_shape, cfg.num_classes);
  for (int i = 1; i <= kBlocks; ++i) {
    const std::string n = std::to_string(i);
    b.conv("conv" + n, filters, {3, 3}, {1, 1}, {1, 1});
    b.batch_norm("bn" + n);
    b.elementwise("relu" + n, ir::LayerKind::kRelu);
    b.max_pool("pool" + n, {2, 2});
  }
  b.global_avg_pool("gap");
  b.elementwise("drop", ir::LayerKind::kDropout);
  b.dense("fc", cfg.num_classes);
  for (int i = 1; i <= kBlocks; ++i)  // each block's filters, read by the next conv (the last by fc)
    b.unit_group("conv" + std::to_string(i), "bn" + std::to_string(i),
                 {input_columns(i < kBlocks ? "conv" + std::to_string(i + 1) : "fc")});
  return b.finish();
}

}  // namespace slimlab::train
