#include "datasets/resample.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <string>

namespace slimlab::data {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kZeroCrossings = 64;      // Z: half-length of h in zero crossings
constexpr double kKaiserBeta = 8.6;     // ≈ 85 dB stopband
constexpr double kRolloff = 0.96;       // cut-off as a fraction of the lower Nyquist
constexpr int kTablePerCrossing = 512;  // table step 1/512 zero crossing: linear-interpolation error < 1e-5
constexpr int64_t kMaxPhases = 1024;

// Modified Bessel function of the first kind, order 0 (power series; converges
// fast for the arguments a Kaiser window needs, x ≤ β).
double bessel_i0(double x) {
  double sum = 1.0, term = 1.0;
  const double q = x * x / 4.0;
  for (int k = 1; k < 200; ++k) {
    term *= q / (double(k) * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

// h(u) at u = i / kTablePerCrossing, i = 0 .. Z·kTablePerCrossing, plus one
// trailing zero so that interpolation at the last point needs no branch.
const std::vector<float>& kernel_table() {
  static const std::vector<float> table = [] {
    const int n = kZeroCrossings * kTablePerCrossing;
    std::vector<float> t(size_t(n) + 2, 0.0f);
    const double i0b = bessel_i0(kKaiserBeta);
    for (int i = 0; i <= n; ++i) {
      const double u = double(i) / kTablePerCrossing;
      const double sinc = i == 0 ? 1.0 : std::sin(kPi * u) / (kPi * u);
      const double r = u / kZeroCrossings;
      t[size_t(i)] = float(sinc * bessel_i0(kKaiserBeta * std::sqrt(std::max(0.0, 1.0 - r * r))) / i0b);
    }
    return t;
  }();
  return table;
}

// h(|u|) by linear interpolation in the table; 0 beyond Z.
inline float kernel(const std::vector<float>& table, double u) {
  const double pos = std::fabs(u) * kTablePerCrossing;
  if (pos >= double(kZeroCrossings) * kTablePerCrossing) return 0.0f;
  const size_t i = size_t(pos);
  const float frac = float(pos - double(i));
  return table[i] + frac * (table[i + 1] - table[i]);
}

// Taps for an output sample at t = base + frac: input k = base − half + j,
// j = 0 .. 2·half + 1, weight s·h(s·(t − k)).
void fill_taps(const std::vector<float>& table, double frac, double s, int half, float* taps) {
  const int n = 2 * half + 2;
  for (int j = 0; j < n; ++j) taps[j] = float(s) * kernel(table, s * (frac + half - j));
}

// Σ_j x[k0 + j] · taps[j], with x = 0 outside [0, n).
inline float dot(const float* x, int64_t n, int64_t k0, const float* taps, int count) {
  int j0 = 0, j1 = count;
  if (k0 < 0) j0 = int(std::min<int64_t>(count, -k0));
  if (k0 + count > n) j1 = int(std::max<int64_t>(j0, n - k0));
  // Four partial sums: independent chains the CPU can overlap.
  float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  const float* xp = x + k0;
  int j = j0;
  for (; j + 4 <= j1; j += 4) {
    a0 += xp[j] * taps[j];
    a1 += xp[j + 1] * taps[j + 1];
    a2 += xp[j + 2] * taps[j + 2];
    a3 += xp[j + 3] * taps[j + 3];
  }
  for (; j < j1; ++j) a0 += xp[j] * taps[j];
  return (a0 + a1) + (a2 + a3);
}

bool whole(double v) { return v == std::floor(v) && v <= 2e9; }

}  // namespace

std::vector<float> resample(const std::vector<float>& mono, double from_hz, double to_hz) {
  if (!(from_hz > 0) || !std::isfinite(from_hz))
    throw std::invalid_argument("resample: from_hz must be positive and finite, got " + std::to_string(from_hz));
  if (!(to_hz > 0) || !std::isfinite(to_hz))
    throw std::invalid_argument("resample: to_hz must be positive and finite, got " + std::to_string(to_hz));
  if (from_hz == to_hz || mono.empty()) return mono;

  const std::vector<float>& table = kernel_table();
  const int64_t n = int64_t(mono.size());
  const double s = kRolloff * std::min(1.0, to_hz / from_hz);
  const int half = int(std::floor(kZeroCrossings / s));
  const int count = 2 * half + 2;
  const double out_exact = double(n) * to_hz / from_hz;
  if (out_exact > double(int64_t(1) << 31))
    throw std::invalid_argument("resample: " + std::to_string(n) + " samples at " + std::to_string(from_hz) +
                                " Hz would become " + std::to_string(out_exact) + " samples at " +
                                std::to_string(to_hz) + " Hz");
  const int64_t out_n = std::max<int64_t>(1, int64_t(std::ceil(out_exact - 1e-9 * out_exact)));
  std::vector<float> out(static_cast<size_t>(out_n));
  const float* x = mono.data();

  if (whole(from_hz) && whole(to_hz)) {
    const int64_t g = std::gcd(int64_t(from_hz), int64_t(to_hz));
    const int64_t L = int64_t(to_hz) / g, M = int64_t(from_hz) / g;
    if (L <= kMaxPhases) {
      // Polyphase: output n sits at input position (n·M)/L + ((n·M) mod L)/L.
      std::vector<float> bank(size_t(L * count));
      for (int64_t p = 0; p < L; ++p) fill_taps(table, double(p) / double(L), s, half, &bank[size_t(p * count)]);
      for (int64_t i = 0; i < out_n; ++i) {
        const int64_t pos = i * M;
        const int64_t base = pos / L, phase = pos % L;
        out[size_t(i)] = dot(x, n, base - half, &bank[size_t(phase * count)], count);
      }
      return out;
    }
  }
  // Arbitrary ratio: taps interpolated per output sample.
  std::vector<float> taps(static_cast<size_t>(count));
  const double step = from_hz / to_hz;
  for (int64_t i = 0; i < out_n; ++i) {
    const double t = double(i) * step;
    const double base = std::floor(t);
    fill_taps(table, t - base, s, half, taps.data());
    out[size_t(i)] = dot(x, n, int64_t(base) - half, taps.data(), count);
  }
  return out;
}

std::vector<float> mix_to_mono(const std::vector<float>& interleaved, int channels) {
  if (channels <= 0) throw std::invalid_argument("mix_to_mono: channels must be positive");
  if (interleaved.size() % size_t(channels) != 0)
    throw std::invalid_argument("mix_to_mono: " + std::to_string(interleaved.size()) +
                                " samples is not a multiple of " + std::to_string(channels) + " channels");
  if (channels == 1) return interleaved;
  const size_t frames = interleaved.size() / size_t(channels);
  std::vector<float> mono(frames);
  const float inv = 1.0f / float(channels);
  for (size_t f = 0; f < frames; ++f) {
    const float* p = &interleaved[f * size_t(channels)];
    float sum = 0;
    for (int c = 0; c < channels; ++c) sum += p[c];
    mono[f] = sum * inv;
  }
  return mono;
}

}  // namespace slimlab::data
