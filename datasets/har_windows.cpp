#include "datasets/har_windows.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <map>
#include <sstream>
#include <stdexcept>

#include "datasets/errors.h"
#include "datasets/fft.h"

namespace slimlab::data {

Recording resample_linear(const Recording& rec, double rate_hz) {
  if (!(rate_hz > 0) || !std::isfinite(rate_hz))
    throw std::invalid_argument("resample_linear: target rate must be positive, got " + format_number(rate_hz));
  if (!(rec.rate_hz > 0) || !std::isfinite(rec.rate_hz))
    throw DataError(rec.source, "resample_linear: recording has no valid sampling rate (" +
                                    format_number(rec.rate_hz) + " Hz)");
  if (rec.rate_hz == rate_hz) return rec;
  Recording out = rec;
  out.rate_hz = rate_hz;
  out.samples.clear();
  const int64_t n = rec.frames();
  const int c = rec.channels;
  if (n == 0 || c <= 0) return out;
  // Output frame k sits at input position k·step (in input frames).
  const double step = rec.rate_hz / rate_hz;
  const double last = double(n - 1) / step;
  if (last > 1e9) throw std::invalid_argument("resample_linear: result would have more than 1e9 frames");
  const int64_t m = int64_t(std::floor(last + 1e-9)) + 1;
  out.samples.resize(size_t(m) * size_t(c));
  for (int64_t k = 0; k < m; ++k) {
    const double pos = double(k) * step;
    int64_t i = int64_t(std::floor(pos));
    if (i >= n - 1) i = n - 1;
    const double frac = std::min(1.0, std::max(0.0, pos - double(i)));
    for (int ch = 0; ch < c; ++ch) {
      const double a = rec.at(i, ch);
      const double b = i + 1 < n ? rec.at(i + 1, ch) : a;
      out.samples[size_t(k) * size_t(c) + size_t(ch)] = float(a + (b - a) * frac);
    }
  }
  return out;
}

ArraySet make_windows(const RecordingSet& set, const std::vector<size_t>& recording_indices,
                      const WindowOptions& opt, std::vector<std::string>* notes) {
  if (!(opt.window_seconds > 0) || !std::isfinite(opt.window_seconds))
    throw std::invalid_argument("make_windows: window_seconds must be positive");
  if (!(opt.overlap >= 0 && opt.overlap < 1))
    throw std::invalid_argument("make_windows: overlap must be in [0, 1), got " + format_number(opt.overlap));
  if (!(opt.rate_hz >= 0) || !std::isfinite(opt.rate_hz))
    throw std::invalid_argument("make_windows: rate_hz must be 0 (native) or positive");

  // Check the chosen recordings agree on channels (and rate, when not resampling).
  const Recording* first = nullptr;
  for (size_t idx : recording_indices) {
    if (idx >= set.recordings.size())
      throw std::invalid_argument("make_windows: recording index " + std::to_string(idx) + " out of range (" +
                                  std::to_string(set.recordings.size()) + " recordings)");
    const Recording& r = set.recordings[idx];
    if (r.channels <= 0 || r.samples.size() % size_t(r.channels) != 0)
      throw DataError(r.source, "recording has " + std::to_string(r.samples.size()) + " values for " +
                                    std::to_string(r.channels) + " channels");
    if (!(r.rate_hz > 0)) throw DataError(r.source, "recording has no valid sampling rate");
    if (!first) {
      first = &r;
      continue;
    }
    if (r.channels != first->channels)
      throw DataError(r.source, "recording has " + std::to_string(r.channels) + " channels, but " +
                                    first->source + " has " + std::to_string(first->channels));
    if (opt.rate_hz == 0 && r.rate_hz != first->rate_hz)
      throw DataError(r.source, "recording is at " + format_number(r.rate_hz) + " Hz, but " + first->source +
                                    " is at " + format_number(first->rate_hz) +
                                    " Hz; set a common rate_hz to resample");
  }

  ArraySet out;
  out.modality = set.modality;
  out.class_names = set.class_names;
  // Groups of the whole set, so that every split's windows share the same ids.
  std::map<std::string, int32_t> group_id;
  for (const Recording& r : set.recordings)
    if (!r.group.empty()) group_id.emplace(r.group, 0);
  for (auto& [name, id] : group_id) {
    id = int32_t(out.group_names.size());
    out.group_names.push_back(name);
  }

  const int64_t channels =
      first ? first->channels : int64_t(std::max<size_t>(set.channel_names.size(), 1));
  double rate = opt.rate_hz > 0 ? opt.rate_hz : (first ? first->rate_hz : 0.0);
  if (!first && rate == 0 && !set.recordings.empty()) rate = set.recordings.front().rate_hz;
  const int64_t W = rate > 0 ? int64_t(std::llround(opt.window_seconds * rate)) : 0;
  out.sample_shape = {channels, W};
  if (!first) return out;
  if (W < 1)
    throw std::invalid_argument("make_windows: a window of " + format_number(opt.window_seconds) + " s at " +
                                format_number(rate) + " Hz has no samples");
  const int64_t hop = std::max<int64_t>(1, std::llround(double(W) * (1.0 - opt.overlap)));

  size_t dropped = 0, padded = 0;
  for (size_t idx : recording_indices) {
    const Recording& src = set.recordings[idx];
    Recording resampled;
    const Recording* r = &src;
    if (opt.rate_hz > 0 && src.rate_hz != opt.rate_hz) {
      resampled = resample_linear(src, opt.rate_hz);
      r = &resampled;
    }
    const int64_t n = r->frames();
    const int32_t group = r->group.empty() ? -1 : group_id.at(r->group);
    auto emit = [&](int64_t start, int64_t len) {
      const size_t base = out.values.size();
      out.values.resize(base + size_t(channels * W), 0.0f);
      float* dst = out.values.data() + base;
      for (int64_t t = 0; t < len; ++t)
        for (int64_t c = 0; c < channels; ++c) dst[c * W + t] = r->at(start + t, int(c));
      out.labels.push_back(r->label);
      out.groups.push_back(group);
    };
    if (n < W) {
      if (opt.drop_short || n == 0) {
        ++dropped;
      } else {
        ++padded;
        emit(0, n);
      }
      continue;
    }
    for (int64_t start = 0; start + W <= n; start += hop) emit(start, W);
  }

  if (notes) {
    std::string s = "windows: " + std::to_string(out.size()) + " of " + std::to_string(W) + " samples (" +
                    format_number(opt.window_seconds) + " s at " + format_number(rate) + " Hz), hop " +
                    std::to_string(hop) + ", from " + std::to_string(recording_indices.size()) + " recordings";
    if (dropped) s += "; " + std::to_string(dropped) + " recordings shorter than one window dropped";
    if (padded) s += "; " + std::to_string(padded) + " short recordings zero-padded to one window";
    notes->push_back(s);
  }
  return out;
}

ArraySet deepsense_features(const ArraySet& windows, const DeepSenseOptions& opt) {
  if (windows.sample_shape.size() != 2)
    throw std::invalid_argument("deepsense_features: windows must have sample shape {C, W}, got " +
                                shape_to_string(windows.sample_shape));
  const int64_t C = windows.sample_shape[0], W = windows.sample_shape[1];
  const int64_t T = opt.intervals, f = opt.fft_bins, D = opt.axes_per_sensor;
  if (T < 1) throw std::invalid_argument("deepsense_features: intervals must be at least 1");
  if (D < 1 || C % D != 0)
    throw std::invalid_argument("deepsense_features: " + std::to_string(C) +
                                " channels are not divisible into sensors of " + std::to_string(D) + " axes");
  const int64_t L = W / T;
  if (L < 1)
    throw std::invalid_argument("deepsense_features: a window of " + std::to_string(W) + " samples cannot hold " +
                                std::to_string(T) + " intervals");
  if (f < 1 || f > L / 2 + 1)
    throw std::invalid_argument("deepsense_features: fft_bins = " + std::to_string(f) +
                                " but an interval of " + std::to_string(L) + " samples has only " +
                                std::to_string(L / 2 + 1) + " bins");
  const int64_t S = C / D;
  const int64_t feat = D * f * 2;

  ArraySet out;
  out.modality = windows.modality;
  out.sample_shape = {S, T, feat};
  out.labels = windows.labels;
  out.groups = windows.groups;
  out.class_names = windows.class_names;
  out.group_names = windows.group_names;
  out.values.assign(windows.size() * size_t(S * T * feat), 0.0f);

  FftPlan plan(static_cast<int>(L));
  std::vector<std::complex<float>> bins(size_t(L / 2 + 1));
  for (size_t i = 0; i < windows.size(); ++i) {
    const float* x = windows.sample(i);
    float* y = out.sample(i);
    for (int64_t c = 0; c < C; ++c) {
      const int64_t s = c / D, d = c % D;
      for (int64_t t = 0; t < T; ++t) {
        plan.real_forward(x + c * W + t * L, bins.data());
        float* dst = y + (s * T + t) * feat + d * f * 2;
        for (int64_t k = 0; k < f; ++k) {
          dst[2 * k] = bins[size_t(k)].real();
          dst[2 * k + 1] = bins[size_t(k)].imag();
        }
      }
    }
  }
  return out;
}

}  // namespace slimlab::data
