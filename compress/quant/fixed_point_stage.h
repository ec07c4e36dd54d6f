#pragma once
// The `fixed_point` stage, torch-free half: keys and checks.
//
//   [[stage]]
//   type = "fixed_point"
//   word_length = 8          # weights, activations and GRU/LSTM state (2..16)
//   weights = 0              # per-kind word lengths; 0 = word_length
//   activations = 0
//   state = 0
//   rounding = "nearest"     # nearest | stochastic (weights at PTQ, weights + activations in QAT)
//   mode = "ptq"             # ptq: calibrate on training data | qat: fake quantization + STE fine-tuning
//   calibration_samples = 512
//   epochs = 0               # qat only
//
// BN is folded into the conv / dense before it, every tensor gets its ⟨IL, FL⟩ in the
// IR, and the stage's accuracy is the bit-exact integer evaluation (what slimrt computes).
#include "compress/quant/calibrate.h"
#include "compress/stage.h"

namespace slimlab::compress {

StageDescription fixed_point_stage_description();

// The spec of a validated stage (word lengths resolved).
quant::FixedPointSpec fixed_point_spec(const StageParams& p);

}  // namespace slimlab::compress
