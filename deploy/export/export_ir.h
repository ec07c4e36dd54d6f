#pragma once
// The exporter's IR: the workbench's Graph IR layers, each with an Annotation that the
// export passes (deploy/export/passes, docs/EXPORT.md) fill in — the op it becomes, the
// storage of its output, a fused activation, folded thresholds, its constant operands —
// so that the serializer (serializer.h) writes one annotated layer as one .slim op
// without deciding anything. Torch-free.
#include <cstdint>
#include <string>
#include <vector>

#include "slimrt/op_list.h"
#include "slimrt/runtime.h"
#include "train/graph_ir.h"

namespace slimlab::deploy {

// Storage and fixed-point format of one value (a layer's output tensor).
struct ValueFormat {
  slimrt::DType dt = slimrt::DType::F32;
  int wl = 0, fl = 0;
};

// A constant operand, written as it is: F32 `values`; I8 / I16 / I32 the integers
// `ints` (already quantized, at `fl` / `wl`); BIN the signs of `values`, in rows of
// `per` values, packed as bitpack.h does.
struct Constant {
  std::string name;
  slimrt::DType dt = slimrt::DType::F32;
  std::vector<int64_t> shape;
  std::vector<float> values;
  std::vector<int64_t> ints;
  size_t per = 0;
  int wl = 0, fl = 0;
};

// An empty constant (its values or ints filled by the caller).
Constant make_constant(std::string name, slimrt::DType dt, std::vector<int64_t> shape, int fl = 0, int wl = 0);

// One input of the op: another layer's output, a constant, or absent (-1 in the file).
struct Operand {
  enum class Kind { kValue, kConstant, kAbsent };
  Kind kind = Kind::kAbsent;
  std::string value;
  Constant constant;
  static Operand of(std::string layer) { return {Kind::kValue, std::move(layer), {}}; }
  static Operand of(Constant c) { return {Kind::kConstant, {}, std::move(c)}; }
  static Operand absent() { return {}; }
};

constexpr slimrt::OpId kNoOp = slimrt::OpId::kCount;

// What the passes decided about one layer.
struct Annotation {
  slimrt::OpId op = kNoOp;            // lower_ops: the .slim op (kNoOp: the model's input, no op)
  std::string op_name;                // the op's name; empty: the layer's name
  std::string tensor;                 // the output tensor's name; empty: the layer's name
  std::vector<int64_t> shape;         // the output tensor's shape; empty: the layer's output_shape
  ValueFormat out;                    // choose_dtypes: storage and format of the output
  bool out_chosen = false;            // `out` and `shape` are final (packed BNN values)
  slimrt::DType param_dt = slimrt::DType::F32;  // choose_dtypes: storage of fixed-point weights
  std::vector<Operand> operands;      // lower_ops: the op's inputs in order (empty: the layer's inputs)
  bool output_first = false;          // the output tensor is written before the constants (file order only)
  slimrt::fb::Activation activation = slimrt::fb::Activation::None;  // fuse_activation
  bool reads_packed = false;          // fold_bn_sign_thresholds: XOR + popcount on packed signs
  std::vector<float> thresholds;      // fold_bn_sign_thresholds: [O, 3] (threshold, direction, constant)
  ValueFormat gate_pre, gate, cell;   // choose_dtypes: fixed-point GRU / LSTM state formats
  std::vector<std::string> notes;     // decisions worth telling the user, in layer order
};

struct ExportLayer {
  ir::Layer layer;
  Annotation ann;
};

struct ExportGraph {
  std::string model;
  std::vector<int64_t> input_shape;
  std::vector<ExportLayer> layers;    // topological order; layers[0] is the input
  std::string output;                 // the layer whose value the model outputs
  std::string output_name;            // the workbench graph's last layer (names the logits)
  std::string raw_output;             // choose_dtypes: the fixed-point logits before their Dequantize
  bool fixed = false;        // fixed-point activations (int8 / int16, or binary weights with them)
  bool pack_binary = false;  // binary export: pack sign activations for BNN layers
  std::vector<std::string> notes;  // graph-level decisions (precision, folded batch norms)

  // Builds the export graph of a validated Graph IR (no annotation yet).
  static ExportGraph from(const ir::Graph& g, bool fixed, bool pack_binary);

  const ExportLayer* find(const std::string& name) const;  // nullptr when there is none
  ExportLayer* find(const std::string& name) {
    return const_cast<ExportLayer*>(static_cast<const ExportGraph*>(this)->find(name));
  }
  const ExportLayer& at(const std::string& name) const;  // throws naming the layer
  // Layers reading `name` (a layer reading it twice is listed twice).
  std::vector<ExportLayer*> readers(const std::string& name);
  // Whatever read `from` (and the model's output) reads `to`.
  void rewire(const std::string& from, const std::string& to);
  // Removes the layers named in `names`.
  void erase(const std::vector<std::string>& names);
  // Every note, graph-level first, then the layers' in layer order.
  std::vector<std::string> all_notes() const;
};

// ---- helpers shared by the passes ----
[[noreturn]] void fail(const ir::Layer& l, const std::string& what);
// The parameter with its values; throws naming the layer when absent or empty.
const ir::Param& need_param(const ir::Layer& l, const std::string& name);
// ⟨WL, FL⟩ of a fixed-point format; throws naming the layer and `what` otherwise.
ValueFormat fixed_format(const ir::Layer& l, const ir::NumericFormat& f, const std::string& what);
// The output format of a layer of a fixed-point export.
ValueFormat layer_format(const ir::Layer& l);
bool is_weighted(ir::LayerKind k);
bool binary_weight(const ir::Layer& l);
int64_t numel(const std::vector<int64_t>& shape);
const std::vector<int64_t>& tensor_shape(const ExportLayer& l);
const std::string& tensor_name(const ExportLayer& l);
const std::string& op_name(const ExportLayer& l);

// |w| of binary weights ±H: H per output row of `rows` × `per` values (throws naming the
// layer when a row's magnitudes differ).
std::vector<float> binary_scale(const ir::Layer& l, const std::vector<float>& w, size_t rows, size_t per);
// The layer's bias, or zeros for its out_features outputs.
std::vector<float> bias_or_zero(const ir::Layer& l);

int storage_bits(slimrt::DType d);
slimrt::DType storage_for(int wl);
slimrt::DType wider(slimrt::DType a, slimrt::DType b);

// The op of the same position in slimrt/op_list.h (LayerKind derives from the list, so
// this is a cast). kNoOp for a kind outside the list.
slimrt::OpId op_of(ir::LayerKind k);

}  // namespace slimlab::deploy
