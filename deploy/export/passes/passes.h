#pragma once
// The exporter's passes, in the order export_graph runs them (docs/EXPORT.md). Each
// rewrites the export graph in place: layers removed, fused or inserted, decisions
// written into their Annotation. Each throws std::invalid_argument naming the layer
// when something cannot be exported.
#include <optional>
#include <string>
#include <vector>

#include "deploy/export/export_ir.h"

namespace slimlab::deploy::passes {

// ---- on the workbench graph, before the export graph is built ----

// Float exports (fp32, binary with float activations): every batch norm whose input is
// a conv / dense layer read by nothing else folds into that layer's weights and bias
// (compress::quant::fold_batchnorm, the quantizer's own rule); a note per folded BN.
void fold_batchnorm(ir::Graph& g, std::vector<std::string>& notes);

// ---- on the export graph ----

// Binary export, float activations: sign layers read only by binary dense / conv2d
// layers are packed; a binary layer reading packed signs runs XOR + popcount, and its
// chain of batch norms / ReLUs / dropout (and, for conv2d, one max pool) up to the next
// packed sign folds into per-channel thresholds on the integer dot (packed output).
void fold_bn_sign_thresholds(ExportGraph& g);

// A batch norm reading a dense / conv that nothing else reads folds into that op
// (before any other pass, while the graph is still the workbench's): fixed point, into
// its per-channel requantization when compress/quant/fold_requant.h says so (the
// evaluator's rule, bit-exact); float, into the per-channel scale and bias of binary
// (BinaryConnect) weights. The BN's parameters travel on the op as "folded_bn.*" until
// lower_ops writes them as operands; a note per folded BN.
void fold_bn_requant(ExportGraph& g);
// The batch norm fold_bn_requant folded into `l` (its parameters), if any.
std::optional<ir::Layer> folded_batchnorm(const ir::Layer& l);
// Float: a batch norm folded into per-channel scale and bias (y = scale·Σ±x + bias).
void fold_into_scale(const ir::Layer& bn, std::vector<float>& scale, std::vector<float>& bias);

// Dropout is the identity at inference: readers read its input (fixed point: unless
// the dropout changes the format, then choose_dtypes writes a requantize).
void drop_dropout(ExportGraph& g);

// A ReLU or constant clamp with a fused form (kernels::Activation) straight after a dense / conv / add (or a fixed-point per-channel
// affine over [C, L]) that only it reads becomes that op's fused activation
// (fixed point: when it keeps its input's format).
void fuse_activation(ExportGraph& g);

// Storage of every value: fixed-point layers take the narrowest storage of their
// format, widened to what their operands need; a Quantize op is inserted where a value
// is read in another storage or format (once per value and format), after the input
// and after ops that keep their input's format; a Dequantize after a fixed-point output.
void choose_dtypes(ExportGraph& g);

// A batch norm left unfolded: float, a per-channel Scale; fixed point, the
// evaluator's rule as a depthwise 1×1 Conv1d over [C, inner] (reshaped around it).
void lower_batchnorm(ExportGraph& g);

// The op of every layer and its constant operands: weights quantized to their storage
// (or packed bits), int32 biases at the accumulator's FL, pooling strides made explicit.
void lower_ops(ExportGraph& g);

// All of the above, in order.
void run_all(ExportGraph& g);

}  // namespace slimlab::deploy::passes
