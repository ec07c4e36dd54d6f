// The workbench's resampling and down-mixing: slimrt's front end (deploy/runtime/
// frontend/resample.cpp) is the one implementation, so training data and the device
// resample bit for bit alike.
#include "datasets/resample.h"

#include <stdexcept>
#include <string>

#include "slimrt/frontend.h"

namespace slimlab::data {

std::vector<float> resample(const std::vector<float>& mono, double from_hz, double to_hz) {
  const int64_t n = int64_t(mono.size());
  std::vector<float> out(size_t(slimrt::frontend::resample_frames(n, from_hz, to_hz)));
  slimrt::frontend::resample(mono.data(), n, from_hz, to_hz, out.data());
  return out;
}

std::vector<float> mix_to_mono(const std::vector<float>& interleaved, int channels) {
  if (channels <= 0) throw std::invalid_argument("mix_to_mono: channels must be positive");
  if (interleaved.size() % size_t(channels) != 0)
    throw std::invalid_argument("mix_to_mono: " + std::to_string(interleaved.size()) +
                                " samples is not a multiple of " + std::to_string(channels) + " channels");
  std::vector<float> mono(interleaved.size() / size_t(channels));
  slimrt::frontend::mix_to_mono(interleaved.data(), int64_t(mono.size()), channels, mono.data());
  return mono;
}

}  // namespace slimlab::data
