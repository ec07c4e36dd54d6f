#pragma once
// `[model] onnx = "file.onnx"` in an experiment: the run's network imported from ONNX
// (onnx_import.h) as a GraphModule, with the imported weights or LibTorch's default
// initialization (model.onnx_init). Needs LibTorch (onnx_model_torch.cpp).
#include <functional>
#include <string>

#include "train/config.h"
#include "train/model_factory.h"

namespace slimlab::onnx_import {

// Imports cfg.onnx for the data's cfg.input_shape and checks its outputs against
// cfg.num_classes; `log` receives the import's notes (prunable groups left out and why).
// OnnxError naming the file on any mismatch.
train::SlimModel make_onnx_model(const train::ModelConfig& cfg, const std::function<void(const std::string&)>& log);

}  // namespace slimlab::onnx_import
