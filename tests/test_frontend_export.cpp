// `slimlab export --front-end` (deploy/export/front_end.h): a network exported behind
// the front end its dataset configuration implies gives, on the raw recordings, the
// outputs and predictions the workbench's pipeline (datasets/ extractors +
// normalisation) gives on its features — FSDD clips and HMP windows, real data.
#include <gtest/gtest.h>

#include <random>

#include "datasets/audio_features.h"
#include "datasets/har_formats.h"
#include "datasets/har_windows.h"
#include "datasets/normalize.h"
#include "datasets/wav.h"
#include "deploy/export/front_end.h"
#include "frontend_test_util.h"
#include "slimrt/writer.h"

namespace data = slimlab::data;
namespace deploy = slimlab::deploy;

namespace {

using slimlab::test::Parity;

// features {shape} → Dense (random weights) → logits: the exported network's stand-in.
std::vector<uint8_t> network(const std::vector<int64_t>& shape, int classes) {
  slimrt::ModelWriter m;
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::mt19937 rng(5);
  std::normal_distribution<float> nd(0.0f, 0.05f);
  std::vector<float> w(static_cast<size_t>(classes * n)), b(static_cast<size_t>(classes));
  for (float& v : w) v = nd(rng);
  for (float& v : b) v = nd(rng);
  const int x = m.add_tensor("features", slimrt::DType::F32, shape);
  const int wt = m.add_f32("fc.weight", {classes, n}, w), bt = m.add_f32("fc.bias", {classes}, b);
  const int y = m.add_tensor("logits", slimrt::DType::F32, {classes});
  m.add_op(slimrt::OpType::Dense, "fc", {x, wt, bt}, {y});
  m.inputs = {x};
  m.outputs = {y};
  return m.finish();
}

std::vector<float> run(slimrt::Interpreter& in, const float* x) {
  in.set_input(0, x, size_t(in.input(0).numel));
  in.invoke();
  std::vector<float> y(size_t(in.output(0).numel));
  in.get_output(0, y.data(), y.size());
  return y;
}

size_t arg_max(const std::vector<float>& v) { return size_t(std::max_element(v.begin(), v.end()) - v.begin()); }

// Both models on every sample: outputs within 1e-4 relative, the same predictions.
void expect_same(slimrt::Interpreter& raw_model, const std::vector<std::vector<float>>& raw,
                 slimrt::Interpreter& net, const data::ArraySet& features) {
  Parity parity;
  size_t same = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    const auto a = run(raw_model, raw[i].data()), b = run(net, features.sample(i));
    parity.add(a.data(), b.data(), a.size());
    same += arg_max(a) == arg_max(b);
  }
  std::printf("%zu samples: worst |a-b|/max(1,|b|) = %.3g, same prediction %zu\n", raw.size(), parity.worst, same);
  EXPECT_EQ(parity.bad, 0u);
  EXPECT_EQ(same, raw.size());
}

TEST(FrontendExport, FsddRawClipsGiveTheWorkbenchOutputs) {
  SLIMLAB_REQUIRE_DATASET("fsdd/recordings");
  data::DatasetConfig c;
  c.audio.type = "logmel";
  const data::AudioFeatureExtractor x(c.audio);
  data::PreparedData d;
  d.source.modality = data::Modality::kAudio;
  d.test.modality = data::Modality::kAudio;
  d.test.sample_shape = x.feature_shape();
  std::vector<std::vector<float>> raw;
  for (const auto& f : slimlab::test::fsdd_clips(40)) {
    const data::WavClip clip = data::read_wav(f);
    d.test.values.resize(d.test.values.size() + size_t(x.feature_numel()));
    x.extract(clip.samples.data(), clip.frames(), d.test.values.data() + d.test.values.size() - x.feature_numel());
    d.test.labels.push_back(0);
    // What slimrt-run feeds: the clip centre-cropped / zero-padded to the window.
    std::vector<float> r(size_t(x.clip_samples()), 0.0f);
    const int64_t n = clip.frames(), from = n > x.clip_samples() ? (n - x.clip_samples()) / 2 : 0;
    std::copy(clip.samples.begin() + from, clip.samples.begin() + from + std::min(n, x.clip_samples()), r.begin());
    raw.push_back(r);
  }
  d.normalization = data::Normalization::fit(d.test, 1);  // per band, as the pipeline
  d.normalization.apply(d.test);
  const slimrt::frontend::FrontEndSpec spec = deploy::front_end_spec(c, d);
  EXPECT_EQ(spec.params.stream_hop, 2000);
  const auto net_bytes = network(d.test.sample_shape, 10);
  const auto bytes = deploy::with_front_end(net_bytes, spec);
  slimrt::Interpreter raw_model(slimrt::Model::from_memory(bytes.data(), bytes.size()));
  slimrt::Interpreter net(slimrt::Model::from_memory(net_bytes.data(), net_bytes.size()));
  expect_same(raw_model, raw, net, d.test);
}

TEST(FrontendExport, HmpRawWindowsGiveTheWorkbenchOutputs) {
  SLIMLAB_REQUIRE_DATASET("hmp/Walk");
  const data::RecordingSet set = data::load_hmp(slimlab::test::shared_datasets() / "hmp");
  std::vector<size_t> picked;
  for (size_t i = 0; i < set.recordings.size(); i += 60) picked.push_back(i);
  data::DatasetConfig c;
  c.har_features = "deepsense";
  c.window.window_seconds = 4;
  c.deepsense.intervals = 8;
  c.deepsense.fft_bins = 6;
  const data::ArraySet windows = data::make_windows(set, picked, c.window);
  data::PreparedData d;
  d.source.modality = data::Modality::kHar;
  d.source.rate_hz = set.recordings[0].rate_hz;
  d.source.channel_names = {"x", "y", "z"};
  d.test = data::deepsense_features(windows, c.deepsense);
  d.normalization = data::Normalization::fit(d.test, 2);
  d.normalization.apply(d.test);
  const slimrt::frontend::FrontEndSpec spec = deploy::front_end_spec(c, d);
  ASSERT_EQ(spec.raw_shape, (std::vector<int64_t>{windows.sample_shape[1], 3}));
  std::vector<std::vector<float>> raw;  // {C, W} windows as a sensor delivers them: [W, C]
  const int64_t C = windows.sample_shape[0], W = windows.sample_shape[1];
  for (size_t i = 0; i < windows.size(); ++i) {
    std::vector<float> r(size_t(C * W));
    for (int64_t t = 0; t < W; ++t)
      for (int64_t ch = 0; ch < C; ++ch) r[size_t(t * C + ch)] = windows.sample(i)[ch * W + t];
    raw.push_back(r);
  }
  const auto net_bytes = network(d.test.sample_shape, 14);
  const auto bytes = deploy::with_front_end(net_bytes, spec);
  slimrt::Interpreter raw_model(slimrt::Model::from_memory(bytes.data(), bytes.size()));
  slimrt::Interpreter net(slimrt::Model::from_memory(net_bytes.data(), net_bytes.size()));
  ASSERT_GT(raw.size(), 20u);
  expect_same(raw_model, raw, net, d.test);
}

TEST(FrontendExport, ConfigurationsWithoutADeviceFrontEndAreNamed) {
  data::DatasetConfig c;
  data::PreparedData d;
  d.source.modality = data::Modality::kHar;
  c.har_features = "raw";
  try {
    deploy::front_end_spec(c, d);
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("har_features = \"raw\" has no device front end"), std::string::npos) << e.what();
  }
  d.source.modality = data::Modality::kAudio;
  c.audio.type = "raw";
  EXPECT_THROW(deploy::front_end_spec(c, d), std::invalid_argument);
}

}  // namespace
