#pragma once
// Building a model's Graph IR layer by layer: a call sets a layer's attributes, the
// op facts (train/op_facts.h) give its output shape and parameters. Also the width
// multiplier and the input-shape checks the models share. No LibTorch.
#include <cstdint>
#include <string>
#include <vector>

#include "train/config.h"
#include "train/graph_ir.h"

namespace slimlab::train {

// A hidden width under the width multiplier: max(1, round(base · width)).
int64_t scaled_units(int64_t base, double width);

// Checks what every model needs from its config: width > 0, num_classes ≥ 1, an input of
// `rank` positive extents. std::invalid_argument naming the model and `needs`
// (e.g. "an image [C, H, W] with H, W ≥ 16") otherwise.
void check_model_config(const ModelConfig& cfg, const std::string& model, size_t rank, const std::string& needs);

class GraphBuilder {
 public:
  GraphBuilder(std::string model, std::vector<int64_t> input_shape, int64_t num_classes);

  // Each call appends one layer and returns its name. `from` is the layer feeding it;
  // empty means the layer added last. Convolutions and pools are 1-d or 2-d by the
  // input's rank ([C, L] or [C, H, W]); an empty stride is 1 for a conv, the kernel for a pool.
  std::string conv(const std::string& name, int64_t out_channels, std::vector<int64_t> kernel,
                   std::vector<int64_t> stride = {}, std::vector<int64_t> padding = {},
                   const std::string& from = "");
  std::string dense(const std::string& name, int64_t out_features, const std::string& from = "");
  std::string batch_norm(const std::string& name, const std::string& from = "");
  std::string max_pool(const std::string& name, std::vector<int64_t> kernel, const std::string& from = "");
  std::string global_avg_pool(const std::string& name, const std::string& from = "");
  std::string gru(const std::string& name, int64_t hidden, const std::string& from = "");
  // Shape-preserving layers: ReLU, dropout, sign, sigmoid, …
  std::string elementwise(const std::string& name, ir::LayerKind kind, const std::string& from = "");
  std::string flatten(const std::string& name, const std::string& from = "");
  std::string reshape(const std::string& name, std::vector<int64_t> shape, const std::string& from = "");
  std::string transpose(const std::string& name, std::vector<int64_t> perm, const std::string& from = "");
  std::string slice(const std::string& name, int64_t axis, int64_t begin, int64_t end, const std::string& from = "");
  std::string concat(const std::string& name, const std::vector<std::string>& inputs, int64_t axis);
  std::string mean_over_time(const std::string& name, const std::string& from = "");
  // A two-input element-wise layer (add, mul, sub, div) of `a` and `b`.
  std::string binary(const std::string& name, ir::LayerKind kind, const std::string& a, const std::string& b);

  const std::vector<int64_t>& shape(const std::string& layer) const;
  const std::string& last() const { return graph_.layers.back().name; }

  // Prunable groups. The producers of a conv / dense layer's units are its weight rows
  // and bias, plus the four vectors of the BatchNorm `bn` that follows (when given).
  std::vector<ir::UnitRef> output_units(const std::string& layer, const std::string& bn = "") const;
  // A conv / dense group named after `layer`, whose units feed `consumers`.
  void unit_group(const std::string& layer, const std::string& bn, std::vector<ir::UnitRef> consumers);
  // A GRU's units: the gate rows of weight_ih, weight_hh and both biases (gate_stride = H)
  // and the recurrent columns of weight_hh.
  void gru_group(const std::string& layer, std::vector<ir::UnitRef> consumers);
  void add_group(ir::PrunableGroup group) { graph_.groups.push_back(std::move(group)); }

  // The finished graph, validated (std::invalid_argument on an inconsistency).
  ir::Graph finish() const;

 private:
  ir::Layer& append(const std::string& name, ir::LayerKind kind, const std::vector<std::string>& inputs);
  // Output shape and parameters of `l` from its attributes and inputs (the op facts).
  void complete(ir::Layer& l) const;
  // A layer with no attributes fed by `from`.
  std::string add(const std::string& name, ir::LayerKind kind, const std::string& from);
  const ir::Layer& layer(const std::string& name) const;
  std::string resolve(const std::string& from) const { return from.empty() ? last() : from; }

  ir::Graph graph_;
};

// The input side of a downstream parameter: `param` of `layer` along axis 1, each unit
// owning `block` consecutive entries (a conv channel flattened into a dense layer owns H·W).
ir::UnitRef input_columns(const std::string& layer, const std::string& param = "weight", int64_t block = 1,
                          int64_t gate_stride = 0);

}  // namespace slimlab::train
