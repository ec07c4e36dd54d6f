#pragma once
// Binary (±1) values packed into 64-bit words, shared by the runtime's binary
// kernels and the training side (compress/binary, the exporter). Header-only.
//
// Convention (as larq): the bit is the sign bit — +1 ↦ 0, −1 ↦ 1; sign(0) = +1.
// Element i of a row sits in bit (i % 64) of word (i / 64). Padding bits past the
// row length are 0 in both operands, so they never appear in a XOR and the dot
// product of two rows of n values is n − 2 · popcount(a XOR w) using the true n:
// for n values, a popcount of n/2 corresponds to 0 in ±1.
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace slimrt::bits {

inline constexpr size_t words_for(size_t n) { return (n + 63) / 64; }

// Sign bit of a real value: 1 for negative, 0 for ≥ 0 (and for NaN).
inline uint64_t sign_bit(float x) { return x < 0.0f ? 1u : 0u; }
inline float value_of_bit(uint64_t bit) { return bit ? -1.0f : 1.0f; }

// Packs n values (their signs) into words_for(n) words; padding bits are 0.
inline void pack_row(const float* x, size_t n, uint64_t* out) {
  const size_t nw = words_for(n);
  for (size_t w = 0; w < nw; ++w) out[w] = 0;
  for (size_t i = 0; i < n; ++i) out[i / 64] |= sign_bit(x[i]) << (i % 64);
}

inline void unpack_row(const uint64_t* words, size_t n, float* out) {
  for (size_t i = 0; i < n; ++i) out[i] = value_of_bit((words[i / 64] >> (i % 64)) & 1u);
}

inline int popcount64(uint64_t v) {
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_popcountll(v);
#else
  int c = 0;
  while (v) { v &= v - 1; ++c; }
  return c;
#endif
}

// Σ a_i · w_i over n ±1 values stored as packed rows: n − 2 · popcount(a XOR w).
inline int32_t binary_dot(const uint64_t* a, const uint64_t* w, size_t n) {
  int32_t ones = 0;
  const size_t nw = words_for(n);
  for (size_t i = 0; i < nw; ++i) ones += popcount64(a[i] ^ w[i]);
  return int32_t(n) - 2 * ones;
}

// BN + sign folded into a threshold: sign(γ·(acc − μ)/σ + β) for integer acc.
// With s = γ/σ: for s > 0 the output is +1 iff acc ≥ μ − β/s; for s < 0 iff
// acc ≤ μ − β/s; s = 0 gives sign(β). Thresholds are kept as floats compared
// with the exact integer accumulator, so no rounding is involved.
struct SignThreshold {
  float threshold = 0;  // μ − β/s
  int8_t direction = 1; // +1: out = (acc >= threshold); −1: out = (acc <= threshold); 0: constant
  int8_t constant = 1;  // output when direction == 0 (+1 or −1)
};

inline SignThreshold fold_bn_sign(double gamma, double beta, double mean, double var, double eps) {
  SignThreshold t;
  const double s = gamma / std::sqrt(var + eps);
  if (s == 0) {
    t.direction = 0;
    t.constant = beta >= 0 ? 1 : -1;
    return t;
  }
  t.threshold = float(mean - beta / s);
  t.direction = s > 0 ? 1 : -1;
  return t;
}

// +1 or −1 for an accumulator under a folded threshold.
inline int apply_threshold(const SignThreshold& t, int32_t acc) {
  if (t.direction == 0) return t.constant;
  const bool pos = t.direction > 0 ? double(acc) >= double(t.threshold) : double(acc) <= double(t.threshold);
  return pos ? 1 : -1;
}

}  // namespace slimrt::bits
