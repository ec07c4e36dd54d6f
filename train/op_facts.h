#pragma once
// Op facts: what the workbench knows about each layer kind, written once. One row per
// IR layer kind (train/op_facts.cpp) holds
//   - its shape rule: the output shape from the inputs' shapes and the attributes, and
//     the parameter tensors the layer must carry (used by Graph::validate, surgery's
//     shape propagation and GraphBuilder);
//   - its numeric-format rule: how fixed-point calibration picks the output format;
//   - its multiply-accumulates per inference (the resource profile).
// Parameter and activation bytes depend on the formats only (param_bytes, packed_bytes).
// No LibTorch. Adding an elementwise op is one row naming a category (kElementwise…).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "train/graph_ir.h"

namespace slimlab::ir {

using Shape = std::vector<int64_t>;

// Product of the extents (1 for a scalar shape []).
int64_t numel(const Shape& s);
// "[a, b, c]".
std::string to_string(const Shape& s);

// A parameter tensor a layer must carry, in LibTorch's registration order.
struct ParamSpec {
  std::string name;
  Shape shape;
  bool trainable = true;  // false: a buffer (BN running statistics)
};
using ParamSpecs = std::vector<ParamSpec>;

// How fixed-point calibration chooses a layer's output format.
enum class FormatRule {
  kInput,       // the network input: from the observed samples
  kKeepsInput,  // the first input's format (the values are a subset or a clip of the input's)
  kObserved,    // from the observed output range
  kUnitRange,   // outputs within [-1, 1] whatever the input (sign, softmax, sigmoid)
  kAffine,      // batch norm: observed range; its per-channel scale is quantized too
  kRecurrent,   // GRU / LSTM: state, gate pre-activation, gate and cell formats
};

using InputShapes = std::vector<const Shape*>;

struct OpFacts {
  // Output shape of `l` fed `ins`; appends to `params` (may be null) the parameters the
  // layer must carry. Throws std::invalid_argument naming the layer on bad attributes.
  Shape (*shape)(const Graph& g, const Layer& l, const InputShapes& ins, ParamSpecs* params) = nullptr;
  FormatRule format = FormatRule::kObserved;
  // Multiply-accumulates of one inference at batch 1 (null: none — pooling, activations
  // and reshapes compare, add or copy; BN folds into the preceding layer at export).
  int64_t (*macs)(const Layer& l) = nullptr;
  // Unary element-wise activations only: the function in double precision (the float
  // reference that fixed-point calibration observes; the bit-exact evaluation runs
  // slimrt's kernel of the same name). Null for every other kind.
  double (*activation)(double v, const Layer& l) = nullptr;
};

// The facts of an IR layer kind; std::invalid_argument for a kind that is not one.
const OpFacts& op_facts(LayerKind k);

// op_facts(l.kind).shape with the layer's own error messages ("graph: layer 'x' (kind): …").
Shape infer_output_shape(const Graph& g, const Layer& l, const InputShapes& ins, ParamSpecs* params = nullptr);
// The parameters `l` must carry, given its inputs' shapes.
ParamSpecs param_specs(const Graph& g, const Layer& l, const InputShapes& ins);

// Multiply-accumulates of one inference of `l` (batch 1); 0 for kinds without.
int64_t layer_macs(const Layer& l);
// Dense, convolutions, GRU, LSTM: the kinds whose weights multiply (and count MACs).
bool multiplies_weights(LayerKind k);

// Add / Sub / Mul / Div broadcast their inputs' per-sample shapes as numpy / ONNX do
// (trailing axes aligned, a missing leading axis or an extent 1 repeats): the shape of
// the result, or nullopt when they do not broadcast. The batch axis is never broadcast.
std::optional<Shape> broadcast_shapes(const Shape& a, const Shape& b);

// Storage of n values at `bits` each, bit-packed: ⌈n·bits / 8⌉ bytes.
int64_t packed_bytes(int64_t n, int bits);
// Bytes of one parameter tensor at its storage format (resources.h explains the rules).
int64_t param_bytes(const Param& p);

}  // namespace slimlab::ir
