#pragma once
// The float audio front end that `slimlab export --front-end -p int8|int16` writes —
// AudioFeatures (f32) → Normalize → Quantize → the network — rewritten with the
// fixed-point front end the device runs (docs/MCU.md "The audio front end on the
// device"): AudioFeatures at int16 ⟨16, 11⟩ → the normalisation as a 1×1 depthwise
// Conv1d at int16 (weight 1/std, int32 bias −mean/std) → the requantize to the network's
// quantized input. slimrt and the device then run it bit for bit alike; it differs from
// the float front end by the fixed-point roundings only.
#include <cstdint>
#include <string>
#include <vector>

#include "slimrt/runtime.h"

namespace slimrt::mcu {

// Throws slimrt::Error (naming `origin`) when the graph does not start that way.
std::vector<uint8_t> fixed_audio_front_end(const Model& model, const std::string& origin);

}  // namespace slimrt::mcu
