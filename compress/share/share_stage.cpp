#include "compress/share/share_stage.h"

#include <stdexcept>

#include "compress/binary/binary_stage.h"
#include "compress/stage_keys.h"

namespace slimlab::compress {

share::ShareSpec weight_sharing_spec(const StageParams& p) {
  share::ShareSpec s;
  s.bits = int(p.integer("bits"));
  s.block_columns = p.integer("block_columns");
  s.iterations = int(p.integer("iterations"));
  s.layers = p.list("layers");
  return s;
}

StageDescription weight_sharing_stage_description() {
  StageDescription d = describe_stage(
      "weight_sharing",
      "weight sharing: k-means codebooks (k = 2^bits) per layer, optional product quantization by column blocks",
      {make_key("bits", KeyType::kInt, "4", "index bits: k = 2^bits centroids per codebook", 1, 8),
       make_key("block_columns", KeyType::kInt, "0",
                "product quantization: columns per block, each with its own codebook (0 = one codebook per tensor)", 0,
                1 << 24),
       make_key("iterations", KeyType::kInt, "30", "k-means (Lloyd) iterations", 1, 10000),
       make_key("layers", KeyType::kStringList, "",
                "layers whose weights share codebooks (empty = every conv / dense / GRU / LSTM)"),
       stage_optimizer_key(false)},
      /*default_epochs=*/0);
  d.preflight = [](const StageParams& p, const ir::Graph& model) {
    std::vector<StageIssue> issues;
    try {
      share::shareable_weights(model, p.list("layers"));
    } catch (const std::invalid_argument& e) {
      issues.push_back({"layers", e.what()});
    }
    return issues;
  };
  return d;
}

}  // namespace slimlab::compress
