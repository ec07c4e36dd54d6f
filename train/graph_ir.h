#pragma once
// The Graph IR: one description of a network — typed layers with per-sample
// shapes, parameter tensors, precision annotations and prunable groups. Every
// model produces it (SlimModel::graph()); compression rewrites it, the resource
// model counts it, the exporter serialises it. Deliberately free of LibTorch.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "slimrt/op_list.h"

namespace slimlab::ir {

// The layer kinds: generated from the one op list (deploy/runtime/include/slimrt/op_list.h),
// value = position in the list (= the .slim op id), name = the list's ir_name. Only the
// entries marked SLIMRT_OP_IR are layers of the IR (is_ir_kind); the others (kScale,
// kQuantize, ...) exist so that every op has one id, and Graph::validate rejects them.
// What each kind means for shapes, parameters, formats and MACs: train/op_facts.h.
//   kDense            y = W x + b; W [out, in]
//   kConv1d / kConv2d W [out, in/groups, k...]; input [C, L] / [C, H, W]
//   kDepthwiseConv2d  conv2d with groups == in == out/multiplier
//   kGlobalAvgPool    [C, ...] → [C]
//   kBatchNorm        gamma, beta, running_mean, running_var over axis 0 of the sample
//   kGru / kLstm      input [T, F] → [T, H]; weight_ih [GH, F], weight_hh [GH, H], biases [GH]
//                     (G = 3 gates r, z, n / 4 gates i, f, g, o)
//   kDropout          identity at inference
//   kConcat           along axis `axis` of the per-sample shape
//   kMeanOverTime     [T, F] → [F]
//   kSlice            entries [begin, end) along `axis` (one sensor of a multi-sensor input)
//   kTranspose        permutes the per-sample axes: output axis i is input axis perm[i]
enum class LayerKind : uint16_t {
#define SLIMLAB_IR_LAYER_KIND_(name, ir_name, where) k##name,
  SLIMRT_OP_LIST(SLIMLAB_IR_LAYER_KIND_)
#undef SLIMLAB_IR_LAYER_KIND_
};
constexpr int kLayerKindCount = slimrt::op_count();
// True for the kinds marked SLIMRT_OP_IR in the op list.
constexpr bool is_ir_kind(LayerKind k) {
  return static_cast<int>(k) < kLayerKindCount && slimrt::op_in(slimrt::OpId(k), SLIMRT_OP_IR);
}
// The list's ir_name ("conv2d", "mean_over_time"); "unknown" outside the list.
const char* to_string(LayerKind k);
// The IR kind named `s`; nullopt for an unknown name or an op that is not an IR layer.
std::optional<LayerKind> layer_kind_from_string(const std::string& s);

// Storage / arithmetic precision of a tensor. Fixed point carries its ⟨IL, FL⟩.
enum class Precision { kFloat32, kFloat16, kFixed, kBinary };
const char* to_string(Precision p);

struct FixedPointFormat {
  int il = 0;  // integer bits, sign included
  int fl = 0;  // fractional bits
  int word_length() const { return il + fl; }
};

struct NumericFormat {
  Precision precision = Precision::kFloat32;
  FixedPointFormat fixed;  // meaningful when precision == kFixed
  // Weight sharing (compress/share): each value is stored as a `codebook_bits`-bit
  // index into one of `codebooks` codebooks of 2^codebook_bits centroids (product
  // quantization: one codebook per column block); the centroids themselves are
  // stored at `precision`. 0 = no codebook.
  int codebook_bits = 0;
  int codebooks = 0;
  // Bits one stored value occupies: 32, 16, IL+FL, 1 — or codebook_bits for a
  // shared weight (add codebooks · 2^codebook_bits centroids for its bytes).
  int bits() const;
};

struct Param {
  std::string name;               // "weight", "bias", "weight_ih_l0", "running_mean", …
  std::vector<int64_t> shape;
  NumericFormat format;
  bool trainable = true;          // false for BN running statistics
  std::vector<float> data;        // filled only when a graph is taken with weights
  int64_t numel() const;
};

struct Layer {
  std::string name;                 // unique, e.g. "acc.conv1", "gru1", "fc"
  LayerKind kind = LayerKind::kInput;
  std::vector<std::string> inputs;  // names of the layers feeding this one (empty for kInput)
  std::vector<int64_t> output_shape;  // per sample, no batch axis

  // Attributes (those that apply to the kind; the rest stay at their defaults).
  int64_t in_features = 0, out_features = 0;  // dense: in/out; conv: in/out channels; rnn: input/hidden size
  std::vector<int64_t> kernel, stride, padding, dilation;  // conv / pooling, one entry per spatial axis
  int64_t groups = 1;
  int64_t axis = 0;                 // concat / slice axis
  int64_t begin = 0, end = 0;       // slice: entries [begin, end) along `axis`
  std::vector<int64_t> perm;        // transpose: output axis i is input axis perm[i]
  bool bias = true;
  float min_value = -1, max_value = 1;  // hard-tanh
  float alpha = 0, beta = 0;  // leaky_relu: slope below 0; hard_sigmoid: min(max(alpha·x + beta, 0), 1)

  std::vector<Param> params;
  NumericFormat activation_format;  // precision of this layer's output
  // Fixed-point GRU / LSTM (compress/quant): the format of the gate pre-activations
  // (W x + b, U h + b and their sums), of the gate values (sigmoid / tanh outputs)
  // and of the LSTM cell state c_t; h_t uses activation_format.
  NumericFormat gate_preactivation_format;
  NumericFormat gate_format;
  NumericFormat cell_format;

  // Trainable parameters only (as LibTorch's parameters(): BN running statistics
  // are buffers and not counted; the resource profile's bytes do count them).
  int64_t parameter_count() const;
  const Param* param(const std::string& name) const;
  Param* param(const std::string& name);
};

// Where the units of a prunable group live: `param` of `layer`, along `axis`.
// `block` > 1 when each unit owns `block` consecutive entries along that axis
// (a GRU's 3 gates: unit u owns rows u, H+u, 2H+u → use `gate_stride`; a conv
// channel flattened into a dense layer owns H·W consecutive inputs → use `block`).
struct UnitRef {
  std::string layer;
  std::string param;
  int axis = 0;
  int64_t block = 1;        // consecutive entries per unit
  int64_t gate_stride = 0;  // >0: the axis holds G gate blocks of gate_stride entries; unit u appears in each
};

// Output units that may be removed together (conv filters, dense units, RNN
// units). `producers` are the parameters indexed by the unit on their output
// side (weights' rows, biases, BN statistics, a GRU's gate rows and recurrent
// columns); `consumers` are downstream parameters whose inputs follow.
struct PrunableGroup {
  std::string name;
  std::string kind;  // "conv" | "dense" | "rnn"
  int64_t units = 0;
  std::vector<UnitRef> producers;
  std::vector<UnitRef> consumers;
};

struct Graph {
  std::string model;                 // "deepsense", "lenet5", …
  std::vector<int64_t> input_shape;  // per sample
  int64_t num_classes = 0;
  std::vector<Layer> layers;         // topological order; layers[0] is the input
  std::vector<PrunableGroup> groups;

  int64_t parameter_count() const;
  const Layer* layer(const std::string& name) const;
  Layer* layer(const std::string& name);
  // Checks names are unique, inputs refer to earlier layers, parameter shapes are
  // consistent with the attributes and groups refer to existing parameters with
  // the right extent. Throws std::invalid_argument naming the layer / group.
  void validate() const;
};

}  // namespace slimlab::ir
