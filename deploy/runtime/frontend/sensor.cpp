// DeepSense features, normalisation, linear resampling and image resize: the
// definitions of datasets/har_windows.cpp, normalize.cpp and image_folder.cpp.
#include <algorithm>
#include <cmath>
#include <string>

#include "frontend/internal.h"
#include "slimrt/frontend.h"

namespace slimrt::frontend {

DeepSensePlan prepare_deepsense(const DeepSenseOptions& o) {
  constexpr char kOwner[] = "DeepSenseOptions";
  if (o.channels < 1) bad_option(kOwner, "channels", "must be positive, got " + std::to_string(o.channels));
  if (o.window < 1) bad_option(kOwner, "window", "must be positive, got " + std::to_string(o.window));
  if (o.intervals < 1) bad_option(kOwner, "intervals", "must be at least 1, got " + std::to_string(o.intervals));
  if (o.axes_per_sensor < 1 || o.channels % o.axes_per_sensor != 0)
    bad_option(kOwner, "axes_per_sensor", std::to_string(o.channels) + " channels are not divisible into sensors of " +
                                              std::to_string(o.axes_per_sensor) + " axes");
  const int L = o.window / o.intervals;
  if (L < 1)
    bad_option(kOwner, "intervals", "a window of " + std::to_string(o.window) + " samples cannot hold " +
                                        std::to_string(o.intervals) + " intervals");
  if (o.fft_bins < 1 || o.fft_bins > L / 2 + 1)
    bad_option(kOwner, "fft_bins", std::to_string(o.fft_bins) + " but an interval of " + std::to_string(L) +
                                       " samples has only " + std::to_string(L / 2 + 1) + " bins");
  DeepSensePlan p;
  p.options = o;
  p.interval = L;
  p.sensors = o.channels / o.axes_per_sensor;
  p.dft = prepare_dft(L, o.fft_bins);
  return p;
}

void deepsense_features(const DeepSensePlan& p, const float* x, float* out) {
  const DeepSenseOptions& o = p.options;
  const int D = o.axes_per_sensor, f = o.fft_bins, T = o.intervals, W = o.window, L = p.interval;
  const int64_t feat = int64_t(D) * f * 2;
  for (int c = 0; c < o.channels; ++c) {
    const int s = c / D, d = c % D;
    for (int t = 0; t < T; ++t) {
      float* dst = out + (int64_t(s) * T + t) * feat + int64_t(d) * f * 2;
      dft(p.dft, x + int64_t(c) * W + int64_t(t) * L, dst, dst + 1, 2);
    }
  }
}

std::vector<float> prepare_normalization(const float* stddev, size_t n) {
  std::vector<float> inv(n);
  for (size_t i = 0; i < n; ++i) {
    if (!(stddev[i] > 0) || !std::isfinite(stddev[i]))
      throw std::invalid_argument("normalisation stddev[" + std::to_string(i) + "] = " + num(stddev[i]) +
                                  " is not positive and finite");
    inv[i] = 1.0f / stddev[i];
  }
  return inv;
}

void normalize(const float* x, int64_t outer, int64_t extent, int64_t inner, const float* mean, const float* inv_std,
               float* y) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t a = 0; a < extent; ++a) {
      const int64_t base = (o * extent + a) * inner;
      const float m = mean[a], inv = inv_std[a];
      for (int64_t i = 0; i < inner; ++i) y[base + i] = (x[base + i] - m) * inv;
    }
}

int64_t resample_linear_frames(int64_t n, double rate_in, double rate_out) {
  if (!(rate_in > 0) || !(rate_out > 0) || !std::isfinite(rate_in) || !std::isfinite(rate_out))
    throw std::invalid_argument("resample_linear: rates must be positive and finite, got " + num(rate_in) + " → " +
                                num(rate_out) + " Hz");
  if (n <= 0) return 0;
  if (rate_in == rate_out) return n;
  const double last = double(n - 1) / (rate_in / rate_out);
  if (last > 1e9) throw std::invalid_argument("resample_linear: result would have more than 1e9 frames");
  return int64_t(std::floor(last + 1e-9)) + 1;
}

void resample_linear(const float* x, int64_t n, int channels, double rate_in, double rate_out, float* y) {
  const int64_t m = resample_linear_frames(n, rate_in, rate_out);
  if (rate_in == rate_out) {
    std::copy(x, x + n * channels, y);
    return;
  }
  // Output frame k sits at input position k·step; interpolated in double.
  const double step = rate_in / rate_out;
  for (int64_t k = 0; k < m; ++k) {
    const double pos = double(k) * step;
    const int64_t i = std::min<int64_t>(int64_t(std::floor(pos)), n - 1);
    const double frac = std::min(1.0, std::max(0.0, pos - double(i)));
    const int64_t j = i + 1 < n ? i + 1 : i;
    for (int c = 0; c < channels; ++c) {
      const double a = x[i * channels + c], b = x[j * channels + c];
      y[k * channels + c] = float(a + (b - a) * frac);
    }
  }
}

LinearStreamResampler::LinearStreamResampler(double rate_in, double rate_out, int channels, size_t max_chunk)
    : rate_in_(rate_in), rate_out_(rate_out), step_(rate_in / rate_out), channels_(channels), max_chunk_(max_chunk) {
  resample_linear_frames(1, rate_in, rate_out);  // checks the rates
  constexpr char kOwner[] = "LinearStreamResampler";
  if (channels < 1 || channels > 1024) bad_option(kOwner, "channels", std::to_string(channels) + " is outside 1 .. 1024");
  if (max_chunk < 1 || max_chunk > (size_t(1) << 24))
    bad_option(kOwner, "max_chunk", std::to_string(max_chunk) + " is outside 1 .. 2^24");
  // A push's outputs sit at input positions [first − 1, first + frames − 1): at most
  // frames/step + 1 of them; finish's within one input frame.
  const double most = std::ceil(double(max_chunk) * rate_out / rate_in) + 2;
  if (most > double(int64_t(1) << 26))
    bad_option(kOwner, "max_chunk", std::to_string(max_chunk) + " frames at " + num(rate_in) + " → " + num(rate_out) +
                                        " Hz would give more than 2^26 frames per push");
  max_output_ = size_t(most);
  last_.assign(size_t(channels), 0.0f);
}

size_t LinearStreamResampler::push(const float* x, size_t frames, float* y) {
  if (frames > max_chunk_)
    bad_option("LinearStreamResampler", "push",
               std::to_string(frames) + " frames, more than max_chunk " + std::to_string(max_chunk_));
  const int64_t C = channels_;
  if (rate_in_ == rate_out_) {  // resample_linear copies
    std::copy(x, x + int64_t(frames) * C, y);
    return frames;
  }
  if (!frames) return 0;
  const int64_t base = received_;  // x[0] is input frame `base`; frame base − 1 is last_
  received_ += int64_t(frames);
  size_t out = 0;
  for (;; ++produced_, ++out) {  // as resample_linear, for the outputs whose frame i + 1 has arrived
    const double pos = double(produced_) * step_;
    const int64_t i = int64_t(std::floor(pos));
    if (i + 1 >= received_) break;
    const double frac = std::min(1.0, std::max(0.0, pos - double(i)));
    const float* a = i < base ? last_.data() : x + (i - base) * C;
    const float* b = x + (i + 1 - base) * C;
    for (int64_t c = 0; c < C; ++c) {
      const double va = a[c], vb = b[c];
      y[int64_t(out) * C + c] = float(va + (vb - va) * frac);
    }
  }
  std::copy(x + (int64_t(frames) - 1) * C, x + int64_t(frames) * C, last_.begin());
  return out;
}

size_t LinearStreamResampler::finish(float* y) {
  if (rate_in_ == rate_out_ || received_ == 0) return 0;
  // The outputs left sit at or past the last frame: resample_linear clamps them to it.
  // (resample_linear_frames without its size limit: a stream may run for days.)
  const int64_t m = int64_t(std::floor(double(received_ - 1) / step_ + 1e-9)) + 1;
  size_t out = 0;
  for (; produced_ < m; ++produced_, ++out)
    for (int64_t c = 0; c < channels_; ++c) {
      const double pos = double(produced_) * step_, a = last_[size_t(c)];
      const double frac = std::min(1.0, std::max(0.0, pos - double(received_ - 1)));
      y[int64_t(out) * channels_ + c] = float(a + (a - a) * frac);
    }
  return out;
}

// The bilinear taps (slimrt/frontend.h): also used by the workbench's image loader.
std::vector<ImageTap> image_taps(int src, int dst) {
  std::vector<ImageTap> t(static_cast<size_t>(dst));
  const double scale = double(src) / double(dst);
  for (int x = 0; x < dst; ++x) {
    const double s = std::clamp((x + 0.5) * scale - 0.5, 0.0, double(src - 1));
    const int i0 = int(std::floor(s));
    t[size_t(x)] = {i0, std::min(i0 + 1, src - 1), float(s - i0)};
  }
  return t;
}

namespace {

// Pixel value of output channel c in [0, 1], converted as the workbench decodes.
inline float pixel(const uint8_t* px, int src_channels, int channels, int c) {
  if (src_channels <= 2) return float(px[0]) / 255.0f;
  if (channels == 3) return float(px[c]) / 255.0f;
  return (0.299f * float(px[0]) + 0.587f * float(px[1]) + 0.114f * float(px[2])) / 255.0f;
}

}  // namespace

ImagePlan prepare_image(const ImageOptions& o) {
  constexpr char kOwner[] = "ImageOptions";
  constexpr int kMaxSide = 16384;
  if (o.src_width < 1 || o.src_height < 1 || o.src_width > kMaxSide || o.src_height > kMaxSide)
    bad_option(kOwner, "src_width", "source image " + std::to_string(o.src_width) + "×" +
                                        std::to_string(o.src_height) + " is outside 1 .. 16384 a side");
  if (o.src_channels < 1 || o.src_channels > 4)
    bad_option(kOwner, "src_channels", "must be 1 .. 4, got " + std::to_string(o.src_channels));
  if (o.channels != 1 && o.channels != 3) bad_option(kOwner, "channels", "must be 1 or 3, got " + std::to_string(o.channels));
  if (o.width < 1 || o.height < 1 || o.width > 4096 || o.height > 4096)
    bad_option(kOwner, "width", "output " + std::to_string(o.width) + "×" + std::to_string(o.height) +
                                    " is outside 1 .. 4096 a side");
  const bool stats = !o.mean.empty() || !o.stddev.empty();
  if (stats && (o.mean.size() != size_t(o.channels) || o.stddev.size() != size_t(o.channels)))
    bad_option(kOwner, "mean", std::to_string(o.mean.size()) + " means and " + std::to_string(o.stddev.size()) +
                                   " stddevs for " + std::to_string(o.channels) + " channels");
  ImagePlan p;
  p.options = o;
  p.tap_x = image_taps(o.src_width, o.width);
  p.tap_y = image_taps(o.src_height, o.height);
  if (stats) p.inv_std = prepare_normalization(o.stddev.data(), o.stddev.size());
  return p;
}

void image_features(const ImagePlan& p, const uint8_t* pixels, float* out) {
  const ImageOptions& o = p.options;
  const int sc = o.src_channels;
  const size_t row = size_t(o.src_width) * size_t(sc);
  for (int c = 0; c < o.channels; ++c) {
    const bool norm = !p.inv_std.empty();
    const float mean = norm ? o.mean[size_t(c)] : 0.0f, inv = norm ? p.inv_std[size_t(c)] : 1.0f;
    for (int y = 0; y < o.height; ++y) {
      const ImageTap& a = p.tap_y[size_t(y)];
      const uint8_t* r0 = pixels + size_t(a.i0) * row;
      const uint8_t* r1 = pixels + size_t(a.i1) * row;
      for (int x = 0; x < o.width; ++x) {
        const ImageTap& b = p.tap_x[size_t(x)];
        const float p00 = pixel(r0 + size_t(b.i0) * sc, sc, o.channels, c);
        const float p01 = pixel(r0 + size_t(b.i1) * sc, sc, o.channels, c);
        const float p10 = pixel(r1 + size_t(b.i0) * sc, sc, o.channels, c);
        const float p11 = pixel(r1 + size_t(b.i1) * sc, sc, o.channels, c);
        const float top = p00 + (p01 - p00) * b.f;
        const float bot = p10 + (p11 - p10) * b.f;
        const float v = top + (bot - top) * a.f;
        *out++ = norm ? (v - mean) * inv : v;
      }
    }
  }
}

}  // namespace slimrt::frontend
