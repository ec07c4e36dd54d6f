// Band-limited (Kaiser-windowed sinc) resampling and down-mixing of audio
// (slimrt/frontend.h). The workbench's datasets/resample.cpp calls these, so the
// device and training resample bit for bit alike.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "c_api_handles.h"
#include "frontend/internal.h"
#include "slimrt/frontend.h"
#include "slimrt/stream.h"

namespace slimrt::frontend {

namespace {

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

// Σ_j x[k0 + j] · taps[j], with x = 0 outside [0, n); x[k] is data[k − data_start].
inline float dot(const float* data, int64_t data_start, int64_t n, int64_t k0, const float* taps, int count) {
  int j0 = 0, j1 = count;
  if (k0 < 0) j0 = int(std::min<int64_t>(count, -k0));
  if (k0 + count > n) j1 = int(std::max<int64_t>(j0, n - k0));
  // Four partial sums: independent chains the CPU can overlap.
  float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  const float* xp = data + (k0 - data_start);
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

void check_rate(const char* name, double hz) {
  if (!(hz > 0) || !std::isfinite(hz))
    throw std::invalid_argument(std::string("resample: ") + name + " must be positive and finite, got " +
                                std::to_string(hz));
}

// ceil(n·to/from) without the size check (at least 1 for n > 0).
int64_t out_count(int64_t n, double from_hz, double to_hz) {
  if (from_hz == to_hz || n <= 0) return std::max<int64_t>(0, n);
  const double out_exact = double(n) * to_hz / from_hz;
  return std::max<int64_t>(1, int64_t(std::ceil(out_exact - 1e-9 * out_exact)));
}

}  // namespace

ResampleFilter prepare_resample(double from_hz, double to_hz) {
  check_rate("from_hz", from_hz);
  check_rate("to_hz", to_hz);
  ResampleFilter f;
  f.from_hz = from_hz, f.to_hz = to_hz;
  f.s = kRolloff * std::min(1.0, to_hz / from_hz);
  f.half = int(std::floor(kZeroCrossings / f.s));
  f.count = 2 * f.half + 2;
  f.step = from_hz / to_hz;
  if (whole(from_hz) && whole(to_hz)) {
    const int64_t g = std::gcd(int64_t(from_hz), int64_t(to_hz));
    const int64_t L = int64_t(to_hz) / g, M = int64_t(from_hz) / g;
    if (L <= kMaxPhases) {
      // Polyphase: output n sits at input position (n·M)/L + ((n·M) mod L)/L.
      f.L = L, f.M = M;
      f.bank.resize(size_t(L * f.count));
      for (int64_t p = 0; p < L; ++p)
        fill_taps(kernel_table(), double(p) / double(L), f.s, f.half, &f.bank[size_t(p * f.count)]);
    }
  }
  return f;
}

int64_t ResampleFilter::first_tap(int64_t i) const {
  if (L > 0) return i * M / L - half;
  return int64_t(std::floor(double(i) * step)) - half;
}

const float* ResampleFilter::taps(int64_t i, float* scratch) const {
  if (L > 0) return &bank[size_t((i * M % L) * count)];
  // Arbitrary ratio: taps interpolated per output sample.
  const double t = double(i) * step;
  fill_taps(kernel_table(), t - std::floor(t), s, half, scratch);
  return scratch;
}

int64_t resample_frames(int64_t n, double from_hz, double to_hz) {
  check_rate("from_hz", from_hz);
  check_rate("to_hz", to_hz);
  const double out_exact = double(n) * to_hz / from_hz;
  if (from_hz != to_hz && out_exact > double(int64_t(1) << 31))
    throw std::invalid_argument("resample: " + std::to_string(n) + " samples at " + std::to_string(from_hz) +
                                " Hz would become " + std::to_string(out_exact) + " samples at " +
                                std::to_string(to_hz) + " Hz");
  return out_count(n, from_hz, to_hz);
}

void resample(const float* x, int64_t n, double from_hz, double to_hz, float* y) {
  const int64_t out_n = resample_frames(n, from_hz, to_hz);
  if (from_hz == to_hz || n <= 0) {
    std::copy(x, x + std::max<int64_t>(0, n), y);
    return;
  }
  const ResampleFilter f = prepare_resample(from_hz, to_hz);
  std::vector<float> scratch(f.L > 0 ? 0 : size_t(f.count));
  for (int64_t i = 0; i < out_n; ++i) y[i] = dot(x, 0, n, f.first_tap(i), f.taps(i, scratch.data()), f.count);
}

StreamResampler::StreamResampler(double from_hz, double to_hz, size_t max_chunk)
    : filter_(prepare_resample(from_hz, to_hz)), max_chunk_(max_chunk) {
  if (max_chunk < 1 || max_chunk > (size_t(1) << 24))
    bad_option("StreamResampler", "max_chunk", std::to_string(max_chunk) + " is outside 1 .. 2^24");
  same_ = from_hz == to_hz;
  buf_.assign(same_ ? 0 : size_t(filter_.count) + max_chunk, 0.0f);
  scratch_.assign(filter_.L > 0 || same_ ? 0 : size_t(filter_.count), 0.0f);
  max_output_ = same_ ? max_chunk
                      : size_t(std::ceil(double(max_chunk + size_t(filter_.count) + 2) * to_hz / from_hz)) + 2;
}

void StreamResampler::reset() { start_ = received_ = produced_ = 0; }

size_t StreamResampler::push(const float* x, size_t n, float* y) {
  if (n > max_chunk_)
    bad_option("StreamResampler", "push", std::to_string(n) + " samples, more than max_chunk " + std::to_string(max_chunk_));
  if (same_) {
    std::copy(x, x + n, y);
    return n;
  }
  // Keep the samples from the next output's first tap on (fewer than `count` of them).
  const int64_t keep = std::min(received_, std::max<int64_t>(start_, filter_.first_tap(produced_)));
  std::copy(buf_.begin() + (keep - start_), buf_.begin() + (received_ - start_), buf_.begin());
  start_ = keep;
  std::copy(x, x + n, buf_.begin() + (received_ - start_));
  received_ += int64_t(n);
  size_t out = 0;
  for (int64_t k0; (k0 = filter_.first_tap(produced_)) + filter_.count <= received_; ++produced_)
    y[out++] = dot(buf_.data(), start_, received_, k0, filter_.taps(produced_, scratch_.data()), filter_.count);
  return out;
}

size_t StreamResampler::finish(float* y) {
  if (same_) return 0;
  const int64_t out_n = out_count(received_, filter_.from_hz, filter_.to_hz);
  size_t out = 0;
  for (; produced_ < out_n; ++produced_)
    y[out++] = dot(buf_.data(), start_, received_, filter_.first_tap(produced_),
                   filter_.taps(produced_, scratch_.data()), filter_.count);
  return out;
}

void check_audio_rates(double from_hz, double to_hz) {
  check_rate("from_hz", from_hz);
  check_rate("to_hz", to_hz);
  if (to_hz > kMaxUpsampling * from_hz)
    throw std::invalid_argument("sample rate " + num(from_hz) + " Hz is too low to resample to " + num(to_hz) +
                                " Hz (at most 16× upsampling; is it an audio recording?)");
}

void mix_to_mono(const float* x, int64_t frames, int channels, float* y) {
  if (channels == 1) {
    std::copy(x, x + frames, y);
    return;
  }
  const float inv = 1.0f / float(channels);
  for (int64_t f = 0; f < frames; ++f) {
    const float* p = x + f * channels;
    float sum = 0;
    for (int c = 0; c < channels; ++c) sum += p[c];
    y[f] = sum * inv;
  }
}

}  // namespace slimrt::frontend

namespace {
slimrt_status resample_fail(const std::string& msg) {
  slimrt::detail::c_api_error() = msg;
  return SLIMRT_ERROR_INVALID_ARGUMENT;
}
}  // namespace

extern "C" {

struct slimrt_resampler {
  slimrt::frontend::StreamResampler r;
};

slimrt_status slimrt_resampler_open(double from_hz, double to_hz, size_t max_frames, slimrt_resampler** out) {
  if (!out) return resample_fail("slimrt_resampler_open: null argument");
  *out = nullptr;
  try {
    slimrt::frontend::check_audio_rates(from_hz, to_hz);
    *out = new slimrt_resampler{slimrt::frontend::StreamResampler(from_hz, to_hz, max_frames)};
    return SLIMRT_OK;
  } catch (const std::invalid_argument& e) {
    return resample_fail(e.what());
  } catch (const std::exception& e) {  // std::bad_alloc of the filter bank
    slimrt::detail::c_api_error() = e.what();
    return SLIMRT_ERROR_RUNTIME;
  }
}

size_t slimrt_resampler_max_output(const slimrt_resampler* r) { return r ? r->r.max_output() : 0; }

slimrt_status slimrt_resampler_push(slimrt_resampler* r, const float* x, size_t frames, float* y, size_t* y_frames) {
  if (!r || !y || !y_frames || (!x && frames)) return resample_fail("slimrt_resampler_push: null argument");
  *y_frames = 0;
  try {
    *y_frames = r->r.push(x, frames, y);
    return SLIMRT_OK;
  } catch (const std::exception& e) {
    return resample_fail(std::string("slimrt_resampler_push: ") + e.what());
  }
}

slimrt_status slimrt_resampler_finish(slimrt_resampler* r, float* y, size_t* y_frames) {
  if (!r || !y || !y_frames) return resample_fail("slimrt_resampler_finish: null argument");
  *y_frames = r->r.finish(y);
  return SLIMRT_OK;
}

void slimrt_resampler_free(slimrt_resampler* r) { delete r; }

slimrt_status slimrt_mix_to_mono(const float* x, size_t frames, int channels, float* y) {
  if ((!x || !y) && frames) return resample_fail("slimrt_mix_to_mono: null argument");
  if (channels < 1) return resample_fail("slimrt_mix_to_mono: " + std::to_string(channels) + " channels");
  slimrt::frontend::mix_to_mono(x, int64_t(frames), channels, y);
  return SLIMRT_OK;
}

}  // extern "C"
