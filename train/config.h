#pragma once
// Hyper-parameters of a model and of training, filled from an experiment's TOML
// ([model] and [train] tables) or from CLI flags. Plain structs, no LibTorch.
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/augment.h"

namespace slimlab::train {

struct ModelConfig {
  std::string name = "deepsense";  // deepsense | cnn1d | deepear_dnn | audio_cnn | lenet5 | vgg_small
  double width = 1.0;              // width multiplier on every hidden layer (units rounded, at least 1)
  double dropout = 0.1;
  int64_t gru_hidden = 120;        // DeepSense GRU units (before the width multiplier)
  int64_t conv_filters = 64;       // DeepSense / CNN1D filters (before the width multiplier)
  int64_t hidden_units = 256;      // DeepEar DNN hidden units (before the width multiplier)
  std::string onnx;                // an ONNX file: the network is imported from it (name = "onnx"; docs/ONNX.md)
  std::string onnx_init = "imported";  // imported: start from its weights | random: LibTorch's default init
  // Filled by the runner from the prepared data, not by the user:
  std::vector<int64_t> input_shape;  // per sample
  int64_t num_classes = 0;
};

struct TrainConfig {
  // Optimisation
  std::string optimizer = "adam";  // sgd | adam | adamw | rmsprop
  double lr = 1e-3;
  double momentum = 0.9;           // sgd, rmsprop
  double beta1 = 0.9, beta2 = 0.999;
  double weight_decay = 0.0;
  bool nesterov = false;
  // Schedule
  std::string schedule = "none";   // none | step | cosine
  int step_size = 10;              // step: epochs between decays
  double gamma = 0.1;              // step: decay factor
  int warmup_epochs = 0;           // linear warm-up from lr/10 before the schedule (epoch-wise)
  double min_lr = 0.0;             // cosine floor
  // Loop
  int epochs = 10;
  int64_t batch_size = 64;
  int patience = 0;                // early stopping on val accuracy: stop after `patience` epochs without improvement (0 = off)
  bool class_weighting = false;    // weight the loss by inverse class frequency of the training split
  double grad_clip = 0.0;          // clip the global gradient norm (0 = off)
  uint64_t seed = 1;
  int threads = 0;                 // intra-op threads (0 = LibTorch's default)
  // [augment]: seeded training-time augmentation (datasets/augment.h); its layout is
  // filled by the runner from the prepared data.
  data::AugmentOptions augment;
  // Distributed data parallel (c10d Gloo)
  int world_size = 1;
  int rank = 0;
  std::string master = "127.0.0.1:29500";  // TCPStore host:port
};

}  // namespace slimlab::train
