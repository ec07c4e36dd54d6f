#pragma once
// Discrete Fourier transforms for the feature extractors (DeepSense STFT,
// log-mel, MFCC). Radix-2 for powers of two, a direct DFT otherwise (the
// DeepSense intervals are short, so O(n²) there is cheaper than Bluestein).
#include <complex>
#include <vector>

namespace slimlab::data {

// Plans for one transform length: twiddles and bit-reversal computed once.
class FftPlan {
 public:
  explicit FftPlan(int n);
  int size() const { return n_; }
  // In-place forward complex DFT of length size(): X[k] = Σ x[t]·e^{-2πikt/n}.
  void forward(std::complex<float>* data) const;
  // Real input of length size() → bins 0..size()/2 (size()/2 + 1 values).
  void real_forward(const float* in, std::complex<float>* out) const;

 private:
  int n_;
  bool pow2_;
  std::vector<std::complex<float>> twiddle_;  // e^{-2πik/n}, k < n
  std::vector<int> bitrev_;
  mutable std::vector<std::complex<float>> scratch_, work_;  // not thread-safe: one plan per thread
};

// i → i with its log2(n) low bits reversed, for a power-of-two n.
std::vector<int> bit_reversal_permutation(int n);

// Periodic Hann window of length n.
std::vector<float> hann_window(int n);

}  // namespace slimlab::data
