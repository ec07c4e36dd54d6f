// Discrete Fourier transforms of the sensor front end: a radix-2 real FFT for
// power-of-two lengths and a tabulated direct DFT for the rest.
#include <cmath>
#include <stdexcept>
#include <string>

#include "frontend/internal.h"
#include "slimrt/frontend.h"

namespace slimrt::frontend {

namespace {

bool is_pow2(int n) { return n > 0 && (n & (n - 1)) == 0; }

// In-place radix-2 decimation-in-time FFT of h points stored in bit-reversed
// order. Stage s joins transforms of length H = 2^s into 2H with the butterfly
//   a' = a + W·b, b' = a − W·b,  W = e^{−iπj/H}.
void complex_fft_bitreversed(const RealFftPlan& p, float* re, float* im, int h) {
  for (int half = 1; half < h; half *= 2) {
    const float* wr = p.stage_re.data() + half;
    const float* wi = p.stage_im.data() + half;
    for (int start = 0; start < h; start += 2 * half) {
      float* ar = re + start;
      float* ai = im + start;
      float* br = ar + half;
      float* bi = ai + half;
      for (int j = 0; j < half; ++j) {
        const float vr = br[j] * wr[j] - bi[j] * wi[j];
        const float vi = br[j] * wi[j] + bi[j] * wr[j];
        br[j] = ar[j] - vr;
        bi[j] = ai[j] - vi;
        ar[j] += vr;
        ai[j] += vi;
      }
    }
  }
}

}  // namespace

RealFftPlan prepare_real_fft(int n) {
  if (!is_pow2(n) || n < 2 || n > 65536)
    throw std::invalid_argument("real FFT length " + std::to_string(n) + " is not a power of two in 2 .. 65536");
  RealFftPlan p;
  p.n = n;
  const int h = n / 2;
  int bits = 0;
  while ((1 << bits) < h) ++bits;
  p.bitrev.resize(size_t(h));
  for (int i = 0; i < h; ++i) {
    int r = 0;
    for (int b = 0; b < bits; ++b)
      if (i & (1 << b)) r |= 1 << (bits - 1 - b);
    p.bitrev[size_t(i)] = r;
  }
  p.stage_re.assign(size_t(h < 2 ? 2 : h), 0.0f);
  p.stage_im.assign(p.stage_re.size(), 0.0f);
  for (int half = 1; half < h; half *= 2)
    for (int j = 0; j < half; ++j) {
      p.stage_re[size_t(half + j)] = float(std::cos(-kPi * j / half));
      p.stage_im[size_t(half + j)] = float(std::sin(-kPi * j / half));
    }
  p.split_re.resize(size_t(h) + 1);
  p.split_im.resize(size_t(h) + 1);
  for (int k = 0; k <= h; ++k) {
    p.split_re[size_t(k)] = float(std::cos(-2.0 * kPi * k / n));
    p.split_im[size_t(k)] = float(std::sin(-2.0 * kPi * k / n));
  }
  return p;
}

void real_fft(const RealFftPlan& p, const float* x, float* re, float* im) {
  const int h = p.n / 2;
  const int32_t* rev = p.bitrev.data();
  for (int j = 0; j < h; ++j) {
    re[rev[j]] = x[2 * j];
    im[rev[j]] = x[2 * j + 1];
  }
  complex_fft_bitreversed(p, re, im, h);
  // Split Z (the transform of the packed pairs) into the real signal's spectrum;
  // one (E, P) gives the mirrored pair X[k] = E + P, X[h−k] = conj(E − P).
  const float z0r = re[0], z0i = im[0];
  re[0] = z0r + z0i, im[0] = 0.0f;
  re[h] = z0r - z0i, im[h] = 0.0f;
  for (int k = 1; 2 * k <= h; ++k) {
    const int kb = h - k;
    const float ar = re[k], ai = im[k], br = re[kb], bi = im[kb];
    const float er = 0.5f * (ar + br), ei = 0.5f * (ai - bi);
    const float orr = 0.5f * (ai + bi), oi = -0.5f * (ar - br);
    const float wr = p.split_re[size_t(k)], wi = p.split_im[size_t(k)];
    const float pr = wr * orr - wi * oi, pi = wr * oi + wi * orr;
    if (kb != k) re[kb] = er - pr, im[kb] = pi - ei;
    re[k] = er + pr, im[k] = ei + pi;
  }
}

DftPlan prepare_dft(int n, int bins) {
  if (n < 1 || bins < 1 || bins > n / 2 + 1)
    throw std::invalid_argument("DFT of length " + std::to_string(n) + " cannot give " + std::to_string(bins) +
                                " bins (1 .. n/2 + 1)");
  if (double(n) * bins > double(1 << 24))
    throw std::invalid_argument("direct DFT of length " + std::to_string(n) + " with " + std::to_string(bins) +
                                " bins is too large for its tables (use a power-of-two length)");
  DftPlan p;
  p.n = n;
  p.bins = bins;
  p.cos_kt.resize(size_t(n) * size_t(bins));
  p.sin_kt.resize(p.cos_kt.size());
  for (int k = 0; k < bins; ++k)
    for (int t = 0; t < n; ++t) {
      const double a = -2.0 * kPi * double((int64_t(k) * t) % n) / n;
      p.cos_kt[size_t(k) * size_t(n) + size_t(t)] = float(std::cos(a));
      p.sin_kt[size_t(k) * size_t(n) + size_t(t)] = float(std::sin(a));
    }
  return p;
}

void dft(const DftPlan& p, const float* x, float* re, float* im, int64_t stride) {
  const int n = p.n;
  for (int k = 0; k < p.bins; ++k) {
    const float* c = p.cos_kt.data() + size_t(k) * size_t(n);
    const float* s = p.sin_kt.data() + size_t(k) * size_t(n);
    float xr = 0, xi = 0;
    for (int t = 0; t < n; ++t) {
      xr += x[t] * c[t];
      xi += x[t] * s[t];
    }
    re[k * stride] = xr;
    im[k * stride] = xi;
  }
}

}  // namespace slimrt::frontend
