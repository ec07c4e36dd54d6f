// The sensor front end of a run's dataset configuration (front_end.h).
#include "deploy/export/front_end.h"

#include <cmath>
#include <stdexcept>

#include "datasets/audio_features.h"
#include "slimrt/runtime.h"

namespace slimlab::deploy {

namespace fe = slimrt::frontend;

namespace {

fe::FrontEndSpec audio_spec(const data::AudioFeatureOptions& a) {
  if (a.type != "logmel" && a.type != "mfcc")
    throw std::invalid_argument("export --front-end: audio.type = \"" + a.type + "\" has no device front end (logmel, mfcc)");
  const data::AudioFeatureExtractor x(a);  // the workbench's own checks and clip length
  fe::FrontEndSpec s;
  s.op = slimrt::OpType::AudioFeatures;
  slimrt::FrontEndParams& p = s.params;
  p.sample_rate = a.rate_hz, p.n_fft = a.n_fft, p.win_length = a.win_length, p.hop_length = a.hop_length;
  p.n_mels = a.n_mels, p.n_mfcc = a.type == "mfcc" ? a.n_mfcc : 0, p.fmin = a.fmin, p.fmax = a.fmax;
  s.raw_shape = {x.clip_samples()};
  p.stream_hop = std::max<int64_t>(a.hop_length, x.clip_samples() / 4 / a.hop_length * a.hop_length);
  return s;
}

fe::FrontEndSpec har_spec(const data::DatasetConfig& c, const data::PreparedData& d) {
  if (c.har_features != "deepsense")
    throw std::invalid_argument("export --front-end: har_features = \"" + c.har_features +
                                "\" has no device front end yet (deepsense has; raw windows need a [W, C] → [C, W] "
                                "transpose in front)");
  const double rate = c.window.rate_hz > 0 ? c.window.rate_hz : d.source.rate_hz;
  const int64_t W = int64_t(std::llround(c.window.window_seconds * rate));
  const int64_t C = int64_t(d.source.channel_names.size());
  if (rate <= 0 || W < 1 || C < 1)
    throw std::invalid_argument("export --front-end: the data's rate / window / channels are unknown");
  fe::FrontEndSpec s;
  s.op = slimrt::OpType::DeepSenseFeatures;
  slimrt::FrontEndParams& p = s.params;
  p.sample_rate = rate, p.intervals = c.deepsense.intervals, p.fft_bins = c.deepsense.fft_bins;
  p.axes_per_sensor = c.deepsense.axes_per_sensor;
  p.stream_hop = std::max<int64_t>(1, std::llround(double(W) * (1.0 - c.window.overlap)));
  s.raw_shape = {W, C};
  return s;
}

}  // namespace

fe::FrontEndSpec front_end_spec(const data::DatasetConfig& c, const data::PreparedData& d) {
  fe::FrontEndSpec s;
  switch (d.source.modality) {
    case data::Modality::kAudio: s = audio_spec(c.audio); break;
    case data::Modality::kHar: s = har_spec(c, d); break;
    case data::Modality::kVision: {
      const auto& shape = d.test.sample_shape;  // {C, H, W}
      if (shape.size() != 3) throw std::invalid_argument("export --front-end: images of rank " + std::to_string(shape.size()));
      s.op = slimrt::OpType::ImageResize;
      s.raw_shape = {shape[1], shape[2], shape[0]};
      if (!d.normalization.empty() && d.normalization.axis != 0)
        throw std::invalid_argument("export --front-end: images normalised along axis " +
                                    std::to_string(d.normalization.axis) + ", not per channel");
      break;
    }
  }
  s.params.present = true;
  if (s.op != slimrt::OpType::ImageResize) s.params.smooth_window = 3;
  s.mean = d.normalization.mean;
  s.stddev = d.normalization.stddev;
  s.axis = d.normalization.axis;
  return s;
}

std::vector<uint8_t> with_front_end(const std::vector<uint8_t>& slim, const fe::FrontEndSpec& spec) {
  const auto network = slimrt::Model::from_memory(slim.data(), slim.size());
  return fe::attach_front_end(*network, spec);
}

std::string describe(const fe::FrontEndSpec& s) {
  std::string raw;
  for (int64_t v : s.raw_shape) raw += (raw.empty() ? "[" : ", ") + std::to_string(v);
  std::string out = std::string(slimrt::op_name(s.op)) + ": raw input " + raw + "]";
  if (s.params.sample_rate > 0) out += " at " + std::to_string(int64_t(std::lround(s.params.sample_rate))) + " Hz";
  if (!s.mean.empty()) out += ", normalised (" + std::to_string(s.mean.size()) + " mean/std values)";
  if (s.params.stream_hop > 0) out += ", stream hop " + std::to_string(s.params.stream_hop);
  return out;
}

}  // namespace slimlab::deploy
