#pragma once
// The plain serializer: one annotated layer of the export graph (after the passes,
// passes/passes.h) is one .slim op. It decides nothing: the op id is the layer's
// position in slimrt/op_list.h, tensors and constants are written as the annotations
// say, attributes are copied from the layer as they are.
#include <cstdint>
#include <vector>

#include "deploy/export/export_ir.h"
#include "slimrt/runtime.h"

namespace slimlab::deploy {

struct Serialized {
  std::vector<uint8_t> bytes;
  int ops = 0;
  int raw_output_tensor = -1;  // the tensor of ExportGraph::raw_output; -1 without one
};

// Throws std::invalid_argument naming the layer when an operand has no tensor, and when
// slimrt's verifier rejects the written model.
Serialized serialize(const ExportGraph& g, const slimrt::Metadata& metadata);

}  // namespace slimlab::deploy
