#include "train/model_factory.h"

#include "train/model.h"
#include "train/models/audio_cnn.h"
#include "train/models/cnn1d.h"
#include "train/models/deepear_dnn.h"
#include "train/models/deepsense.h"
#include "train/models/lenet5.h"
#include "train/models/vgg_small.h"

namespace slimlab::train {

SlimModel make_model(const ModelConfig& cfg) {
  if (cfg.name == "deepsense") return std::make_shared<DeepSenseImpl>(cfg);
  if (cfg.name == "cnn1d") return std::make_shared<Cnn1dImpl>(cfg);
  if (cfg.name == "deepear_dnn") return std::make_shared<DeepEarDnnImpl>(cfg);
  if (cfg.name == "audio_cnn") return std::make_shared<AudioCnnImpl>(cfg);
  if (cfg.name == "lenet5") return std::make_shared<LeNet5Impl>(cfg);
  if (cfg.name == "vgg_small") return std::make_shared<VggSmallImpl>(cfg);
  throw std::invalid_argument("unknown model '" + cfg.name + "' (known: " + known_models_list() + ")");
}

}  // namespace slimlab::train
