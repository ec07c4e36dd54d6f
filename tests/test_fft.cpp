#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <random>

#include "datasets/fft.h"

using slimlab::data::FftPlan;

namespace {
std::vector<std::complex<double>> naive_dft(const std::vector<float>& x) {
  const size_t n = x.size();
  std::vector<std::complex<double>> out(n);
  for (size_t k = 0; k < n; ++k)
    for (size_t t = 0; t < n; ++t)
      out[k] += double(x[t]) * std::polar(1.0, -2.0 * M_PI * double(k * t) / double(n));
  return out;
}
}  // namespace

class FftSizes : public ::testing::TestWithParam<int> {};

TEST_P(FftSizes, RealForwardMatchesNaiveDft) {
  const int n = GetParam();
  std::mt19937 rng(7);
  std::normal_distribution<float> d;
  std::vector<float> x(static_cast<size_t>(n));
  for (auto& v : x) v = d(rng);
  FftPlan plan(n);
  std::vector<std::complex<float>> out(size_t(n / 2 + 1));
  plan.real_forward(x.data(), out.data());
  auto ref = naive_dft(x);
  for (int k = 0; k <= n / 2; ++k) {
    EXPECT_NEAR(out[size_t(k)].real(), ref[size_t(k)].real(), 1e-3 * std::sqrt(double(n))) << "bin " << k;
    EXPECT_NEAR(out[size_t(k)].imag(), ref[size_t(k)].imag(), 1e-3 * std::sqrt(double(n))) << "bin " << k;
  }
}

INSTANTIATE_TEST_SUITE_P(PowersAndOdd, FftSizes, ::testing::Values(1, 2, 8, 64, 256, 5, 12, 25, 100));

TEST(Fft, PureToneLandsInItsBin) {
  const int n = 64;
  std::vector<float> x(static_cast<size_t>(n));
  for (int t = 0; t < n; ++t) x[size_t(t)] = float(std::cos(2 * M_PI * 5 * t / n));
  FftPlan plan(n);
  std::vector<std::complex<float>> out(size_t(n / 2 + 1));
  plan.real_forward(x.data(), out.data());
  for (int k = 0; k <= n / 2; ++k) {
    if (k == 5) EXPECT_NEAR(std::abs(out[size_t(k)]), n / 2.0, 1e-3);
    else EXPECT_LT(std::abs(out[size_t(k)]), 1e-3);
  }
}
