// The device's samples → the model's: mix to mono, resample (frontend/stream_input.h).
#include "frontend/stream_input.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "frontend/internal.h"

namespace slimrt::frontend {

namespace {

[[noreturn]] void refuse(const std::string& why) { throw std::invalid_argument(why); }

// Throws unless in-stream resampling can take input_rate to model_rate.
void check_rates(StreamInput::Kind kind, double input_rate, double model_rate) {
  if (!(input_rate > 0) || !std::isfinite(input_rate))
    refuse("input_rate must be positive and finite (0: the model's rate), got " + num(input_rate) + " Hz");
  if (!(model_rate > 0) || !std::isfinite(model_rate))
    refuse("input_rate " + num(input_rate) + " Hz, but the model states no sample rate to resample to");
  const std::string rates = "input_rate " + num(input_rate) + " Hz, the model takes " + num(model_rate) + " Hz: ";
  if (kind == StreamInput::Kind::kAudio) {
    try {
      check_audio_rates(input_rate, model_rate);
    } catch (const std::invalid_argument& e) {
      refuse(rates + e.what());
    }
  } else if (model_rate > kMaxInertialUpsampling * input_rate) {
    refuse(rates + "more than " + num(kMaxInertialUpsampling) + "× upsampling");
  }
  if (input_rate > kMaxStreamDownsampling * model_rate)
    refuse(rates + "more than " + num(kMaxStreamDownsampling) + "× downsampling");
}

}  // namespace

StreamInput::StreamInput(Kind kind, double input_rate, double model_rate, int input_channels, int model_channels,
                         int64_t max_chunk) {
  if (max_chunk < 0 || max_chunk > kMaxStreamChunk)
    refuse("max_chunk " + std::to_string(max_chunk) + " frames is outside 0 .. 2^20 (0: " +
           std::to_string(kDefaultStreamChunk) + ")");
  max_chunk_ = size_t(max_chunk > 0 ? max_chunk : kDefaultStreamChunk);
  if (input_channels < 0 || input_channels > 1024)
    refuse("input_channels " + std::to_string(input_channels) + " is outside 0 .. 1024 (0: the model's)");
  input_channels_ = input_channels > 0 ? input_channels : model_channels;
  if (input_channels_ != model_channels && !(kind == Kind::kAudio && model_channels == 1))
    refuse("input_channels " + std::to_string(input_channels_) + ", the model's front end takes " +
           std::to_string(model_channels) + " (several channels are mixed to mono for audio models only)");
  mixing_ = input_channels_ != model_channels;
  if (input_rate != 0 && input_rate != model_rate) {
    check_rates(kind, input_rate, model_rate);
    if (kind == Kind::kAudio) audio_.emplace(input_rate, model_rate, max_chunk_);
    else linear_.emplace(input_rate, model_rate, model_channels, max_chunk_);
  }
  if (mixing_ && resampling()) mono_.assign(max_chunk_, 0.0f);
  const size_t out_frames = audio_ ? audio_->max_output() : linear_ ? linear_->max_output() : max_chunk_;
  if (!identity()) out_.assign(out_frames * size_t(model_channels), 0.0f);
}

size_t StreamInput::push(const float* x, size_t frames) {
  const float* src = x;
  if (mixing_) {
    float* mono = resampling() ? mono_.data() : out_.data();
    mix_to_mono(x, int64_t(frames), input_channels_, mono);
    src = mono;
  }
  if (audio_) return audio_->push(src, frames, out_.data());
  if (linear_) return linear_->push(src, frames, out_.data());
  return frames;  // mixed into out_
}

size_t StreamInput::finish() {
  if (audio_) return audio_->finish(out_.data());
  if (linear_) return linear_->finish(out_.data());
  return 0;
}

void StreamInput::reset() {
  if (audio_) audio_->reset();
  if (linear_) linear_->reset();
}

}  // namespace slimrt::frontend
