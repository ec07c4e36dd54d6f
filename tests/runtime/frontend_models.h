#pragma once
// .slim models whose graph starts with a front-end op, built in code for the front-end
// tests: raw samples → front end → (Normalize) → Dense → Softmax.
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "frontend_signals.h"
#include "ops/frontend/fe_ops.h"
#include "slim_test_models.h"
#include "slimrt/frontend.h"
#include "slimrt/runtime.h"
#include "slimrt/stream.h"
#include "slimrt/writer.h"

namespace slimrt::test {

inline FrontEndParams audio_params() {  // 8 kHz, n_fft 256, window 200, hop 80, 40 bands
  FrontEndParams p;
  p.present = true, p.sample_rate = 8000, p.n_fft = 256, p.win_length = 200, p.hop_length = 80, p.n_mels = 40;
  return p;
}

inline FrontEndParams deepsense_params() {  // 8 intervals, 5 bins, 3 axes per sensor
  FrontEndParams p;
  p.present = true, p.sample_rate = 32, p.intervals = 8, p.fft_bins = 5, p.axes_per_sensor = 3;
  return p;
}

// Dense head on `features` (f32, any shape) with `classes` outputs, then Softmax.
inline void add_head(ModelWriter& m, int features, int64_t numel, int classes, uint32_t seed) {
  const int w = m.add_f32("head.weight", {classes, numel}, random_values(size_t(classes * numel), seed, 0.05f));
  const int b = m.add_f32("head.bias", {classes}, random_values(size_t(classes), seed + 1, 0.1f));
  const int logits = m.add_tensor("logits", DType::F32, {classes});
  m.add_op(OpType::Dense, "head", {features, w, b}, {logits});
  const int prob = m.add_tensor("prob", DType::F32, {classes});
  m.add_op(OpType::Softmax, "softmax", {logits}, {prob});
  m.outputs = {prob};
}

// The per-band mean and std the audio models normalise with.
inline std::pair<std::vector<float>, std::vector<float>> band_stats(int bands) {
  std::vector<float> mean(static_cast<size_t>(bands)), sd(static_cast<size_t>(bands));
  for (size_t i = 0; i < mean.size(); ++i) mean[i] = -4.0f + 0.05f * float(i), sd[i] = 2.0f + 0.01f * float(i);
  return {mean, sd};
}

// x f32 [clip] → AudioFeatures (log-mel / MFCC; f32, or i16 ⟨16, fl⟩ then Dequantize)
// → Normalize per band → Dense → Softmax.
// head = false: no Dense / Softmax; the outputs are the (dequantized) features and
// the normalised features (intermediate tensors share the arena: tests read outputs).
inline ModelWriter audio_model(const FrontEndParams& p, int64_t clip, int classes = 4, bool fixed = false, int fl = 11,
                               bool head = true) {
  ModelWriter m;
  const frontend::LogMelPlan plan = frontend::prepare_log_mel(ops::fe::log_mel_options(p, clip));
  const int F = plan.features();
  const int64_t T = plan.frames;
  const int x = m.add_tensor("samples", DType::F32, {clip});
  int feat = m.add_tensor("features", fixed ? DType::I16 : DType::F32, {F, T}, fixed ? fl : 0);
  m.add_op(OpType::AudioFeatures, "frontend", {x}, {feat}).frontend = p;
  if (fixed) {
    const int deq = m.add_tensor("features_f32", DType::F32, {F, T});
    m.add_op(OpType::Dequantize, "dequantize", {feat}, {deq});
    feat = deq;
  }
  const auto stats = band_stats(F);
  const int mt = m.add_f32("norm.mean", {F}, stats.first), st = m.add_f32("norm.std", {F}, stats.second);
  const int norm = m.add_tensor("normalised", DType::F32, {F, T});
  m.add_op(OpType::Normalize, "normalise", {feat, mt, st}, {norm}).axis = 0;
  if (head) add_head(m, norm, int64_t(F) * T, classes, 7);
  else m.outputs = {feat, norm};
  m.inputs = {x};
  return m;
}

// x f32 [window, channels] → DeepSenseFeatures → Dense → Softmax (classes 0: no head).
inline ModelWriter deepsense_model(const FrontEndParams& p, int64_t window, int channels, int classes = 5) {
  ModelWriter m;
  const frontend::DeepSenseOptions o = ops::fe::deepsense_options(p, window, channels);
  const int64_t n = frontend::prepare_deepsense(o).numel();
  const int x = m.add_tensor("samples", DType::F32, {window, channels});
  const int feat = m.add_tensor("features", DType::F32, {n});
  m.add_op(OpType::DeepSenseFeatures, "frontend", {x}, {feat}).frontend = p;
  if (classes > 0) add_head(m, feat, n, classes, 11);
  else m.outputs = {feat};
  m.inputs = {x};
  return m;
}

inline std::shared_ptr<const Model> load(const ModelWriter& w) {
  slimrt_frontend_register();
  const auto bytes = w.finish();
  return Model::from_memory(bytes.data(), bytes.size());
}


}  // namespace slimrt::test
