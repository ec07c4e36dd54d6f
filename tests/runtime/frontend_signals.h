#pragma once
// Test signals of the front-end tests.
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace slimrt::test {

// Chirp + noise, frames × channels interleaved, in [−1, 1).
inline std::vector<float> test_signal(int64_t frames, int channels, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 0.05f);
  std::vector<float> x(size_t(frames * channels));
  for (int64_t i = 0; i < frames; ++i)
    for (int c = 0; c < channels; ++c) {
      const double t = double(i) / 8000.0;
      x[size_t(i * channels + c)] = float(0.4 * std::sin(2 * 3.14159265 * (200 + 300 * t + 50 * c) * t)) + noise(rng);
    }
  return x;
}

}  // namespace slimrt::test
