#include "compress/share/share_stage.h"

#include <stdexcept>

#include "compress/binary/binary_stage.h"

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
  StageDescription d;
  d.type = "weight_sharing";
  d.doc = "weight sharing: k-means codebooks (k = 2^bits) per layer, optional product quantization by column blocks";
  StageKey bits;
  bits.name = "bits";
  bits.type = KeyType::kInt;
  bits.default_value = "4";
  bits.min = 1;
  bits.max = 8;
  bits.doc = "index bits: k = 2^bits centroids per codebook";
  d.keys.push_back(bits);
  StageKey block;
  block.name = "block_columns";
  block.type = KeyType::kInt;
  block.default_value = "0";
  block.min = 0;
  block.max = 1 << 24;
  block.doc = "product quantization: columns per block, each with its own codebook (0 = one codebook per tensor)";
  d.keys.push_back(block);
  StageKey it;
  it.name = "iterations";
  it.type = KeyType::kInt;
  it.default_value = "30";
  it.min = 1;
  it.max = 10000;
  it.doc = "k-means (Lloyd) iterations";
  d.keys.push_back(it);
  StageKey layers;
  layers.name = "layers";
  layers.type = KeyType::kStringList;
  layers.default_value = "";
  layers.doc = "layers whose weights share codebooks (empty = every conv / dense / GRU / LSTM)";
  d.keys.push_back(layers);
  d.keys.push_back(stage_optimizer_key(false));
  for (const StageKey& k : training_keys(/*default_epochs=*/0)) d.keys.push_back(k);
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
