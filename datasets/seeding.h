#pragma once
// SplitMix64 (Steele, Lea, Flood 2014): the one seed-mixing function of the
// project. Generators, splits and augmentation derive every stream from it, so a
// seed means the same data with every standard library (std:: distributions do
// not promise that; raw 64-bit arithmetic does).
#include <cstdint>

namespace slimlab::data {

// The SplitMix64 output for state x: advance by the golden-ratio increment, then
// the two xor-shift-multiply rounds of its finaliser.
inline uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// The generator form: returns the next value of the stream and advances `state`.
inline uint64_t splitmix64_next(uint64_t& state) {
  const uint64_t out = splitmix64(state);
  state += 0x9E3779B97F4A7C15ull;
  return out;
}

}  // namespace slimlab::data
