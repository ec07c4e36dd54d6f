#pragma once
// `slimlab export --front-end`: the sensor front end a run's dataset configuration
// implies, put in front of the exported network (slimrt_frontend's attach_front_end),
// so the .slim takes what the sensor gives — audio samples, accelerometer / gyroscope
// samples, u8 images — and normalises them as training did. docs/EXPORT.md.
#include <string>
#include <vector>

#include "datasets/pipeline.h"
#include "slimrt/frontend_graph.h"

namespace slimlab::deploy {

// Audio log-mel / MFCC → AudioFeatures (+ Normalize); HAR DeepSense → DeepSenseFeatures
// (+ Normalize); images → ImageResize (its own per-channel mean / std). Streaming
// defaults: audio a decision every quarter window (a multiple of the STFT hop), HAR the
// training windows' hop; both smoothed by a vote over 3 decisions. Throws
// std::invalid_argument naming the key for a configuration without a device front end
// yet (HAR raw windows, raw audio).
slimrt::frontend::FrontEndSpec front_end_spec(const data::DatasetConfig& c, const data::PreparedData& d);

// The .slim `slim` with `spec` attached (slimrt::Error naming what does not fit).
std::vector<uint8_t> with_front_end(const std::vector<uint8_t>& slim, const slimrt::frontend::FrontEndSpec& spec);

// One line for the user: "AudioFeatures: 8000 samples at 8000 Hz → log-mel 40 × 101, normalised".
std::string describe(const slimrt::frontend::FrontEndSpec& spec);

}  // namespace slimlab::deploy
