#pragma once
// Puts a sensor front end in front of a network (library slimrt_frontend): the
// exporter's way to write a .slim that takes what the sensor gives — raw samples or
// pixels — instead of the features the workbench computed before training.
#include <cstdint>
#include <vector>

#include "slimrt/runtime.h"

namespace slimrt::frontend {

struct FrontEndSpec {
  // AudioFeatures (raw [N]), DeepSenseFeatures (raw [W, C]) or ImageResize (raw [H, W, Cs]).
  OpType op = OpType::AudioFeatures;
  FrontEndParams params;             // `present` is set here
  std::vector<int64_t> raw_shape;    // the new model input
  // The training normalisation of the network's input: (x − mean)/std along `axis` of
  // its shape (AudioFeatures, DeepSenseFeatures: a Normalize op; ImageResize: the op's
  // own mean / std inputs, per channel). Empty: none.
  std::vector<float> mean, stddev;
  int axis = 0;
};

// `network` with `spec`'s front end feeding its input 0: a new input tensor
// "raw_input" (f32, raw_shape) → the front-end op → (Normalize) → the network's former
// input, whose shape the features must fill. Verifies the result (slimrt's own loader,
// the front-end ops registered); throws slimrt::Error naming what does not fit.
std::vector<uint8_t> attach_front_end(const Model& network, const FrontEndSpec& spec);

// The inverse: `model` without the front-end ops its graph starts with (a chain from its
// input); the new input is the last one's output — the features the network takes
// (`slimrt-run run --raw`). Throws slimrt::Error when the graph starts with none.
std::vector<uint8_t> detach_front_end(const Model& model);

}  // namespace slimrt::frontend
