#pragma once
// The importer's working state, shared by its files (not a public header).
//   onnx_tensor.cpp   TensorProto / attributes → checked values
//   onnx_import.cpp   the model: opset, references, cycles, input shape, the node loop
//   onnx_fold.cpp     nodes on constants (shape subgraphs), folded at import
//   onnx_layers.cpp   nodes that become IR layers
//   onnx_rnn.cpp      GRU / LSTM
//   onnx_arith.cpp    Add / Sub / Mul / Div (broadcasts, constants as per-channel affines)
//   onnx_groups.cpp   prunable groups derived from the finished graph
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "import/onnx_import.h"
#include "train/graph_ir.h"
#include "train/op_facts.h"

namespace slimlab::onnx_import::detail {

using Shape = std::vector<int64_t>;

// The doc_string prefix of a node that carries the fixed-point formats of a layer's
// internal values ("slimlab fixed point: gate_preactivation=8,4 gate=8,6": WL,FL pairs).
inline constexpr const char* kFixedPointDoc = "slimlab fixed point:";

// Limits on untrusted input.
constexpr int64_t kMaxDim = int64_t(1) << 31;          // one extent
constexpr int64_t kMaxElements = int64_t(1) << 28;     // one tensor (1 GiB of floats)
constexpr int64_t kMaxRank = 8;
constexpr int64_t kMaxFoldedElements = int64_t(1) << 22;  // one tensor computed at import

// A constant tensor (initializer, Constant node, folded value). Values are doubles:
// float weights and int64 shape values up to 2^53 are exact.
struct Tensor {
  Shape dims;
  bool integer = false;  // INT64 / INT32 / BOOL (shape arithmetic)
  std::vector<double> v;
  int32_t dtype = 0;     // the TensorProto's element type; 0 for a value computed at import
  // > 0: a DequantizeLinear of an integer initializer of this many bits (8, 32): v holds
  // q · 2^−fixed_fl exactly (onnx_qdq.cpp).
  int fixed_bits = 0, fixed_fl = 0;
  int64_t numel() const { return int64_t(v.size()); }
  std::vector<float> floats() const { return {v.begin(), v.end()}; }
  std::vector<int64_t> ints() const;
};

// A tensor value as an integer, clamped to ±4.6e18 (NaN → 0).
int64_t to_int(double d);

// Product of dims, OnnxError `what` when a dim is negative / absurd or the product too large.
int64_t checked_numel(const Shape& dims, const std::string& what);

// What an ONNX value is at import: a constant, or the output of an IR layer seen with
// a per-sample `shape` (the batch axis is implicit). `shape` may differ from the
// layer's output_shape by a reshape that has not been written as a layer yet
// (Flatten, Reshape, Squeeze: row-major data is unchanged). The ONNX tensor is `shape`
// with the batch axis inserted at `batch_axis` — 0, except between a recurrent layer
// and the transposes around it (ONNX's GRU / LSTM are time-major: [T, batch, F]).
struct Value {
  bool is_const = false;
  Tensor c;
  std::string layer;
  Shape shape;
  int64_t batch_axis = 0;
  // > 0: the integer output of a QuantizeLinear (⟨q_bits − q_fl, q_fl⟩) that only a
  // DequantizeLinear (or a Clip to a narrower word, then one) may read.
  int q_bits = 0, q_fl = 0;
  Shape full(int64_t batch) const {  // the ONNX dims
    Shape s = shape;
    s.insert(s.begin() + batch_axis, batch);
    return s;
  }
};

class Importer {
 public:
  Importer(const onnx::ModelProto& m, const ImportOptions& o, std::string source);
  ImportResult run();

  // ---- used by the op files -------------------------------------------------------
  [[noreturn]] void fail(const std::string& what) const;  // names the current node
  const onnx::NodeProto& node() const { return *node_; }
  int64_t opset() const { return opset_; }
  int64_t batch() const { return batch_; }
  // Input i of the current node; fails when absent / empty unless `optional`.
  const Value* input(int i, bool optional = false) const;
  const Tensor& const_input(int i) const;  // fails unless a constant
  // Fails unless a layer output, with the batch axis first unless `any_batch_axis`.
  const Value& layer_input(int i, bool any_batch_axis = false) const;
  size_t input_count() const { return size_t(node_->input_size()); }
  void set_output(int i, Value v);
  void set_const(int i, Tensor t);
  // How many nodes (and graph outputs) read value `name`.
  int uses(const std::string& name) const;
  // How many nodes (and graph outputs) read IR layer `layer` through any of its values,
  // not counting pass-throughs (Identity, Dropout, reshapes: their output is the same
  // layer's value): 1 when one node alone reads it.
  int layer_reads(const std::string& layer) const;

  // Attributes of the current node.
  const onnx::AttributeProto* attr(const std::string& name) const;
  int64_t attr_int(const std::string& name, int64_t fallback) const;
  float attr_float(const std::string& name, float fallback) const;
  std::string attr_string(const std::string& name, const std::string& fallback) const;
  std::vector<int64_t> attr_ints(const std::string& name) const;
  std::optional<Tensor> attr_tensor(const std::string& name) const;
  // Axes given as attribute (older opsets) or as input `input_index` (newer ones).
  std::vector<int64_t> axes(int input_index) const;

  // Appends layer `l` (kind, attributes, inputs set) with its parameters filled from
  // `data` (name → values, each checked against the op facts' shapes). Returns its name.
  std::string add_layer(ir::Layer l, const std::map<std::string, std::vector<float>>& data = {});
  // A unique IR layer name derived from the current node ("/conv1/Conv" → "conv1" for
  // a layer with weights, "/block1/Relu_1" → "block1.Relu_1").
  std::string layer_name(const std::string& suffix = "", bool weights = false);
  // The layer that holds `v` with exactly v.shape (writes a reshape layer if needed).
  std::string materialize(const Value& v);
  ir::Layer& layer(const std::string& name);
  void note(const std::string& text) { notes_.push_back(text); }
  // The nodes that read value `name`; whether it is the graph's output.
  const std::vector<const onnx::NodeProto*>& readers(const std::string& name) const {
    static const std::vector<const onnx::NodeProto*> none;
    auto it = readers_.find(name);
    return it == readers_.end() ? none : it->second;
  }
  bool is_graph_output(const std::string& name) const { return m_.graph().output(0).name() == name; }
  const ir::Graph& graph() const { return g_; }

 private:
  void check_model();
  void check_graph();
  std::vector<int> topological_order();
  void read_input();
  void convert(const onnx::NodeProto& n);
  void finish(ImportResult& r);

  const onnx::ModelProto& m_;
  ImportOptions o_;
  std::string source_;
  int64_t opset_ = 0;
  int64_t batch_ = 1;
  const onnx::NodeProto* node_ = nullptr;
  std::map<std::string, Value> values_;
  std::map<std::string, int> uses_;
  std::map<std::string, std::vector<const onnx::NodeProto*>> readers_;
  std::map<std::string, const onnx::TensorProto*> initializers_;
  std::set<std::string> layer_names_;
  std::map<std::string, std::string> reshapes_;  // "layer|shape" → reshape layer
  std::vector<std::string> notes_;
  ir::Graph g_;
};

// Tensor from a TensorProto (`what` names it in errors).
Tensor read_tensor(const onnx::TensorProto& t, const std::string& what);
// The ONNX element type's name ("FLOAT", "INT64", …).
std::string type_name(int32_t data_type);

// Op handlers: one function per ONNX op type. fold_ops(): ops evaluated on constants
// (they return false when an input is not constant, then the layer handler runs).
using Handler = std::function<void(Importer&)>;
using FoldHandler = std::function<bool(Importer&)>;
const std::map<std::string, FoldHandler>& fold_ops();
const std::map<std::string, Handler>& layer_ops();
void add_rnn_ops(std::map<std::string, Handler>& ops);
// QDQ (onnx_qdq.cpp): QuantizeLinear / DequantizeLinear on the data path (and a Clip
// between them) set the producing layer's fixed-point format; DequantizeLinear of an
// integer initializer folds to its float values (fold_dequantize).
void add_qdq_ops(std::map<std::string, Handler>& ops);
bool fold_dequantize(Importer& im);
// After a node's handler added layers from index `first_new` on: the weight formats of
// its DequantizeLinear inputs and the internal formats of its doc_string.
void adopt_fixed_point(Importer& im, size_t first_new);
// The finished graph, once: when any value was quantized, the formats the QDQ form
// leaves implicit (a layer that keeps its input's format, biases at the accumulator's FL).
void finish_fixed_point(ir::Graph& g, std::vector<std::string>& notes);
void add_arith_ops(std::map<std::string, Handler>& ops);  // Add, Sub, Mul, Div (onnx_arith.cpp)
// Reshape target with ONNX's 0 (copy) and -1 (infer) resolved against `dims`.
Shape reshape_target(const Importer& im, const Shape& dims, const std::vector<int64_t>& target);
// The supported op types, for error messages.
std::string supported_ops();

// Gate orders: IR gate g is ONNX gate kGruFromOnnx[g] (GRU: r, z, n ← z, r, h; LSTM:
// i, f, g, o ← i, o, f, c); the *ToOnnx orders are their inverses.
inline const std::vector<int> kGruFromOnnx{1, 0, 2}, kLstmFromOnnx{0, 2, 3, 1};
inline const std::vector<int> kGruToOnnx{1, 0, 2}, kLstmToOnnx{0, 3, 1, 2};
// The gate blocks of `t` ([G·hidden, cols] rows, or [G·hidden] with cols = 1) with block g
// of the result taken from block order[g] of `t`.
std::vector<float> reorder(const std::vector<float>& t, int64_t hidden, int64_t cols, const std::vector<int>& order);

// Prunable groups of a finished graph; notes say which candidates were left out and why.
void derive_groups(ir::Graph& g, std::vector<std::string>& notes);

}  // namespace slimlab::onnx_import::detail
