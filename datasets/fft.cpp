#include "datasets/fft.h"

#include <cmath>
#include <stdexcept>

namespace slimlab::data {

namespace {
constexpr double kPi = 3.14159265358979323846;
bool is_pow2(int n) { return n > 0 && (n & (n - 1)) == 0; }
}  // namespace

FftPlan::FftPlan(int n) : n_(n), pow2_(is_pow2(n)) {
  if (n <= 0) throw std::invalid_argument("FftPlan: length must be positive");
  twiddle_.resize(size_t(n));
  for (int k = 0; k < n; ++k) {
    const double a = -2.0 * kPi * k / n;
    twiddle_[size_t(k)] = {float(std::cos(a)), float(std::sin(a))};
  }
  if (pow2_) bitrev_ = bit_reversal_permutation(n);
  scratch_.resize(size_t(n));
  work_.resize(size_t(n));
}

void FftPlan::forward(std::complex<float>* x) const {
  const int n = n_;
  if (!pow2_) {
    // Direct DFT; twiddle index (k·t) mod n keeps the angles exact.
    for (int k = 0; k < n; ++k) {
      std::complex<float> acc = 0;
      for (int t = 0; t < n; ++t) acc += x[t] * twiddle_[size_t((int64_t(k) * t) % n)];
      scratch_[size_t(k)] = acc;
    }
    std::copy(scratch_.begin(), scratch_.end(), x);
    return;
  }
  for (int i = 0; i < n; ++i)
    if (i < bitrev_[size_t(i)]) std::swap(x[i], x[bitrev_[size_t(i)]]);
  for (int len = 2; len <= n; len <<= 1) {
    const int half = len / 2, step = n / len;
    for (int start = 0; start < n; start += len) {
      for (int j = 0; j < half; ++j) {
        const std::complex<float> w = twiddle_[size_t(j * step)];
        const std::complex<float> u = x[start + j];
        const std::complex<float> v = x[start + j + half] * w;
        x[start + j] = u + v;
        x[start + j + half] = u - v;
      }
    }
  }
}

void FftPlan::real_forward(const float* in, std::complex<float>* out) const {
  // forward() uses scratch_ for the direct DFT, so the input goes to work_.
  for (int i = 0; i < n_; ++i) work_[size_t(i)] = {in[i], 0.0f};
  forward(work_.data());
  for (int k = 0; k <= n_ / 2; ++k) out[k] = work_[size_t(k)];
}

std::vector<int> bit_reversal_permutation(int n) {
  int bits = 0;
  while ((1 << bits) < n) ++bits;
  std::vector<int> out(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    int r = 0;
    for (int b = 0; b < bits; ++b)
      if (i & (1 << b)) r |= 1 << (bits - 1 - b);
    out[size_t(i)] = r;
  }
  return out;
}

std::vector<float> hann_window(int n) {
  std::vector<float> w(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) w[size_t(i)] = float(0.5 - 0.5 * std::cos(2.0 * kPi * i / n));
  return w;
}

}  // namespace slimlab::data
