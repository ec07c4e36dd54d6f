// slimrt-demo-model: writes a keyword-spotting-shaped .slim with a front end and random
// weights, to try and time slimrt-sensor-app without a trained model (a real one comes
// from `slimlab export RUN --front-end`):
//   raw 8 kHz samples [8000] → AudioFeatures (log-mel: n_fft 256, window 200, hop 80,
//   40 bands → [40, 101]) → Normalize per band → Dense 4040 → 10 → Softmax,
// stream hop 800 samples (100 ms), vote smoothing over 3 decisions.
// Usage: slimrt-demo-model OUT.slim
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "slimrt/runtime.h"
#include "slimrt/writer.h"

namespace {

std::vector<float> uniform(size_t n, uint32_t seed, float scale) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-scale, scale);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: slimrt-demo-model OUT.slim\n");
    return 1;
  }
  using slimrt::DType;
  using slimrt::OpType;
  constexpr int kBands = 40, kFrames = 101, kClasses = 10;
  constexpr int64_t kFeatures = int64_t(kBands) * kFrames;
  slimrt::ModelWriter m;
  slimrt::FrontEndParams p;
  p.present = true, p.sample_rate = 8000, p.n_fft = 256, p.win_length = 200, p.hop_length = 80, p.n_mels = kBands;
  p.fmin = 20, p.stream_hop = 800, p.smooth_window = 3;
  const int x = m.add_tensor("samples", DType::F32, {8000});
  const int feat = m.add_tensor("features", DType::F32, {kBands, kFrames});
  m.add_op(OpType::AudioFeatures, "frontend", {x}, {feat}).frontend = p;
  std::vector<float> mean(kBands, -6.0f), sd(kBands, 3.0f);
  const int mt = m.add_f32("norm.mean", {kBands}, mean), st = m.add_f32("norm.std", {kBands}, sd);
  const int norm = m.add_tensor("normalised", DType::F32, {kBands, kFrames});
  m.add_op(OpType::Normalize, "normalise", {feat, mt, st}, {norm}).axis = 0;
  const int w = m.add_f32("dense.weight", {kClasses, kFeatures}, uniform(size_t(kClasses * kFeatures), 1, 0.02f));
  const int b = m.add_f32("dense.bias", {kClasses}, uniform(kClasses, 2, 0.1f));
  const int logits = m.add_tensor("logits", DType::F32, {kClasses});
  m.add_op(OpType::Dense, "dense", {norm, w, b}, {logits});
  const int prob = m.add_tensor("prob", DType::F32, {kClasses});
  m.add_op(OpType::Softmax, "softmax", {logits}, {prob});
  m.inputs = {x};
  m.outputs = {prob};
  m.metadata.model = "demo_kws (random weights)";
  m.metadata.precision = "fp32";
  m.metadata.feature_type = "logmel";
  m.metadata.sample_rate = 8000;
  for (int c = 0; c < kClasses; ++c) m.metadata.class_names.push_back(std::to_string(c));
  try {
    m.write_file(argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "slimrt-demo-model: %s\n", e.what());
    return 1;
  }
  return 0;
}
