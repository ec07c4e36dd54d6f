#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "datasets/errors.h"
#include "datasets/pipeline.h"
#include "expect_error.h"
#include "test_util.h"

using namespace slimlab::data;
using slimlab::test::shared_datasets;

namespace {
std::set<int32_t> groups_of(const ArraySet& a) { return {a.groups.begin(), a.groups.end()}; }

void expect_disjoint_groups(const PreparedData& d) {
  const auto tr = groups_of(d.train), va = groups_of(d.val), te = groups_of(d.test);
  for (int32_t g : te) {
    EXPECT_FALSE(tr.count(g)) << "group " << g << " in train and test";
    EXPECT_FALSE(va.count(g)) << "group " << g << " in val and test";
  }
  for (int32_t g : va) EXPECT_FALSE(tr.count(g)) << "group " << g << " in train and val";
}

// A built-in synthetic source at `scale` times its default size.
DatasetConfig synthetic(const std::string& source, double scale) {
  DatasetConfig c;
  c.source = source;
  c.synthetic_scale = scale;
  return c;
}
}  // namespace

TEST(Pipeline, SyntheticHarSplitsBySubjectAndNormalisesOnTrain) {
  DatasetConfig c = synthetic("synthetic:har", 0.5);
  const auto d = prepare(c);
  EXPECT_EQ(d.split_method, "group");
  EXPECT_EQ(d.source.modality, Modality::kHar);
  EXPECT_EQ(d.train.sample_shape, (std::vector<int64_t>{6, 100}));
  EXPECT_GT(d.test.size(), 0u);
  EXPECT_GT(d.val.size(), 0u);
  expect_disjoint_groups(d);
  // Per channel, the training split has mean 0 and std 1 after normalisation.
  for (int ch = 0; ch < 6; ++ch) {
    double s = 0, s2 = 0, n = 0;
    for (size_t i = 0; i < d.train.size(); ++i)
      for (int t = 0; t < 100; ++t) {
        const double v = d.train.sample(i)[ch * 100 + t];
        s += v, s2 += v * v, n += 1;
      }
    EXPECT_NEAR(s / n, 0.0, 1e-3);
    EXPECT_NEAR(std::sqrt(s2 / n - (s / n) * (s / n)), 1.0, 1e-3);
  }
}

TEST(Pipeline, DeepSenseFeaturesShape) {
  DatasetConfig c = synthetic("synthetic:har", 0.25);
  c.har_features = "deepsense";
  c.window.window_seconds = 2.0;  // 100 samples → 20 intervals of 5
  c.deepsense.fft_bins = 3;
  const auto d = prepare(c);
  // 2 sensors (acc, gyro) × 20 intervals × (3 axes · 3 bins · 2)
  EXPECT_EQ(d.train.sample_shape, (std::vector<int64_t>{2, 20, 18}));
}

TEST(Pipeline, SyntheticVisionIsStratifiedByDefault) {
  DatasetConfig c = synthetic("synthetic:vision", 0.1);
  const auto d = prepare(c);
  EXPECT_EQ(d.split_method, "stratified");
  EXPECT_EQ(d.train.sample_shape, (std::vector<int64_t>{1, 28, 28}));
  const auto te = d.test.class_counts();
  for (size_t k = 1; k < te.size(); ++k) EXPECT_EQ(te[k], te[0]);
}

TEST(Pipeline, SyntheticAudioLogMel) {
  DatasetConfig c = synthetic("synthetic:audio", 0.1);
  const auto d = prepare(c);
  EXPECT_EQ(d.source.modality, Modality::kAudio);
  ASSERT_EQ(d.train.sample_shape.size(), 3u);
  EXPECT_EQ(d.train.sample_shape[1], 40);
  expect_disjoint_groups(d);
}

TEST(Pipeline, SourceParsing) {
  EXPECT_EQ(parse_source("synthetic:audio").format, "synthetic-audio");
  EXPECT_THROW(parse_source("synthetic:nope"), std::invalid_argument);
  slimlab::test::expect_error<DataError>([&] { parse_source("/no/such/dir/anywhere"); }, {"/no/such/dir/anywhere"});
  slimlab::test::TempDir dir;
  slimlab::test::write_text(dir / "notes.txt", "hello");
  slimlab::test::expect_error<DataError>([&] { parse_source(dir.path().string()); }, {"cannot tell"});
}

TEST(Pipeline, DetectsTheRealLayouts) {
  SLIMLAB_REQUIRE_DATASET("hmp");
  SLIMLAB_REQUIRE_DATASET("fsdd/recordings");
  SLIMLAB_REQUIRE_DATASET("mnist");
  EXPECT_EQ(parse_source((shared_datasets() / "hmp").string()).format, "hmp");
  EXPECT_EQ(parse_source((shared_datasets() / "fsdd/recordings").string()).format, "wav");
  EXPECT_EQ(parse_source((shared_datasets() / "mnist").string()).format, "mnist");
}

TEST(Pipeline, MnistEightThousandTwoThousand) {
  SLIMLAB_REQUIRE_DATASET("mnist");
  DatasetConfig c;
  c.source = (shared_datasets() / "mnist").string();
  c.split_options.val_fraction = 0.0;
  c.split_options.test_fraction = 0.2;
  const auto d = prepare(c);
  EXPECT_EQ(d.train.size(), 8000u);
  EXPECT_EQ(d.test.size(), 2000u);
  EXPECT_EQ(d.source.items, 10000u);
}

TEST(Pipeline, HmpBySubjectWithDeepSense) {
  SLIMLAB_REQUIRE_DATASET("hmp");
  DatasetConfig c;
  c.source = (shared_datasets() / "hmp").string();
  c.window.window_seconds = 5.0;  // 160 samples at 32 Hz
  c.har_features = "deepsense";
  c.deepsense.fft_bins = 5;       // intervals of 8 samples → 5 bins
  const auto d = prepare(c);
  EXPECT_EQ(d.source.items, 839u);
  EXPECT_EQ(d.source.class_names.size(), 14u);
  EXPECT_EQ(d.train.sample_shape, (std::vector<int64_t>{1, 20, 30}));
  expect_disjoint_groups(d);
}

TEST(Pipeline, FsddBySpeakerWithExplicitTestSpeaker) {
  SLIMLAB_REQUIRE_DATASET("fsdd/recordings");
  DatasetConfig c;
  c.source = (shared_datasets() / "fsdd/recordings").string();
  c.audio.type = "mfcc";
  c.split_options.test_groups = {"george"};
  c.split_options.val_groups = {"jackson"};
  const auto d = prepare(c);
  EXPECT_EQ(d.test.size(), 500u);
  EXPECT_EQ(d.val.size(), 500u);
  EXPECT_EQ(d.train.size(), 2000u);
  EXPECT_EQ(d.train.sample_shape[1], 13);
  expect_disjoint_groups(d);
}

TEST(Pipeline, DescribeListsOnlyRelevantKeys) {
  DatasetConfig c;
  const auto har = c.describe(Modality::kHar);
  const auto vis = c.describe(Modality::kVision);
  auto has = [](const auto& v, const std::string& k) {
    for (const auto& [key, value] : v)
      if (key == k) return true;
    return false;
  };
  EXPECT_TRUE(has(har, "window_seconds"));
  EXPECT_FALSE(has(har, "audio_n_mels"));
  EXPECT_TRUE(has(vis, "image_size"));
  EXPECT_FALSE(has(vis, "window_seconds"));
}
