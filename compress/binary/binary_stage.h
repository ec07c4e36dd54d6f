#pragma once
// The `binaryconnect` and `bnn` stages, torch-free half: keys, checks, which layers
// get binary weights, and the IR rewrite that gives BNN layers binary inputs.
//
//   [[stage]]
//   type = "binaryconnect"       # Courbariaux et al. 2015
//   mode = "det"                 # det | stoch
//   scale = "pow2"               # binary weights ±H: H = mean |w| per layer rounded to 2^k | "mean_abs" | "one" (±1)
//   layers = []                  # layers with binary weights (empty = every conv / dense)
//   float_layers = []            # layers kept in float
//   epochs = 10
//
//   [[stage]]
//   type = "bnn"                 # Hubara et al. 2016: binary weights AND sign activations
//   float_layers = ["first", "last"]   # "first" / "last" = the first / last conv-or-dense layer
//   batch_norm = true            # a BN before every sign whose input is not one already
//   shift_batchnorm = false      # BN's γ as a power of two (AP2) — the multiply becomes a shift
//   epochs = 10
//
// A binary BNN layer reads sign(BN(x)): the rewrite inserts "<layer>.bn_in" (when
// needed) and "<layer>.sign" before it, so the IR is the network slimrt runs (BN +
// sign fold into a per-channel threshold there).
#include <string>
#include <vector>

#include "compress/stage.h"
#include "train/graph_ir.h"

namespace slimlab::compress {

StageDescription binaryconnect_stage_description();
StageDescription bnn_stage_description();

// The `optimizer` key of the quantization stages: "train" (the experiment's
// train.optimizer) or one of sgd, adam, adamw, rmsprop — plus shift_adamax for BNN.
StageKey stage_optimizer_key(bool shift_adamax);

// The layers that get binary weights. `layers` empty = every supported layer;
// `float_layers` may hold "first" / "last". Issues (key "layers" / "float_layers")
// for unknown names and layer kinds without binary support — BNN: dense, conv1d,
// conv2d; BinaryConnect: also depthwise conv2d.
std::vector<std::string> binary_layers(const ir::Graph& g, const std::vector<std::string>& layers,
                                       const std::vector<std::string>& float_layers, bool bnn,
                                       std::vector<StageIssue>* issues);

// BNN rewrite: before every layer in `binary`, a BatchNorm (unless its input already is
// one, or `batch_norm` is false; identity statistics) and a Sign (activation format
// binary). Needs weights on the new BN only (filled here). The result validates.
ir::Graph insert_sign_activations(const ir::Graph& g, const std::vector<std::string>& binary, bool batch_norm);

// Marks the weights of `binary` as binary (precision kBinary) and replaces their values
// by ±H with H = `scales[i]` (sign(0) = +1, bitpack.h's rule). When H is a power of two,
// 2^−FL, the format also records fixed.fl = FL (il = 1 − FL): the ±1 values times 2^−FL.
void mark_binary_weights(ir::Graph& g, const std::vector<std::string>& binary, const std::vector<double>& scales);

}  // namespace slimlab::compress
