#include "train/models/models.h"

#include <stdexcept>

#include "train/model_factory.h"

namespace slimlab::train {

ir::Graph model_graph(const ModelConfig& cfg) {
  if (cfg.name == "deepsense") return deepsense_graph(cfg);
  if (cfg.name == "cnn1d") return cnn1d_graph(cfg);
  if (cfg.name == "deepear_dnn") return deepear_dnn_graph(cfg);
  if (cfg.name == "audio_cnn") return audio_cnn_graph(cfg);
  if (cfg.name == "lenet5") return lenet5_graph(cfg);
  if (cfg.name == "vgg_small") return vgg_small_graph(cfg);
  throw std::invalid_argument("unknown model '" + cfg.name + "' (known: " + known_models_list() + ")");
}

}  // namespace slimlab::train
