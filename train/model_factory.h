#pragma once
// Models by name. model_names() and model_modality() are torch-free (the experiment
// config validation uses them); make_model() needs LibTorch — include
// "train/model.h" where the returned model is used.
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "train/config.h"

namespace slimlab::train {

class SlimModelImpl;
using SlimModel = std::shared_ptr<SlimModelImpl>;  // the same alias as train/model.h

// The known models, in a stable order.
inline const std::vector<std::string>& model_names() {
  static const std::vector<std::string> names = {"deepsense", "cnn1d",   "deepear_dnn",
                                                 "audio_cnn", "lenet5", "vgg_small"};
  return names;
}

inline std::string known_models_list() {
  std::string out;
  for (const std::string& n : model_names()) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// The data a model is made for: "har" | "audio" | "vision". std::invalid_argument
// for an unknown name (listing the known ones).
inline std::string model_modality(const std::string& name) {
  if (name == "deepsense" || name == "cnn1d") return "har";
  if (name == "deepear_dnn" || name == "audio_cnn") return "audio";
  if (name == "lenet5" || name == "vgg_small") return "vision";
  throw std::invalid_argument("unknown model '" + name + "' (known: " + known_models_list() + ")");
}

// Builds cfg.name for cfg.input_shape / cfg.num_classes: its graph (model_graph,
// train/models/models.h) as a GraphModule with LibTorch's default initialization from
// LibTorch's generator (init_parameters). std::invalid_argument for an unknown name
// (listing the known ones) or an input shape the model cannot take (saying which
// shape it needs).
SlimModel make_model(const ModelConfig& cfg);

}  // namespace slimlab::train
