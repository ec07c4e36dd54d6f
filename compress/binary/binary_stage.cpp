#include "compress/binary/binary_stage.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "compress/stage_keys.h"
#include "slimrt/bitpack.h"
#include "train/op_facts.h"

namespace slimlab::compress {

namespace {

using K = ir::LayerKind;

bool supported(K k, bool bnn) {
  return k == K::kDense || k == K::kConv1d || k == K::kConv2d || (!bnn && k == K::kDepthwiseConv2d);
}

std::vector<StageIssue> check_layers(const StageParams& p, const ir::Graph& model, bool bnn) {
  std::vector<StageIssue> issues;
  binary_layers(model, p.list("layers"), p.list("float_layers"), bnn, &issues);
  return issues;
}

}  // namespace

std::vector<std::string> binary_layers(const ir::Graph& g, const std::vector<std::string>& layers,
                                       const std::vector<std::string>& float_layers, bool bnn,
                                       std::vector<StageIssue>* issues) {
  std::vector<std::string> weighted;
  for (const ir::Layer& l : g.layers)
    if (ir::multiplies_weights(l.kind)) weighted.push_back(l.name);
  const char* technique = bnn ? "BNN" : "BinaryConnect";
  const char* kinds = bnn ? "dense, conv1d and conv2d" : "dense, conv1d, conv2d and depthwise conv2d";
  std::set<std::string> keep_float;
  for (const std::string& n : float_layers) {
    if (n == "first" || n == "last") {
      if (!weighted.empty()) keep_float.insert(n == "first" ? weighted.front() : weighted.back());
    } else if (!g.layer(n)) {
      issues->push_back({"float_layers", "no layer '" + n + "' in the model (\"first\" and \"last\" are allowed too)"});
    } else {
      keep_float.insert(n);
    }
  }
  std::vector<std::string> out;
  if (layers.empty()) {
    for (const std::string& n : weighted)
      if (!keep_float.count(n) && supported(g.layer(n)->kind, bnn)) out.push_back(n);
    return out;
  }
  for (const std::string& n : layers) {
    const ir::Layer* l = g.layer(n);
    if (!l) {
      issues->push_back({"layers", "no layer '" + n + "' in the model"});
    } else if (!supported(l->kind, bnn)) {
      issues->push_back({"layers", "layer '" + n + "' is a " + ir::to_string(l->kind) + ": " + technique +
                                       " supports " + kinds + " layers"});
    } else if (keep_float.count(n)) {
      issues->push_back({"layers", "layer '" + n + "' is listed in both layers and float_layers"});
    } else {
      out.push_back(n);
    }
  }
  return out;
}

ir::Graph insert_sign_activations(const ir::Graph& g, const std::vector<std::string>& binary, bool batch_norm) {
  ir::Graph out = g;
  out.layers.clear();
  const std::set<std::string> targets(binary.begin(), binary.end());
  for (const ir::Layer& l : g.layers) {
    if (!targets.count(l.name)) {
      out.layers.push_back(l);
      continue;
    }
    std::string src = l.inputs.at(0);
    const ir::Layer* in = out.layer(src);
    const std::vector<int64_t> shape = in->output_shape;
    if (batch_norm && in->kind != K::kBatchNorm) {
      ir::Layer bn;
      bn.name = l.name + ".bn_in";
      bn.kind = K::kBatchNorm;
      bn.inputs = {src};
      bn.output_shape = shape;
      const int64_t c = shape.at(0);
      for (const char* n : {"weight", "bias", "running_mean", "running_var"}) {
        ir::Param p;
        p.name = n;
        p.shape = {c};
        p.trainable = std::string(n) == "weight" || std::string(n) == "bias";
        const bool one = std::string(n) == "weight" || std::string(n) == "running_var";
        p.data.assign(size_t(c), one ? 1.0f : 0.0f);
        bn.params.push_back(p);
      }
      out.layers.push_back(bn);
      src = bn.name;
    }
    ir::Layer sign;
    sign.name = l.name + ".sign";
    sign.kind = K::kSign;
    sign.inputs = {src};
    sign.output_shape = shape;
    sign.activation_format.precision = ir::Precision::kBinary;
    out.layers.push_back(sign);
    ir::Layer copy = l;
    copy.inputs[0] = sign.name;
    out.layers.push_back(copy);
  }
  out.validate();
  return out;
}

void mark_binary_weights(ir::Graph& g, const std::vector<std::string>& binary, const std::vector<double>& scales) {
  if (scales.size() != binary.size()) throw std::invalid_argument("mark_binary_weights: one scale per layer");
  for (size_t i = 0; i < binary.size(); ++i) {
    ir::Layer* l = g.layer(binary[i]);
    if (!l) throw std::invalid_argument("mark_binary_weights: no layer '" + binary[i] + "'");
    ir::Param* w = l->param("weight");
    if (!w) throw std::invalid_argument("mark_binary_weights: layer '" + binary[i] + "' has no weight");
    const float h = float(scales[i]);
    for (float& v : w->data) v = h * slimrt::bits::value_of_bit(slimrt::bits::sign_bit(v));
    w->format = ir::NumericFormat{};
    w->format.precision = ir::Precision::kBinary;
    // H = 2^−FL exactly: record FL, so fixed-point arithmetic can use the ±1 weights
    // with a shift (a later fixed_point stage keeps them binary).
    int e = 0;
    if (std::frexp(scales[i], &e) == 0.5) {
      w->format.fixed.fl = 1 - e;
      w->format.fixed.il = 1 - w->format.fixed.fl;
    }
  }
}

StageKey stage_optimizer_key(bool shift_adamax) {
  StageKey k = make_key("optimizer", KeyType::kString, "train",
                   shift_adamax ? "optimizer of this stage's training: train (= train.optimizer), sgd, adam, adamw, rmsprop "
                                  "or shift_adamax (AdaMax with power-of-two steps, Hubara et al.)"
                                : "optimizer of this stage's training: train (= train.optimizer), sgd, adam, adamw, rmsprop");
  k.choices = {"train", "sgd", "adam", "adamw", "rmsprop"};
  if (shift_adamax) k.choices.push_back("shift_adamax");
  return k;
}

StageDescription binaryconnect_stage_description() {
  StageKey mode = make_key("mode", KeyType::kString, "det", "binarization: det (sign) | stoch (+1 with probability hard_sigmoid(w/H))");
  mode.choices = {"det", "stoch"};
  StageKey scale = make_key("scale", KeyType::kString, "pow2",
                       "binary values ±H per layer: H = mean |w| of the float weights rounded to a power of two (pow2: "
                       "a shift at inference, and exact in a later fixed_point stage), H = mean |w| (mean_abs) or 1 (one, the paper)");
  scale.choices = {"pow2", "mean_abs", "one"};
  StageDescription d = describe_stage(
      "binaryconnect",
      "BinaryConnect (Courbariaux et al. 2015): binary weights in forward and backward, real weights kept and clipped",
      {mode, scale,
       make_key("layers", KeyType::kStringList, "", "layers with binary weights (empty = every conv and dense layer)"),
       make_key("float_layers", KeyType::kStringList, "",
                "layers kept in float (names, or \"first\" / \"last\" for the first / last weight layer)"),
       stage_optimizer_key(false)},
      /*default_epochs=*/10);
  d.validate = [](const StageParams& p) {
    return require_training(p, "BinaryConnect trains the binary network: at least one epoch");
  };
  d.preflight = [](const StageParams& p, const ir::Graph& model) { return check_layers(p, model, false); };
  return d;
}

StageDescription bnn_stage_description() {
  StageKey scale = make_key("scale", KeyType::kString, "pow2",
                       "binary weights ±H per layer: H = mean |w| rounded to a power of two (pow2), mean |w| (mean_abs) or 1 (one)");
  scale.choices = {"pow2", "mean_abs", "one"};
  StageDescription d = describe_stage(
      "bnn", "BNN (Hubara et al. 2016): binary weights and sign activations (STE 1{|r| ≤ 1}); first/last layers float",
      {scale,
       make_key("layers", KeyType::kStringList, "",
                "layers with binary weights and inputs (empty = every dense / conv layer not in float_layers)"),
       make_key("float_layers", KeyType::kStringList, "first,last",
                "layers kept in higher precision (names, or \"first\" / \"last\")"),
       make_key("batch_norm", KeyType::kBool, "true",
                "insert a batch norm before each sign whose input is not one (BNN normalises before binarizing)"),
       make_key("shift_batchnorm", KeyType::kBool, "false",
                "shift-based BN: the γ of the BNs before the signs rounded to powers of two (AP2) in training"),
       stage_optimizer_key(true)},
      /*default_epochs=*/10);
  d.validate = [](const StageParams& p) {
    return require_training(p, "BNN trains the binary network: at least one epoch");
  };
  d.preflight = [](const StageParams& p, const ir::Graph& model) {
    std::vector<StageIssue> issues = check_layers(p, model, true);
    if (issues.empty() && binary_layers(model, p.list("layers"), p.list("float_layers"), true, &issues).empty())
      issues.push_back({"float_layers", "no layer is left to binarize (every dense / conv layer is kept in float)"});
    return issues;
  };
  return d;
}

}  // namespace slimlab::compress
