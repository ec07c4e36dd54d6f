#pragma once
// The six models, as graph builders: each turns a ModelConfig into the model's Graph IR
// (structure only: layers, shapes, parameter shapes, prunable groups). That graph is
// the model's one description — make_model() (train/model_factory.h) executes it as a
// GraphModule with LibTorch's default initialization, the resource profile counts it,
// the exporter serialises it. No LibTorch.
//
// Each throws std::invalid_argument naming the model and the input shape it needs when
// the config does not fit (bad width / classes / dropout, wrong rank, too small).
#include "train/config.h"
#include "train/graph_ir.h"

namespace slimlab::train {

// DeepSense for HAR on STFT features [S sensors, T intervals, F features] (deepsense.cpp).
ir::Graph deepsense_graph(const ModelConfig& cfg);
// 1-d CNN on raw windows [C, W], W ≥ 8 (cnn1d.cpp).
ir::Graph cnn1d_graph(const ModelConfig& cfg);
// DeepEar-style DNN on any feature patch, flattened (deepear_dnn.cpp).
ir::Graph deepear_dnn_graph(const ModelConfig& cfg);
// Audio CNN on a patch [C, F, frames], F, frames ≥ 8 (audio_cnn.cpp).
ir::Graph audio_cnn_graph(const ModelConfig& cfg);
// Caffe's LeNet-5 on an image [C, H, W], H, W ≥ 16 (lenet5.cpp).
ir::Graph lenet5_graph(const ModelConfig& cfg);
// VGG-small on an image [C, H, W], H, W ≥ 8 (vgg_small.cpp).
ir::Graph vgg_small_graph(const ModelConfig& cfg);

// The graph of cfg.name; std::invalid_argument for an unknown name (listing the known ones).
ir::Graph model_graph(const ModelConfig& cfg);

}  // namespace slimlab::train
