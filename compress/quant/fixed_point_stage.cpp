#include "compress/quant/fixed_point_stage.h"

#include "compress/binary/binary_stage.h"
#include "compress/quant/fold_batchnorm.h"

namespace slimlab::compress {

namespace {

StageKey int_key(const std::string& name, const std::string& def, double min, double max, const std::string& doc) {
  StageKey k;
  k.name = name;
  k.type = KeyType::kInt;
  k.default_value = def;
  k.min = min;
  k.max = max;
  k.doc = doc;
  return k;
}

StageKey choice_key(const std::string& name, const std::string& def, std::vector<std::string> choices,
                    const std::string& doc) {
  StageKey k;
  k.name = name;
  k.type = KeyType::kString;
  k.default_value = def;
  k.choices = std::move(choices);
  k.doc = doc;
  return k;
}

}  // namespace

quant::FixedPointSpec fixed_point_spec(const StageParams& p) {
  quant::FixedPointSpec s;
  const int wl = int(p.integer("word_length"));
  auto pick = [&](const char* key) {
    const int v = int(p.integer(key));
    return v > 0 ? v : wl;
  };
  s.weight_bits = pick("weights");
  s.activation_bits = pick("activations");
  s.state_bits = pick("state");
  s.stochastic_weights = p.text("rounding") == "stochastic";
  return s;
}

StageDescription fixed_point_stage_description() {
  StageDescription d;
  d.type = "fixed_point";
  d.doc = "fixed-point ⟨IL,FL⟩ quantization of weights, activations and GRU/LSTM state (PTQ or QAT), bit-exact with slimrt";
  d.keys.push_back(int_key("word_length", "8", 2, 16, "word length WL = IL + FL of every tensor (bits, 2..16)"));
  d.keys.push_back(int_key("weights", "0", 0, 16, "word length of the weights (0 = word_length)"));
  d.keys.push_back(int_key("activations", "0", 0, 16, "word length of the input and the layer outputs (0 = word_length)"));
  d.keys.push_back(int_key("state", "0", 0, 16,
                           "word length of GRU/LSTM state, gate pre-activations and gates (0 = word_length)"));
  d.keys.push_back(choice_key("rounding", "nearest", {"nearest", "stochastic"},
                              "rounding of the fake quantizer: to nearest (ties up), or stochastic (unbiased)"));
  d.keys.push_back(choice_key("mode", "ptq", {"ptq", "qat"},
                              "ptq: calibrate FL per tensor on training data; qat: then fine-tune with fake quantization (STE)"));
  d.keys.push_back(int_key("calibration_samples", "512", 1, 1000000,
                           "training samples whose ranges pick each activation's FL"));
  StageKey ste;
  ste.name = "plain_ste";
  ste.type = KeyType::kBool;
  ste.default_value = "false";
  ste.doc = "qat: pass the gradient also where a value saturated (default: zero there, the clipped STE)";
  d.keys.push_back(ste);
  d.keys.push_back(stage_optimizer_key(false));
  for (const StageKey& k : training_keys(/*default_epochs=*/0)) d.keys.push_back(k);
  d.validate = [](const StageParams& p) {
    std::vector<StageIssue> issues;
    for (const char* key : {"weights", "activations", "state"})
      if (p.integer(key) == 1)
        issues.push_back({key, "a word length of 1 bit is not fixed point (2..16, or 0 for word_length)"});
    const bool qat = p.text("mode") == "qat";
    if (qat && p.integer("epochs") < 1)
      issues.push_back({"epochs", "mode = \"qat\" fine-tunes: it needs at least one epoch"});
    if (!qat && p.integer("epochs") > 0)
      issues.push_back({"epochs", "mode = \"ptq\" does not train; set mode = \"qat\" to fine-tune, or epochs = 0"});
    return issues;
  };
  return d;
}

}  // namespace slimlab::compress
