#pragma once
// The device's samples → the model's (slimrt_stream_options.input_rate / input_channels):
// several audio channels mixed to mono (mix_to_mono, as the workbench mixes WAV files),
// then resampled to the model's rate as the samples arrive — band-limited for audio
// (StreamResampler, the workbench's datasets/resample.cpp), linear for inertial sensors
// (LinearStreamResampler, datasets/har_windows.cpp resample_linear). Everything is
// allocated by the constructor; push() and finish() never allocate.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "slimrt/frontend.h"

namespace slimrt::frontend {

class StreamInput {
 public:
  enum class Kind { kAudio, kInertial };
  // Throws std::invalid_argument naming the option and the numbers: a rate that is not
  // positive and finite or beyond the resampler's limits, a channel count the model
  // cannot take, a max_chunk out of range.
  StreamInput(Kind kind, double input_rate, double model_rate, int input_channels, int model_channels,
              int64_t max_chunk);
  // Nothing to convert: the samples go to the model as they are.
  bool identity() const { return !mixing_ && !resampling(); }
  bool resampling() const { return audio_.has_value() || linear_.has_value(); }
  size_t max_chunk() const { return max_chunk_; }
  // frames (≤ max_chunk()) × input channels → out(): the model's frames, returned.
  size_t push(const float* x, size_t frames);
  // The end of the recording: the resampler's last frames (the workbench's whole-
  // recording result) into out().
  size_t finish();
  const float* out() const { return out_.data(); }
  void reset();

 private:
  bool mixing_ = false;
  int input_channels_ = 1;
  size_t max_chunk_ = 0;
  std::optional<StreamResampler> audio_;
  std::optional<LinearStreamResampler> linear_;
  std::vector<float> mono_, out_;
};

// The limits of in-stream resampling, input_rate / model rate: audio at most 16×
// upsampling (the workbench's check_audio_rates) and 64× downsampling; inertial
// sensors at most 64× either way.
constexpr double kMaxStreamDownsampling = 64;
constexpr double kMaxInertialUpsampling = 64;
constexpr int64_t kDefaultStreamChunk = 4096, kMaxStreamChunk = int64_t(1) << 20;

}  // namespace slimrt::frontend
