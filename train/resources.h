#pragma once
// The resource profile of a Graph IR: parameters, bytes at the real storage
// precision, multiply-accumulates and activation memory, per layer and in total.
// (The energy estimate and MACs split by precision arrive with the compression issue.)
#include <cstdint>
#include <string>
#include <vector>

#include "train/graph_ir.h"

namespace slimlab::train {

struct LayerResources {
  std::string name;
  std::string kind;
  std::string precision;            // of the weights ("fp32", "fixed<4,4>", "binary", …)
  std::vector<int64_t> output_shape;
  int64_t params = 0;
  int64_t bytes = 0;                // parameter storage at its precision (bit-packed where < 8 bits)
  int64_t macs = 0;                 // per inference (batch 1)
  int64_t activation_bytes = 0;     // this layer's output at its activation precision
};

struct ResourceProfile {
  std::vector<LayerResources> layers;
  int64_t params = 0;
  int64_t bytes = 0;
  int64_t macs = 0;
  int64_t peak_activation_bytes = 0;  // largest sum of live activations over the layer order
};

ResourceProfile profile(const ir::Graph& g);

}  // namespace slimlab::train
